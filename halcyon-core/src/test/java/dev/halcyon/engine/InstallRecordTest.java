package dev.halcyon.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.halcyon.hash.Digests;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The install record never follows a symlink of the installed tree, wherever it points. */
class InstallRecordTest {
  @TempDir Path tmp;

  @AfterEach
  void removeLinks() throws IOException {
    // Else JUnit warns about the links leaving @TempDir when it deletes it.
    try (Stream<Path> walk = Files.walk(tmp)) {
      for (Path p : walk.filter(Files::isSymbolicLink).toList()) {
        Files.delete(p);
      }
    }
  }

  @Test
  void write_treeWithLinksPointingOutside_recordsOnlyItsOwnRegularFiles() throws IOException {
    Path outside = tmp.resolve("outside");
    Files.createDirectories(outside);
    Files.writeString(outside.resolve("secret.txt"), "secret");
    Path app = tmp.resolve("app");
    Files.createDirectories(app.resolve("bin"));
    Files.writeString(app.resolve("bin/run"), "#!/bin/sh\n");
    Files.createSymbolicLink(app.resolve("etc"), Path.of("/etc"));
    Files.createSymbolicLink(app.resolve("lib"), outside);
    Files.createSymbolicLink(app.resolve("secret"), outside.resolve("secret.txt"));
    Files.createSymbolicLink(app.resolve("gone"), Path.of("/no/such/file"));
    Path record = tmp.resolve("record");

    InstallRecord.write(record, app, Map.of(), Long.MIN_VALUE, Set.of());

    assertThat(InstallRecord.read(record).entries()).containsOnlyKeys("bin/run");
    assertThat(InstallRecord.read(record).entries().get("bin/run").digest())
        .isEqualTo(Digests.sha256(app.resolve("bin/run")));
  }

  @Test
  void hash_ofASymlink_failsInsteadOfHashingItsTarget() throws IOException {
    Path outside = tmp.resolve("secret.txt");
    Files.writeString(outside, "secret");
    Path link = Files.createSymbolicLink(tmp.resolve("link"), outside);

    assertThatThrownBy(() -> InstallRecord.hash(link)).isInstanceOf(IOException.class);
    assertThat(InstallRecord.hash(outside)).isEqualTo(Digests.sha256(outside));
  }
}
