package dev.halcyon.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Decompression bombs beyond the hand-built corpus: small compressed streams that expand far past a
 * limit, and absurd entry counts. Each is stopped by {@link ExtractLimits} with the limit named,
 * having written at most about the limit, and leaves no target and no temporary directory.
 */
class DecompressionBombTest {
  private static final long MIB = 1L << 20;

  @TempDir Path tmp;

  @Test
  void extract_zstdOfZerosFarPastEntryLimit_stopsNamingMaxEntryBytes() throws IOException {
    // 512 MiB of zeros in one entry compress to a few kilobytes.
    byte[] bomb = zstdTar(t -> zeros(t, "zeros.bin", 512 * MIB));
    assertThat(bomb.length).isLessThan(64 * 1024);

    assertThatThrownBy(
            () ->
                Archives.extract(
                    new ByteArrayInputStream(bomb),
                    Compression.ZSTD,
                    tmp.resolve("target"),
                    new ExtractLimits(10, 1024 * MIB, 8 * MIB)))
        .isInstanceOf(ArchiveLimitException.class)
        .hasMessageContaining(
            "archive entry 'zeros.bin' has more than 8388608 bytes (ExtractLimits.maxEntryBytes)");
    assertThat(Trees.list(tmp)).isEmpty();
  }

  @Test
  void extract_manyZeroFilesPastTotalLimit_stopsNamingMaxContentBytes() throws IOException {
    byte[] bomb =
        zstdTar(
            t -> {
              for (int i = 0; i < 64; i++) {
                zeros(t, "part-" + i, 4 * MIB);
              }
            });

    assertThatThrownBy(
            () ->
                Archives.extract(
                    new ByteArrayInputStream(bomb),
                    Compression.ZSTD,
                    tmp.resolve("target"),
                    new ExtractLimits(1000, 32 * MIB, 8 * MIB)))
        .isInstanceOf(ArchiveLimitException.class)
        .hasMessageContaining(
            "holds more than 33554432 content bytes (ExtractLimits.maxContentBytes)");
    assertThat(Trees.list(tmp)).isEmpty();
  }

  @Test
  void extract_absurdEntryCount_stopsNamingMaxEntries() throws IOException {
    byte[] bomb =
        zstdTar(
            t -> {
              for (int i = 0; i < 20_000; i++) {
                TarArchiveEntry e = new TarArchiveEntry("e" + i);
                e.setSize(0);
                e.setMode(0644);
                t.putArchiveEntry(e);
                t.closeArchiveEntry();
              }
            });

    assertThatThrownBy(
            () ->
                Archives.extract(
                    new ByteArrayInputStream(bomb),
                    Compression.ZSTD,
                    tmp.resolve("target"),
                    new ExtractLimits(10_000, MIB, MIB)))
        .isInstanceOf(ArchiveLimitException.class)
        .hasMessageContaining("has more than 10000 entries (ExtractLimits.maxEntries)");
    assertThat(Trees.list(tmp)).isEmpty();
  }

  @Test
  void extract_headerClaimsPastDefaultLimitWithFewBytes_isRefusedBeforeWritingThem()
      throws IOException {
    // The header claims 17 GiB (above the default 16 GiB per entry); the stream ends long before.
    ByteArrayOutputStream tar = new ByteArrayOutputStream();
    try (TarArchiveOutputStream t = new TarArchiveOutputStream(tar)) {
      t.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
      TarArchiveEntry e = new TarArchiveEntry("liar");
      e.setSize(17L << 30);
      t.putArchiveEntry(e);
      t.write(new byte[4096]);
      t.flush();
      // Not closing the entry: the archive is cut here, as an attacker would send it.
    } catch (IOException expected) {
      // closing complains that the entry is incomplete; the bytes so far are what we send
    }
    byte[] cut = tar.toByteArray();

    assertThatThrownBy(
            () ->
                Archives.extract(
                    new ByteArrayInputStream(cut),
                    Compression.NONE,
                    tmp.resolve("target"),
                    ExtractLimits.DEFAULT))
        .isInstanceOf(IOException.class)
        .satisfies(
            ex -> assertThat(ex.getClass().getPackageName()).isEqualTo("dev.halcyon.archive"))
        .satisfies(
            ex ->
                assertThat(ex.getMessage())
                    .containsAnyOf("ExtractLimits.maxEntryBytes", "truncated"));
    assertThat(Trees.list(tmp)).isEmpty();
  }

  private interface Entries {
    void addTo(TarArchiveOutputStream tar) throws IOException;
  }

  private static byte[] zstdTar(Entries entries) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (OutputStream z = Codecs.compressing(Compression.ZSTD, bytes);
        TarArchiveOutputStream t = new TarArchiveOutputStream(z, "UTF-8")) {
      t.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      t.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
      entries.addTo(t);
    }
    return bytes.toByteArray();
  }

  private static void zeros(TarArchiveOutputStream t, String name, long size) throws IOException {
    TarArchiveEntry e = new TarArchiveEntry(name);
    e.setSize(size);
    e.setMode(0644);
    t.putArchiveEntry(e);
    byte[] chunk = new byte[1 << 20];
    for (long left = size; left > 0; left -= chunk.length) {
      t.write(chunk, 0, (int) Math.min(chunk.length, left));
    }
    t.closeArchiveEntry();
  }
}
