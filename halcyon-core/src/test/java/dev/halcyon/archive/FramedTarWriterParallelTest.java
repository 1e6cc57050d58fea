package dev.halcyon.archive;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.luben.zstd.Zstd;
import dev.halcyon.layer.Digest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorInputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The framed archive's frames are compressed on several threads at once: the bytes must be those
 * one thread writes, frame for frame, whatever the number of threads and however unevenly long the
 * frames take.
 */
class FramedTarWriterParallelTest {
  @TempDir Path tmp;
  private Path tree;

  /**
   * More than {@link FrameCompressor#MAX_IN_FLIGHT_BYTES} of content, so the queue of frames in
   * flight fills and waits: files of several 4 MiB chunks (frames of their own, slow to compress)
   * between many small files (shared frames, quick), so later frames finish before earlier ones.
   */
  @BeforeEach
  void tree() throws IOException {
    tree = tmp.resolve("tree");
    Files.createDirectories(tree.resolve("lib"));
    Random random = new Random(13);
    for (int i = 0; i < 4; i++) {
      Trees.bigFile(tree.resolve("lib/big-" + i + ".jar"), 9L * (1 << 20) + i * 1000, i);
      for (int j = 0; j < 150; j++) {
        byte[] small = new byte[random.nextInt(20_000)];
        random.nextBytes(small);
        Files.write(tree.resolve("lib/small-" + i + "-" + j + ".class"), small);
      }
    }
    assertThat(Trees.describe(tree)).hasSize(605);
  }

  @Test
  void write_manyThreads_givesTheBytesOfOneThread() throws IOException {
    ByteArrayOutputStream one = new ByteArrayOutputStream();
    ArchiveSummary sequential =
        TarWriter.write(tree, one, Compression.ZSTD, ArchiveOrder.VOLATILITY, 1);

    for (int threads : new int[] {2, 4, 8}) {
      ByteArrayOutputStream many = new ByteArrayOutputStream();
      ArchiveSummary parallel =
          TarWriter.write(tree, many, Compression.ZSTD, ArchiveOrder.VOLATILITY, threads);

      assertThat(many.toByteArray()).as("%d threads", threads).isEqualTo(one.toByteArray());
      assertThat(parallel).as("%d threads", threads).isEqualTo(sequential);
    }
    assertThat(sequential.digest()).isEqualTo(Digest.sha256(one.toByteArray()));
    assertThat(sequential.contentBytes())
        .as("more than the raw bytes that may wait at once")
        .isGreaterThan(FrameCompressor.MAX_IN_FLIGHT_BYTES);
  }

  @Test
  void write_manyThreads_framesDecompressToTheTarInOrder() throws IOException {
    ByteArrayOutputStream plain = new ByteArrayOutputStream();
    TarWriter.write(tree, plain, Compression.NONE, ArchiveOrder.VOLATILITY, 1);
    ByteArrayOutputStream framed = new ByteArrayOutputStream();
    TarWriter.write(tree, framed, Compression.ZSTD, ArchiveOrder.VOLATILITY, 4);

    byte[] archive = framed.toByteArray();
    ArchiveToc toc = Tocs.toc(archive);
    assertThat(toc.frames()).hasSizeGreaterThan(20);
    // Each frame alone (as a ranged read takes it) is the tar slice the TOC says it is.
    byte[] tar = plain.toByteArray();
    for (TocFrame f : toc.frames()) {
      byte[] frame = new byte[Math.toIntExact(f.length())];
      System.arraycopy(archive, Math.toIntExact(f.offset()), frame, 0, frame.length);
      byte[] raw = Zstd.decompress(frame, Math.toIntExact(f.tarLength()));
      byte[] expected = new byte[raw.length];
      System.arraycopy(tar, Math.toIntExact(f.tarOffset()), expected, 0, raw.length);
      assertThat(raw).as("frame at %d", f.offset()).isEqualTo(expected);
    }
    try (InputStream all = new ZstdCompressorInputStream(new ByteArrayInputStream(archive))) {
      byte[] whole = all.readAllBytes();
      // The TOC's skippable frame decompresses to nothing: the frames are the tar, in order.
      assertThat(whole).isEqualTo(tar);
    }
  }

  @Test
  void frameCompressor_unevenFrames_handsThemOnInSubmissionOrder() throws IOException {
    Random random = new Random(7);
    List<byte[]> raws = new ArrayList<>();
    List<byte[]> out = new ArrayList<>();
    try (FrameCompressor compressor =
        new FrameCompressor(4, f -> out.add(Zstd.decompress(f.bytes(), f.rawLength())))) {
      for (int i = 0; i < 120; i++) {
        // Every tenth frame is 3 MiB of random bytes; the rest are tiny and done at once.
        byte[] raw = new byte[i % 10 == 0 ? 3 << 20 : 1 + random.nextInt(100)];
        random.nextBytes(raw);
        raws.add(raw);
        compressor.submit(raw);
      }
      compressor.drain();
    }
    assertThat(out).hasSameSizeAs(raws);
    for (int i = 0; i < raws.size(); i++) {
      assertThat(out.get(i)).as("frame %d", i).isEqualTo(raws.get(i));
    }
  }
}
