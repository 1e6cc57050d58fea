package dev.halcyon.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Archives we write extract with GNU tar, and archives GNU tar writes restore through ours. */
class GnuTarInteropIT {
  private static final String TAR = "/usr/bin/tar";

  @TempDir Path tmp;

  @BeforeAll
  static void tarPresent() {
    assumeTrue(Files.isExecutable(Path.of(TAR)), "GNU tar is not installed at " + TAR);
  }

  @Test
  void ourZstd_extractsWithGnuTar() throws Exception {
    assertGnuTarExtracts(Compression.ZSTD, "--zstd");
  }

  @Test
  void ourZstdWithToc_extractsWithGnuTarAndThroughTheZstdCli() throws Exception {
    Path src = tmp.resolve("src");
    Trees.sample(src);
    Trees.bigFile(src.resolve("lib/big.bin"), FramedTarWriter.CHUNK_SIZE * 2L + 777, 5);
    Trees.bigFile(src.resolve("lib/medium-1.0.jar"), ArchiveToc.SMALL_FILE + 1, 6);
    Path archive = tmp.resolve("a.tar.zst");
    Archives.write(src, archive, Compression.ZSTD);
    assertThat(TocFooter.present(Files.readAllBytes(archive))).isTrue();
    Path gnu = Files.createDirectories(tmp.resolve("gnu"));
    Path cli = Files.createDirectories(tmp.resolve("cli"));

    Trees.run(gnu, TAR, "--zstd", "-xf", archive.toString());
    Trees.run(cli, "/bin/sh", "-c", "zstd -dc '" + archive + "' | " + TAR + " -xf -");
    String frames = Trees.run(tmp, "zstd", "-lv", archive.toString());

    assertThat(Trees.describe(gnu)).isEqualTo(Trees.describe(src));
    assertThat(Trees.describe(cli)).isEqualTo(Trees.describe(src));
    assertThat(frames).contains("Skippable Frames: 2");
  }

  @Test
  void ourGzip_extractsWithGnuTar() throws Exception {
    assertGnuTarExtracts(Compression.GZIP, "-z");
  }

  @Test
  void ourXz_extractsWithGnuTar() throws Exception {
    assertGnuTarExtracts(Compression.XZ, "-J");
  }

  @Test
  void ourArchive_listsWithRootOwnerAndFixedTime() throws Exception {
    Path src = tmp.resolve("src");
    Trees.sample(src);
    Path archive = tmp.resolve("a.tar.gz");
    Archives.write(src, archive, Compression.GZIP);

    String listing = Trees.run(tmp, TAR, "--numeric-owner", "--utc", "-tvzf", archive.toString());

    assertThat(listing.lines())
        .hasSize(Trees.describe(src).size())
        .allMatch(
            l -> l.contains(" 0/0 ") && l.contains("1970-01-01 00:00"), "owner 0/0, time 1970");
    assertThat(listing)
        .contains("-rwxr-xr-x 0/0", "bin/app-link -> app", Trees.LONG_NAME, Trees.UNICODE_NAME);
  }

  @Test
  void gnuTarGzip_restoresThroughOurs() throws Exception {
    assertOursExtracts("a.tar.gz", "-czf");
  }

  @Test
  void gnuTarZstd_restoresThroughOurs() throws Exception {
    assertOursExtracts("a.tar.zst", "--zstd", "-cf");
  }

  @Test
  void gnuTarPosixFormat_restoresThroughOurs() throws Exception {
    assertOursExtracts("a.tar.zst", "--format=posix", "--zstd", "-cf");
  }

  @Test
  void gnuTarHardLinks_restoreAsHardLinks() throws Exception {
    Path src = tmp.resolve("src");
    Files.createDirectories(src.resolve("d"));
    Trees.write(src.resolve("d/a"), "shared");
    Files.createLink(src.resolve("b"), src.resolve("d/a"));
    Path archive = tmp.resolve("h.tar.gz");
    Trees.run(src, TAR, "-czf", archive.toString(), ".");

    Path out = tmp.resolve("out");
    ExtractSummary s = Archives.extract(archive, out, ExtractLimits.DEFAULT);

    assertThat(Trees.describe(out)).isEqualTo(Trees.describe(src));
    assertThat(Files.isSameFile(out.resolve("b"), out.resolve("d/a"))).isTrue();
    assertThat(s.contentBytes()).isEqualTo(6);
  }

  private void assertGnuTarExtracts(Compression c, String flag) throws Exception {
    Path src = tmp.resolve("src");
    Trees.sample(src);
    Path archive = tmp.resolve("a." + c.extension());
    Archives.write(src, archive, c);
    Path out = Files.createDirectories(tmp.resolve("out"));

    Trees.run(out, TAR, "-x", flag, "-f", archive.toString());

    assertThat(Trees.describe(out)).isEqualTo(Trees.describe(src));
  }

  private void assertOursExtracts(String name, String... flags) throws Exception {
    Path src = tmp.resolve("src");
    Trees.sample(src);
    Path archive = tmp.resolve(name);
    String[] command = new String[flags.length + 3];
    command[0] = TAR;
    System.arraycopy(flags, 0, command, 1, flags.length);
    command[flags.length + 1] = archive.toString();
    command[flags.length + 2] = ".";
    Trees.run(src, command);

    Path out = tmp.resolve("out");
    ExtractSummary s = Archives.extract(archive, out, ExtractLimits.DEFAULT);

    Map<String, String> expected = Trees.describe(src);
    assertThat(Trees.describe(out)).isEqualTo(expected);
    // GNU tar adds "./", the root, as a member of its own.
    assertThat(s.entries()).isEqualTo(expected.size() + 1);
  }
}
