package dev.halcyon.archive;

import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Instant;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipParameters;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorOutputStream;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorInputStream;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorOutputStream;
import org.tukaani.xz.LZMA2Options;

/** The compressor and decompressor streams behind each {@link Compression}, with fixed settings. */
final class Codecs {
  /** Buffer size used on both sides of every codec. */
  static final int BUFFER_SIZE = 256 * 1024;

  static final int ZSTD_LEVEL = 3;

  /**
   * zstd worker threads. zstd's output is identical for every worker count of one or more (but
   * differs from single-threaded mode, zero workers), which ArchivesReproducibilityTest checks; so
   * the count may follow the machine without changing the bytes.
   */
  static final int ZSTD_WORKERS =
      Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));

  static final int GZIP_LEVEL = 6;

  /** xz preset 6, the default of the xz tool: smallest archives here, at about 2 MB/s. */
  static final int XZ_PRESET = 6;

  /** Refuse xz streams that would need more than this much memory to decode (preset 9 needs 65). */
  private static final int XZ_MEMORY_LIMIT_KIB = 256 * 1024;

  private Codecs() {}

  /** A stream that compresses into {@code sink}; closing it finishes the stream and closes sink. */
  static OutputStream compressing(Compression c, OutputStream sink) throws IOException {
    return compressing(c, sink, ZSTD_WORKERS);
  }

  static OutputStream compressing(Compression c, OutputStream sink, int zstdWorkers)
      throws IOException {
    return switch (c) {
      case ZSTD ->
          ZstdCompressorOutputStream.builder()
              .setOutputStream(sink)
              .setLevel(ZSTD_LEVEL)
              .setWorkers(zstdWorkers)
              .setChecksum(true)
              .get();
      case GZIP -> {
        GzipParameters p = new GzipParameters();
        p.setCompressionLevel(GZIP_LEVEL);
        // A fixed header: no file name, no time stamp, "unknown" OS, so the bytes do not depend on
        // when or where they were written.
        p.setModificationInstant(Instant.EPOCH);
        p.setOS(GzipParameters.OS.UNKNOWN);
        p.setBufferSize(64 * 1024);
        yield new GzipCompressorOutputStream(sink, p);
      }
      case XZ ->
          XZCompressorOutputStream.builder()
              .setOutputStream(sink)
              .setLzma2Options(new LZMA2Options(XZ_PRESET))
              .get();
      case NONE -> sink;
    };
  }

  /** A stream that decompresses {@code source}; closing it closes source. */
  static InputStream decompressing(Compression c, InputStream source) throws IOException {
    return switch (c) {
      case ZSTD -> new ZstdCompressorInputStream(source);
      // Concatenated members are valid gzip (pigz and `cat a.gz b.gz` write them).
      case GZIP ->
          GzipCompressorInputStream.builder()
              .setInputStream(source)
              .setDecompressConcatenated(true)
              .get();
      case XZ ->
          XZCompressorInputStream.builder()
              .setInputStream(source)
              .setDecompressConcatenated(true)
              .setMemoryLimitKiB(XZ_MEMORY_LIMIT_KIB)
              .get();
      case NONE -> source;
    };
  }

  /**
   * Shields a caller's stream from close(): we finish our codecs but the caller owns its stream.
   */
  static OutputStream nonClosing(OutputStream out) {
    return new FilterOutputStream(out) {
      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
      }

      @Override
      public void close() throws IOException {
        flush();
      }
    };
  }

  /** Shields a caller's stream from close(). */
  static InputStream nonClosing(InputStream in) {
    return new FilterInputStream(in) {
      @Override
      public void close() {}
    };
  }
}
