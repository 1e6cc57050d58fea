package dev.halcyon.archive;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ArchiveOrderTest {
  @TempDir Path tmp;

  @ParameterizedTest
  @CsvSource({
    "lib/guava-33.2.1-jre.jar, 0",
    "lib/commons-io-2.15.1.jar, 0",
    "lib/internal-1.4.0-SNAPSHOT.jar, 1",
    "conf/app.yml, 2",
    "lib, 2",
    "bin/run.sh, 2",
    "lib/app.jar, 3",
    "lib/my-app.jar, 3",
    "classes/com/example/Main.class, 4",
  })
  void volatility_ranksByKind(String path, int rank) {
    assertThat(ArchiveOrder.VOLATILITY.rank(path)).isEqualTo(rank);
  }

  @Test
  void write_volatility_putsWhatChangesLeastFirstAndDirectoriesBeforeTheirContents()
      throws IOException {
    Path src = tree();

    List<String> names = names(src, null);

    assertThat(names)
        .containsExactly(
            "lib/",
            "lib/commons-io-2.15.1.jar",
            "lib/guava-33.2.1-jre.jar",
            "lib/internal-1.4.0-SNAPSHOT.jar",
            "classes/",
            "classes/app.properties",
            // Directories have rank 2 of their own, so the class-file tail holds only classes.
            "classes/com/",
            "classes/com/example/",
            "conf/",
            "conf/app.yml",
            "lib/app.jar",
            "classes/com/example/Main.class",
            "classes/com/example/Util.class");
  }

  @Test
  void write_ownOrder_isFollowedWithDirectoriesStillFirst() throws IOException {
    Path src = tree();
    ArchiveOrder appJarFirst = path -> path.equals("lib/app.jar") ? -1 : 0;

    List<String> names = names(src, appJarFirst);

    assertThat(names.subList(0, 2)).containsExactly("lib/", "lib/app.jar");
    assertThat(names.subList(2, names.size())).isSortedAccordingTo(String::compareTo).hasSize(11);
  }

  @Test
  void write_volatility_archiveExtractsToTheSameTree() throws IOException {
    Path src = tree();
    byte[] archive = Tocs.archive(src);

    Archives.extract(
        new ByteArrayInputStream(archive),
        Compression.ZSTD,
        tmp.resolve("out"),
        ExtractLimits.DEFAULT);

    assertThat(Trees.describe(tmp.resolve("out"))).isEqualTo(Trees.describe(src));
    assertThat(Tocs.toc(archive).entries().get(1).path()).isEqualTo("lib/commons-io-2.15.1.jar");
  }

  private Path tree() throws IOException {
    Path src = tmp.resolve("src");
    for (String f :
        List.of(
            "lib/guava-33.2.1-jre.jar",
            "lib/commons-io-2.15.1.jar",
            "lib/internal-1.4.0-SNAPSHOT.jar",
            "lib/app.jar",
            "conf/app.yml",
            "classes/app.properties",
            "classes/com/example/Main.class",
            "classes/com/example/Util.class")) {
      Files.createDirectories(src.resolve(f).getParent());
      Trees.write(src.resolve(f), f);
    }
    return src;
  }

  private static List<String> names(Path src, ArchiveOrder order) throws IOException {
    List<String> names = new ArrayList<>();
    for (Compression c : Compression.values()) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      if (order == null) {
        Archives.write(src, out, c);
      } else {
        Archives.write(src, out, c, order);
      }
      List<String> these = new ArrayList<>();
      try (TarArchiveInputStream tar =
          new TarArchiveInputStream(
              Codecs.decompressing(c, new ByteArrayInputStream(out.toByteArray())), "UTF-8")) {
        TarArchiveEntry e;
        while ((e = tar.getNextEntry()) != null) {
          these.add(e.getName());
        }
      }
      if (names.isEmpty()) {
        names.addAll(these);
      } else {
        assertThat(these).as("the same order for " + c).isEqualTo(names);
      }
    }
    return names;
  }
}
