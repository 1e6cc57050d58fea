package dev.halcyon.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ArchivesTest {
  @TempDir Path tmp;

  @ParameterizedTest
  @EnumSource(Compression.class)
  void write_thenExtract_restoresTheSameTree(Compression c) throws IOException {
    Path src = tmp.resolve("src");
    Trees.sample(src);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    ArchiveSummary written = Archives.write(src, bytes, c);
    ExtractSummary read =
        Archives.extract(
            new ByteArrayInputStream(bytes.toByteArray()),
            c,
            tmp.resolve("out"),
            ExtractLimits.DEFAULT);

    Map<String, String> expected = Trees.describe(src);
    assertThat(Trees.describe(tmp.resolve("out"))).isEqualTo(expected);
    assertThat(written.size()).isEqualTo(bytes.size());
    assertThat(written.digest()).isEqualTo(dev.halcyon.layer.Digest.sha256(bytes.toByteArray()));
    assertThat(written.entries()).isEqualTo(expected.size()).isEqualTo(read.entries());
    assertThat(written.contentBytes())
        .isEqualTo(read.contentBytes())
        .isEqualTo(18 + 5000 + 19 + 1 + 7 + 4);
  }

  @Test
  void extract_restoresNormalisedModes() throws IOException {
    Path src = tmp.resolve("src");
    Trees.sample(src);
    Trees.chmod(src.resolve("lib"), "rwx------");
    Trees.chmod(src.resolve("empty-file"), "r--------");
    Path archive = tmp.resolve("a.tar.zst");
    Archives.write(src, archive, Compression.ZSTD);

    Path out = tmp.resolve("out");
    Archives.extract(archive, out, ExtractLimits.DEFAULT);

    assertThat(mode(out.resolve("lib"))).isEqualTo("rwxr-xr-x");
    assertThat(mode(out.resolve("bin/app"))).isEqualTo("rwxr-xr-x");
    assertThat(mode(out.resolve("empty-file"))).isEqualTo("rw-r--r--");
    assertThat(mode(out)).isEqualTo("rwxr-xr-x");
    assertThat(Files.readSymbolicLink(out.resolve("lib-link"))).isEqualTo(Path.of("lib/deep"));
  }

  @Test
  void extract_existingTarget_isReplacedWholly() throws IOException {
    Path src = tmp.resolve("src");
    Trees.sample(src);
    Path archive = tmp.resolve("a.tar.gz");
    Archives.write(src, archive, Compression.GZIP);
    Path out = tmp.resolve("out");
    Files.createDirectories(out.resolve("old/sub"));
    Trees.write(out.resolve("old/sub/stale"), "stale");

    Archives.extract(archive, out, ExtractLimits.DEFAULT);

    assertThat(Trees.describe(out)).isEqualTo(Trees.describe(src));
    assertThat(Trees.list(tmp)).containsExactly("a.tar.gz", "out", "src");
  }

  @Test
  void writeToFile_leavesOnlyTheArchive() throws IOException {
    Path src = tmp.resolve("src");
    Trees.sample(src);
    Path archive = tmp.resolve("cache/x/a.tar.xz");

    ArchiveSummary s = Archives.write(src, archive, Compression.XZ);

    assertThat(Trees.list(archive.getParent())).containsExactly("a.tar.xz");
    assertThat(Files.size(archive)).isEqualTo(s.size());
    assertThat(Trees.sha256(archive)).isEqualTo(s.digest().hex());
    assertThat(mode(archive)).isEqualTo("rw-r--r--");
  }

  @Test
  void writeToFile_failure_keepsTheOldArchiveAndLeavesNoTemporaryFile() throws Exception {
    Path src = tmp.resolve("src");
    Files.createDirectories(src);
    Trees.run(src, "mkfifo", "pipe");
    Path cache = Files.createDirectories(tmp.resolve("cache"));
    Trees.write(cache.resolve("a.tar.zst"), "old archive");

    assertThatThrownBy(() -> Archives.write(src, cache.resolve("a.tar.zst"), Compression.ZSTD))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("it is a device, FIFO or socket");
    assertThat(Trees.list(cache)).containsExactly("a.tar.zst");
    assertThat(Files.readString(cache.resolve("a.tar.zst"))).isEqualTo("old archive");
  }

  @Test
  void extract_targetIsASymlink_failsAndKeepsIt() throws IOException {
    Path src = tmp.resolve("src");
    Trees.sample(src);
    Path archive = tmp.resolve("a.tar.zst");
    Archives.write(src, archive, Compression.ZSTD);
    Files.createSymbolicLink(tmp.resolve("out"), Path.of("src"));

    assertThatThrownBy(() -> Archives.extract(archive, tmp.resolve("out"), ExtractLimits.DEFAULT))
        .isInstanceOf(IOException.class)
        .hasMessage(
            "cannot extract into '"
                + tmp.resolve("out")
                + "': it exists and is not a"
                + " directory (a file or a symlink); remove it or choose another target");
    assertThat(Files.readSymbolicLink(tmp.resolve("out"))).isEqualTo(Path.of("src"));
    assertThat(Trees.list(tmp)).containsExactly("a.tar.zst", "out", "src");
  }

  @Test
  void writeToFile_extensionOfAnotherCodec_isRejected() {
    assertThatThrownBy(() -> Archives.write(tmp, tmp.resolve("a.tar.gz"), Compression.ZSTD))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("archive file name 'a.tar.gz' must end in '.tar.zst' for zstd compression");
  }

  @Test
  void extractFile_unknownExtension_isRejected() {
    assertThatThrownBy(
            () -> Archives.extract(tmp.resolve("a.zip"), tmp.resolve("out"), ExtractLimits.DEFAULT))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("a.zip")
        .hasMessageContaining("must end in .tar.zst, .tar.gz, .tar.xz or .tar");
  }

  @Test
  void write_largeFile_roundTripsStreamed() throws IOException {
    Path src = tmp.resolve("src");
    Files.createDirectories(src);
    Trees.bigFile(src.resolve("big.bin"), 50L << 20, 42);
    Path archive = tmp.resolve("big.tar.zst");

    ArchiveSummary s = Archives.write(src, archive, Compression.ZSTD);
    ExtractSummary e = Archives.extract(archive, tmp.resolve("out"), ExtractLimits.DEFAULT);

    assertThat(s.contentBytes()).isEqualTo(50L << 20).isEqualTo(e.contentBytes());
    assertThat(Trees.sha256(tmp.resolve("out/big.bin")))
        .isEqualTo(Trees.sha256(src.resolve("big.bin")));
  }

  @Test
  void write_hardLinkedFiles_areStoredAsTwoFiles() throws IOException {
    Path src = tmp.resolve("src");
    Files.createDirectories(src);
    Trees.write(src.resolve("a"), "shared");
    Files.createLink(src.resolve("b"), src.resolve("a"));
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    ArchiveSummary s = Archives.write(src, bytes, Compression.NONE);
    Archives.extract(
        new ByteArrayInputStream(bytes.toByteArray()),
        Compression.NONE,
        tmp.resolve("out"),
        ExtractLimits.DEFAULT);

    assertThat(s.contentBytes()).isEqualTo(12);
    assertThat(Files.readString(tmp.resolve("out/b"))).isEqualTo("shared");
  }

  @Test
  void write_fifoInTree_failsNamingIt() throws Exception {
    Path src = tmp.resolve("src");
    Files.createDirectories(src);
    Trees.run(src, "mkfifo", "pipe");

    assertThatThrownBy(() -> Archives.write(src, new ByteArrayOutputStream(), Compression.ZSTD))
        .isInstanceOf(IOException.class)
        .hasMessage(
            "cannot archive '"
                + src.resolve("pipe")
                + "': it is a device, FIFO or socket, and only files, directories and symlinks can"
                + " be archived; remove it from the tree");
  }

  @ParameterizedTest
  @EnumSource(Compression.class)
  void write_symlinksPointingAnywhere_areArchivedAndRestoredAsTheyAre(Compression c)
      throws IOException {
    // What an install hook's `ln -s /usr/bin/env "$1/bin/env-link"` leaves, and its relatives.
    Path src = tmp.resolve("src");
    Files.createDirectories(src.resolve("a/b"));
    Files.createDirectories(src.resolve("bin"));
    Files.createSymbolicLink(src.resolve("bin/env-link"), Path.of("/usr/bin/env"));
    Files.createSymbolicLink(src.resolve("etc"), Path.of("/etc"));
    Files.createSymbolicLink(src.resolve("up"), Path.of("../../outside"));
    Files.createSymbolicLink(src.resolve("a/b/s"), Path.of("../.."));
    Files.createSymbolicLink(src.resolve("t"), Path.of("a/b/s/../..")); // leaves through a/b/s
    Files.createSymbolicLink(src.resolve("gone"), Path.of("/no/such/file"));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Archives.write(src, out, c);

    Path dst = tmp.resolve("dst");
    Archives.extract(new ByteArrayInputStream(out.toByteArray()), c, dst, ExtractLimits.DEFAULT);

    assertThat(Trees.describe(dst)).isEqualTo(Trees.describe(src));
    assertThat(Trees.describe(dst)).containsEntry("etc", "link -> /etc");
    Trees.deleteSymlinks(tmp); // else JUnit warns about the links to /etc when it deletes tmp
  }

  @Test
  void write_missingSource_fails() {
    assertThatThrownBy(
            () ->
                Archives.write(tmp.resolve("nope"), new ByteArrayOutputStream(), Compression.ZSTD))
        .isInstanceOf(IOException.class)
        .hasMessage("cannot archive '" + tmp.resolve("nope") + "': it is not a directory");
  }

  @Test
  void extract_targetIsAFile_failsAndKeepsIt() throws IOException {
    Path src = tmp.resolve("src");
    Trees.sample(src);
    Path archive = tmp.resolve("a.tar.zst");
    Archives.write(src, archive, Compression.ZSTD);
    Trees.write(tmp.resolve("out"), "a file");

    assertThatThrownBy(() -> Archives.extract(archive, tmp.resolve("out"), ExtractLimits.DEFAULT))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("it exists and is not a directory");
    assertThat(Files.readString(tmp.resolve("out"))).isEqualTo("a file");
    assertThat(Trees.list(tmp)).containsExactly("a.tar.zst", "out", "src");
  }

  private static String mode(Path p) throws IOException {
    return PosixFilePermissions.toString(
        Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
  }
}
