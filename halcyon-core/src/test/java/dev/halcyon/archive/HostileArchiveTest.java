package dev.halcyon.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A corpus of hostile and broken archives, built entry by entry. Each must be refused with a
 * message naming the entry and the rule, leave the existing target exactly as it was, write nothing
 * outside it (a directory beside it, {@code outside}, that absolute symlinks point into, is
 * compared after each), and leave no temporary directory behind.
 *
 * <p>Symlinks themselves may point anywhere and are restored as they are (libarchive's and GNU
 * tar's rule); the first tests show that, the rest that nothing is ever written through one.
 */
class HostileArchiveTest {
  @TempDir Path tmp;
  private Path work;
  private Path target;
  private Map<String, String> before;
  private Path outside;
  private Map<String, String> outsideBefore;

  /** Adds entries to a tar being built. */
  private interface Entries {
    void addTo(TarArchiveOutputStream tar) throws IOException;
  }

  @BeforeEach
  void existingTarget() throws IOException {
    work = tmp.resolve("work");
    target = work.resolve("target");
    Files.createDirectories(target.resolve("sub"));
    Trees.write(target.resolve("sub/keep.txt"), "precious");
    before = Trees.describe(target);
    outside = tmp.resolve("outside");
    Files.createDirectories(outside.resolve("d"));
    Trees.write(outside.resolve("secret.txt"), "secret");
    outsideBefore = Trees.describe(outside);
  }

  @AfterEach
  void removeLinksLeavingTheTemporaryDirectory() throws IOException {
    Trees.deleteSymlinks(tmp); // else JUnit warns about links to /etc when it deletes @TempDir
  }

  // ---- links that are kept: a symlink may point anywhere

  @Test
  void symlinksPointingAnywhere_areRestoredAsTheyAre() throws IOException {
    byte[] z =
        zstd(
            tar(
                t -> {
                  symlink(t, "etc", "/etc");
                  symlink(t, "out", outside.toString());
                  dir(t, "sub/");
                  symlink(t, "sub/up", "../../outside/secret.txt");
                  dir(t, "a/b/");
                  symlink(t, "a/b/s", "../..");
                  symlink(t, "t", "a/b/s/../.."); // a chain that leaves the tree
                  symlink(t, "gone", "not/there"); // dangling
                  file(t, "f", "x", 0644);
                }));

    Archives.extract(new ByteArrayInputStream(z), Compression.ZSTD, target, ExtractLimits.DEFAULT);

    assertThat(Trees.describe(target))
        .containsEntry("etc", "link -> /etc")
        .containsEntry("out", "link -> " + outside)
        .containsEntry("sub/up", "link -> ../../outside/secret.txt")
        .containsEntry("t", "link -> a/b/s/../..")
        .containsEntry("gone", "link -> not/there")
        .doesNotContainKey("sub/keep.txt"); // the old tree was replaced
    assertThat(Trees.describe(outside)).isEqualTo(outsideBefore);
    assertThat(Trees.list(work)).containsExactly("target");
  }

  // ---- nothing is written through a link

  @Test
  void dotDotName_isRefused() throws IOException {
    assertRefused(
        tar(t -> file(t, "../evil", "x", 0644)),
        UnsafeArchiveException.class,
        "archive entry '../evil' has a '..' component and could escape the target directory;"
            + " refusing to extract");
    assertThat(work.resolve("evil")).doesNotExist();
  }

  @Test
  void dotDotInsideName_isRefused() throws IOException {
    assertRefused(
        tar(
            t -> {
              dir(t, "a/");
              file(t, "a/../../evil", "x", 0644);
            }),
        UnsafeArchiveException.class,
        "archive entry 'a/../../evil' has a '..' component");
    assertThat(work.resolve("evil")).doesNotExist();
  }

  @Test
  void absoluteName_isRefused() throws IOException {
    Path abs = tmp.resolve("abs-evil");
    assertRefused(
        tar(t -> file(t, abs.toString(), "x", 0644)),
        UnsafeArchiveException.class,
        "archive entry '" + abs + "' is an absolute path; refusing to extract");
    assertThat(abs).doesNotExist();
  }

  @Test
  void fileThroughALinkToEtc_isRefused() throws IOException {
    assertRefused(
        tar(
            t -> {
              symlink(t, "etc", "/etc");
              file(t, "etc/passwd", "root::0:0::/:/bin/sh\n", 0644);
            }),
        UnsafeArchiveException.class,
        "archive entry 'etc/passwd' would be written through the symlink 'etc'; refusing to"
            + " extract");
  }

  @Test
  void fileOrDirectoryThroughAnAbsoluteLink_isRefusedAndNothingLandsOutside() throws IOException {
    assertRefused(
        tar(
            t -> {
              symlink(t, "out", outside.toString());
              file(t, "out/payload", "x", 0644);
            }),
        UnsafeArchiveException.class,
        "archive entry 'out/payload' would be written through the symlink 'out'");
    assertRefused(
        tar(
            t -> {
              symlink(t, "out", outside.toString());
              dir(t, "./out//d/new/");
            }),
        UnsafeArchiveException.class,
        "archive entry './out//d/new/' would be written through the symlink 'out'");
  }

  @Test
  void linkChainLeavingTheTree_isNotWrittenThrough() throws IOException {
    // a -> b -> outside: the member names the first link of the chain.
    assertRefused(
        tar(
            t -> {
              symlink(t, "b", outside.toString());
              symlink(t, "a", "b");
              file(t, "a/payload", "x", 0644);
            }),
        UnsafeArchiveException.class,
        "archive entry 'a/payload' would be written through the symlink 'a'");
    // A relative link that climbs out, then a nested member below it.
    assertRefused(
        tar(
            t -> {
              dir(t, "sub/");
              symlink(t, "sub/up", "../../outside");
              dir(t, "sub/up/d/");
              file(t, "sub/up/d/payload", "x", 0644);
            }),
        UnsafeArchiveException.class,
        "archive entry 'sub/up/d/' would be written through the symlink 'sub/up'");
  }

  @Test
  void directoryReplacedBySymlinkMidArchive_isRefused() throws IOException {
    // The classic: a directory, then a symlink of its name, then a member "into" the directory.
    assertRefused(
        tar(
            t -> {
              dir(t, "d/");
              file(t, "d/ok", "x", 0644);
              symlink(t, "d", outside.toString());
              file(t, "d/payload", "x", 0644);
            }),
        UnsafeArchiveException.class,
        "archive entry 'd' would replace a directory of the same name earlier in the archive;"
            + " refusing to extract");
  }

  @Test
  void symlinkReplacedByFileOrDirectoryMidArchive_isRefused() throws IOException {
    assertRefused(
        tar(
            t -> {
              symlink(t, "x", outside.resolve("secret.txt").toString());
              file(t, "x", "replaced", 0644);
            }),
        UnsafeArchiveException.class,
        "archive entry 'x' would replace a symlink of the same name earlier in the archive;"
            + " refusing to extract");
    assertRefused(
        tar(
            t -> {
              symlink(t, "x", outside.toString());
              dir(t, "x/");
            }),
        UnsafeArchiveException.class,
        "archive entry 'x/' would replace a symlink of the same name earlier in the archive");
    assertRefused(
        tar(
            t -> {
              file(t, "x", "a file", 0644);
              symlink(t, "x", outside.toString());
            }),
        UnsafeArchiveException.class,
        "archive entry 'x' appears more than once in the archive");
  }

  @Test
  void hardLinkToOrThroughASymlink_isRefused() throws IOException {
    assertRefused(
        tar(
            t -> {
              symlink(t, "s", outside.resolve("secret.txt").toString());
              hardlink(t, "h", "s");
            }),
        UnsafeArchiveException.class,
        "archive entry 'h' is a hard link to the symlink 's'; only regular files earlier in the"
            + " archive may be hard-linked; refusing to extract");
    assertRefused(
        tar(
            t -> {
              symlink(t, "etc", "/etc");
              hardlink(t, "h", "etc/passwd");
            }),
        UnsafeArchiveException.class,
        "archive entry 'h' is a hard link to 'etc/passwd', which lies through the symlink 'etc';"
            + " refusing to extract");
  }

  @Test
  void symlinkWithAnUnusableTarget_isRefused() throws IOException {
    assertRefused(
        tar(t -> symlink(t, "long", "x/".repeat(2048))),
        UnsafeArchiveException.class,
        "archive entry 'long' is a symlink that has a link target longer than 4095 bytes");
  }

  @Test
  void writeThroughSymlink_isRefused() throws IOException {
    assertRefused(
        tar(
            t -> {
              dir(t, "d/");
              symlink(t, "link", "d");
              file(t, "link/payload", "x", 0644);
            }),
        UnsafeArchiveException.class,
        "archive entry 'link/payload' would be written through the symlink 'link'; refusing to"
            + " extract");
  }

  @Test
  void memberBelowAFile_isRefused() throws IOException {
    assertRefused(
        tar(
            t -> {
              file(t, "f", "x", 0644);
              file(t, "f/x", "x", 0644);
            }),
        UnsafeArchiveException.class,
        "archive entry 'f/x' lies below 'f', which is not a directory; refusing to extract");
  }

  @Test
  void hardLinkOutside_isRefused() throws IOException {
    assertRefused(
        tar(t -> hardlink(t, "passwd", "../../../etc/passwd")),
        UnsafeArchiveException.class,
        "archive entry 'passwd' is a hard link to '../../../etc/passwd', which has a '..'"
            + " component");
  }

  @Test
  void hardLinkToAbsolutePath_isRefused() throws IOException {
    assertRefused(
        tar(t -> hardlink(t, "passwd", "/etc/passwd")),
        UnsafeArchiveException.class,
        "archive entry 'passwd' is a hard link to '/etc/passwd', which is an absolute path");
  }

  @Test
  void hardLinkToMissingOrSymlink_isRefused() throws IOException {
    assertRefused(
        tar(t -> hardlink(t, "h", "not-there")),
        UnsafeArchiveException.class,
        "archive entry 'h' is a hard link to 'not-there', which is not a regular file earlier in"
            + " the archive; refusing to extract");
    assertRefused(
        tar(
            t -> {
              symlink(t, "s", "x");
              hardlink(t, "h", "s");
            }),
        UnsafeArchiveException.class,
        "archive entry 'h' is a hard link to the symlink 's'");
  }

  @Test
  void deviceFilesAndFifos_areRefused() throws IOException {
    assertRefused(
        tar(t -> special(t, "null", TarConstants.LF_CHR)),
        UnsafeArchiveException.class,
        "archive entry 'null' is a device file; refusing to extract");
    assertRefused(
        tar(t -> special(t, "sda", TarConstants.LF_BLK)),
        UnsafeArchiveException.class,
        "archive entry 'sda' is a device file; refusing to extract");
    assertRefused(
        tar(t -> special(t, "pipe", TarConstants.LF_FIFO)),
        UnsafeArchiveException.class,
        "archive entry 'pipe' is a FIFO; refusing to extract");
  }

  @Test
  void setuidAndSetgid_areRefused() throws IOException {
    assertRefused(
        tar(t -> file(t, "su", "x", 04755)),
        UnsafeArchiveException.class,
        "archive entry 'su' has the setuid or setgid bit (mode 104755); refusing to extract");
    assertRefused(
        tar(
            t -> {
              TarArchiveEntry d = new TarArchiveEntry("shared/", true);
              d.setMode(042775);
              t.putArchiveEntry(d);
              t.closeArchiveEntry();
            }),
        UnsafeArchiveException.class,
        "archive entry 'shared/' has the setuid or setgid bit (mode 42775)");
  }

  @Test
  void duplicateFile_isRefused() throws IOException {
    assertRefused(
        tar(
            t -> {
              file(t, "a", "1", 0644);
              file(t, "./a", "2", 0644);
            }),
        UnsafeArchiveException.class,
        "archive entry './a' appears more than once in the archive; refusing to extract");
  }

  @Test
  void tooManyEntries_isRefused() throws IOException {
    byte[] archive =
        tar(
            t -> {
              for (int i = 0; i < 5; i++) {
                file(t, "f" + i, "x", 0644);
              }
            });
    assertRefused(
        archive,
        new ExtractLimits(4, 1000, 1000),
        ArchiveLimitException.class,
        "archive (zstd stream) has more than 4 entries (ExtractLimits.maxEntries); refusing to"
            + " extract");
  }

  @Test
  void tooManyContentBytes_isRefused() throws IOException {
    byte[] archive =
        tar(
            t -> {
              for (int i = 0; i < 3; i++) {
                file(t, "f" + i, "x".repeat(40), 0644);
              }
            });
    assertRefused(
        archive,
        new ExtractLimits(100, 100, 1000),
        ArchiveLimitException.class,
        "archive (zstd stream) holds more than 100 content bytes (ExtractLimits.maxContentBytes);"
            + " refusing to extract");
  }

  @Test
  void tooLargeEntry_isRefused() throws IOException {
    assertRefused(
        tar(t -> file(t, "big", "x".repeat(11), 0644)),
        new ExtractLimits(100, 1000, 10),
        ArchiveLimitException.class,
        "archive entry 'big' has more than 10 bytes (ExtractLimits.maxEntryBytes); refusing to"
            + " extract");
  }

  @Test
  void corruptStream_isRefused() throws IOException {
    byte[] z = zstd(validTar());
    z[z.length / 2] ^= 0x5a;
    z[z.length / 2 + 1] ^= 0x5a;
    assertRefusedCompressed(
        z,
        Compression.ZSTD,
        CorruptArchiveException.class,
        "cannot read archive (zstd stream): it is corrupt, truncated or not in the expected"
            + " format");
  }

  @Test
  void truncatedStream_isRefused() throws IOException {
    byte[] z = zstd(validTar());
    assertRefusedCompressed(
        Arrays.copyOf(z, z.length - 20),
        Compression.ZSTD,
        CorruptArchiveException.class,
        "cannot read archive (zstd stream): it is corrupt, truncated or not in the expected"
            + " format");
  }

  @Test
  void truncatedGzip_isRefused() throws IOException {
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (OutputStream out = Codecs.compressing(Compression.GZIP, gz)) {
      out.write(validTar());
    }
    byte[] bytes = gz.toByteArray();
    assertRefusedCompressed(
        Arrays.copyOf(bytes, bytes.length / 2),
        Compression.GZIP,
        CorruptArchiveException.class,
        "cannot read archive (gzip stream): it is corrupt, truncated or not in the expected"
            + " format");
  }

  @Test
  void truncatedUncompressedTar_isRefused() throws IOException {
    byte[] tar = validTar();
    // Cut inside the data of the tenth member.
    assertRefusedCompressed(
        Arrays.copyOf(tar, 10 * (512 + 20_480) + 512 + 7_000),
        Compression.NONE,
        CorruptArchiveException.class,
        "archive (none stream)");
  }

  @Test
  void notGzipAtAll_isRefused() throws IOException {
    assertRefusedCompressed(
        "plain text".getBytes(StandardCharsets.UTF_8),
        Compression.GZIP,
        CorruptArchiveException.class,
        "cannot read archive (gzip stream): it is not a valid gzip stream");
  }

  @Test
  void hostileEntryAfterGoodOnes_leavesNoPartialTree() throws IOException {
    assertRefused(
        tar(
            t -> {
              dir(t, "good/");
              file(t, "good/a", "a".repeat(10_000), 0755);
              symlink(t, "good/l", "a");
              file(t, "../evil", "x", 0644);
            }),
        UnsafeArchiveException.class,
        "archive entry '../evil' has a '..' component");
  }

  /** A valid tar big enough to span several zstd blocks. */
  private static byte[] validTar() throws IOException {
    java.util.Random random = new java.util.Random(1);
    return tar(
        t -> {
          for (int i = 0; i < 20; i++) {
            byte[] content = new byte[20_000];
            random.nextBytes(content);
            TarArchiveEntry e = new TarArchiveEntry("f" + i, true);
            e.setSize(content.length);
            t.putArchiveEntry(e);
            t.write(content);
            t.closeArchiveEntry();
          }
        });
  }

  private void assertRefused(byte[] tar, Class<? extends Exception> type, String message)
      throws IOException {
    assertRefused(tar, ExtractLimits.DEFAULT, type, message);
  }

  private void assertRefused(
      byte[] tar, ExtractLimits limits, Class<? extends Exception> type, String message)
      throws IOException {
    byte[] z = zstd(tar);
    assertThatThrownBy(
            () -> Archives.extract(new ByteArrayInputStream(z), Compression.ZSTD, target, limits))
        .isInstanceOf(type)
        .hasMessageContaining(message);
    assertUntouched();
  }

  private void assertRefusedCompressed(
      byte[] compressed, Compression c, Class<? extends Exception> type, String message)
      throws IOException {
    assertThatThrownBy(
            () ->
                Archives.extract(
                    new ByteArrayInputStream(compressed), c, target, ExtractLimits.DEFAULT))
        .isInstanceOf(type)
        .hasMessageContaining(message);
    assertUntouched();
  }

  private void assertUntouched() throws IOException {
    assertThat(Trees.describe(target)).isEqualTo(before);
    assertThat(Trees.list(work)).containsExactly("target");
    assertThat(Trees.list(tmp)).containsExactly("outside", "work");
    assertThat(Trees.describe(outside)).isEqualTo(outsideBefore);
  }

  private static byte[] tar(Entries entries) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (TarArchiveOutputStream t = new TarArchiveOutputStream(bytes, "UTF-8")) {
      t.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      entries.addTo(t);
    }
    return bytes.toByteArray();
  }

  private static byte[] zstd(byte[] tar) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (OutputStream out = Codecs.compressing(Compression.ZSTD, bytes)) {
      out.write(tar);
    }
    return bytes.toByteArray();
  }

  private static void file(TarArchiveOutputStream t, String name, String content, int mode)
      throws IOException {
    byte[] b = content.getBytes(StandardCharsets.UTF_8);
    TarArchiveEntry e = new TarArchiveEntry(name, true);
    e.setMode(0100000 | mode);
    e.setSize(b.length);
    t.putArchiveEntry(e);
    t.write(b);
    t.closeArchiveEntry();
  }

  private static void dir(TarArchiveOutputStream t, String name) throws IOException {
    t.putArchiveEntry(new TarArchiveEntry(name, true));
    t.closeArchiveEntry();
  }

  private static void symlink(TarArchiveOutputStream t, String name, String target)
      throws IOException {
    TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_SYMLINK, true);
    e.setLinkName(target);
    t.putArchiveEntry(e);
    t.closeArchiveEntry();
  }

  private static void hardlink(TarArchiveOutputStream t, String name, String target)
      throws IOException {
    TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_LINK, true);
    e.setLinkName(target);
    t.putArchiveEntry(e);
    t.closeArchiveEntry();
  }

  private static void special(TarArchiveOutputStream t, String name, byte type) throws IOException {
    TarArchiveEntry e = new TarArchiveEntry(name, type, true);
    e.setDevMajor(1);
    e.setDevMinor(3);
    t.putArchiveEntry(e);
    t.closeArchiveEntry();
  }
}
