package dev.halcyon.archive;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.ZstdException;
import dev.halcyon.layer.Digest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The table of contents of a zstd archive written by {@link Archives#write}: every member in
 * archive order with its metadata, content digests and the byte ranges of its zstd frames, so that
 * a reader can fetch and decompress single files by ranged reads. See {@code
 * docs/archive-format.md} for the byte layout.
 *
 * <p>The {@code frames} tile the archive's tar part without gap or overlap, from offset 0 to {@code
 * framesEnd}, where the TOC frame and then the {@link TocFooter} follow; decompressing them in
 * order gives the tar stream, {@code tarSize} bytes. Each entry's chunks name the frame holding
 * them ({@link TocChunk}).
 *
 * <p>Read it with {@link #parse}, which checks the TOC's digest before it reads a byte of it and
 * then every rule of the format. Immutable and thread-safe.
 *
 * @param chunkSize the size of every content chunk but the last of a file
 * @param tarSize the length of the decompressed tar stream
 * @param framesEnd where the tar frames end in the archive: the TOC frame's offset
 * @param frames every zstd frame of the tar part, in archive order
 * @param entries the members in archive order (directories before their contents)
 */
public record ArchiveToc(
    long chunkSize, long tarSize, long framesEnd, List<TocFrame> frames, List<TocEntry> entries) {
  /** The TOC format this version writes and reads. */
  public static final int FORMAT_VERSION = 1;

  /** Files of at least this many bytes get frames of their own; smaller ones share frames. */
  public static final int SMALL_FILE = 64 << 10;

  /** The tar bytes after which a frame shared by small files and headers is ended. */
  public static final int GROUP_SIZE = 256 << 10;

  /** The largest TOC JSON accepted, decompressed (zstd:chunked's reader allows 150 MiB). */
  static final int MAX_JSON_BYTES = 256 << 20;

  /**
   * Checks the sizes and copies the lists; the format's rules are checked by {@link #parse}, not
   * here.
   *
   * @param chunkSize positive
   * @param tarSize positive
   * @param framesEnd positive
   * @param frames in archive order
   * @param entries in archive order
   * @throws IllegalArgumentException if a size is not positive
   */
  public ArchiveToc {
    checkArgument(chunkSize > 0, "chunkSize must be positive: %s", chunkSize);
    checkArgument(tarSize > 0, "tarSize must be positive: %s", tarSize);
    checkArgument(framesEnd > 0, "framesEnd must be positive: %s", framesEnd);
    frames = List.copyOf(frames);
    entries = List.copyOf(entries);
  }

  /**
   * Verifies and parses a table of contents.
   *
   * <p>In this order: {@code tocFrame} must be {@link TocFooter#tocLength()} bytes; its SHA-256
   * must equal {@code expected} (before anything else is read from it) and the footer's digest; it
   * must be one skippable frame holding one zstd frame of at most 256 MiB of UTF-8 JSON; the JSON
   * must be a TOC of format version {@value #FORMAT_VERSION}; and the TOC must pass every rule
   * extraction applies to tar headers (safe canonical paths, no duplicates, parents listed before
   * as directories and never symlinks, no member replacing another, link targets a file system can
   * hold, modes 0755/0644/0777) and the format's own (frames tile {@code [0, footer.tocOffset())}
   * and the tar stream in order, every chunk lies in the frame it names at the tar position its
   * entry implies, chunk sizes add up to the file size, frame lengths within zstd's bound, the
   * {@code limits}).
   *
   * @param tocFrame the archive's bytes {@code [footer.tocOffset(), footer.tocOffset() +
   *     footer.tocLength())}
   * @param footer the archive's footer ({@link TocFooter#parse})
   * @param expected the TOC digest a trusted source recorded (the archive's {@code .manifest}); a
   *     caller without one passes {@code footer.tocDigest()}, which only detects damage
   * @param limits the bounds the TOC's entry count and sizes must keep, as an extraction would
   * @return the table of contents, every rule above checked
   * @throws CorruptArchiveException the digest does not match, or the TOC is malformed or
   *     inconsistent
   * @throws UnsafeArchiveException a path or link that extraction would refuse
   * @throws ArchiveLimitException the TOC exceeds {@code limits}
   */
  public static ArchiveToc parse(
      byte[] tocFrame, TocFooter footer, Digest expected, ExtractLimits limits) throws IOException {
    checkNotNull(tocFrame, "tocFrame");
    checkNotNull(footer, "footer");
    checkNotNull(expected, "expected");
    checkNotNull(limits, "limits");
    if (tocFrame.length != footer.tocLength()) {
      throw corrupt(
          "is "
              + tocFrame.length
              + " bytes, but the footer says "
              + footer.tocLength()
              + "; read exactly the footer's range");
    }
    Digest actual = Digest.sha256(tocFrame);
    if (!actual.equals(expected)) {
      throw corrupt(
          "has digest "
              + actual
              + ", but "
              + expected
              + " was recorded for it; the archive or its manifest was altered or damaged");
    }
    if (!footer.tocDigest().equals(expected)) {
      throw corrupt(
          "is recorded as "
              + expected
              + ", but the archive's footer says "
              + footer.tocDigest()
              + "; the archive does not belong to its manifest");
    }
    String why = SkippableFrames.problem(tocFrame, SkippableFrames.TOC_MAGIC);
    if (why != null) {
      throw corrupt("is not a table-of-contents frame: " + why);
    }
    ArchiveToc toc = TocJson.parse(json(tocFrame));
    TocValidator.validate(toc, footer.tocOffset(), limits);
    return toc;
  }

  /**
   * The frame holding {@code chunk}.
   *
   * @param chunk one of this TOC's chunks
   * @return the frame that starts at the chunk's offset
   * @throws IllegalArgumentException if no frame starts at the chunk's offset
   */
  public TocFrame frameOf(TocChunk chunk) {
    int lo = 0;
    int hi = frames.size() - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      TocFrame f = frames.get(mid);
      if (f.offset() < chunk.offset()) {
        lo = mid + 1;
      } else if (f.offset() > chunk.offset()) {
        hi = mid - 1;
      } else {
        return f;
      }
    }
    throw new IllegalArgumentException("no frame of this archive starts at " + chunk.offset());
  }

  /**
   * The sum of the sizes of the regular files.
   *
   * @return the total content length in bytes of all regular files, before compression
   */
  public long contentBytes() {
    long sum = 0;
    for (TocEntry e : entries) {
      sum += e.size();
    }
    return sum;
  }

  private static String json(byte[] tocFrame) throws CorruptArchiveException {
    int off = SkippableFrames.HEADER_SIZE;
    int len = tocFrame.length - off;
    byte[] json;
    try {
      long frameSize = Zstd.findFrameCompressedSize(tocFrame, off);
      if (frameSize != len) {
        throw corrupt("does not hold exactly one zstd frame");
      }
      long size = Zstd.getFrameContentSize(tocFrame, off, len);
      if (size < 0 || size > MAX_JSON_BYTES) {
        throw corrupt(
            "holds a zstd frame of unknown or too large content size ("
                + size
                + " bytes; at most "
                + MAX_JSON_BYTES
                + ")");
      }
      json = new byte[(int) size];
      try (ZstdDecompressCtx z = new ZstdDecompressCtx()) {
        int n = z.decompressByteArray(json, 0, json.length, tocFrame, off, len);
        if (n != json.length) {
          throw corrupt("decompresses to " + n + " bytes, not the " + size + " its frame says");
        }
      }
    } catch (ZstdException e) {
      throw new CorruptArchiveException(
          "the archive's table of contents is not a valid zstd frame: " + e.getMessage(), e);
    }
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(json))
          .toString();
    } catch (CharacterCodingException e) {
      throw new CorruptArchiveException(
          "the archive's table of contents is not UTF-8 text: " + e.getMessage(), e);
    }
  }

  /** The TOC frame: this TOC as JSON, zstd-compressed, in a skippable frame. */
  byte[] toFrame() {
    byte[] json = TocJson.format(this);
    return SkippableFrames.wrap(SkippableFrames.TOC_MAGIC, FrameCompressor.compressOnce(json));
  }

  private static CorruptArchiveException corrupt(String why) {
    return new CorruptArchiveException("the archive's table of contents " + why, null);
  }
}
