package dev.halcyon.archive;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.ZstdException;
import dev.halcyon.layer.Digest;
import java.util.Arrays;
import java.util.Objects;

/**
 * Turns the compressed bytes of frames fetched by ranged reads into file content, verified against
 * the table of contents. Stateless and thread-safe.
 *
 * <p>For one chunk, {@link #decompress(byte[], TocChunk)}. For several chunks sharing a frame
 * (small files), decompress the frame once with {@link #decompressFrame} and cut each chunk out
 * with {@link #content}.
 */
public final class TocChunks {
  private TocChunks() {}

  /**
   * Decompresses the frame of {@code chunk}, given as all of {@code frame}, and returns the chunk.
   *
   * @param frame the archive's bytes {@code [chunk.offset(), chunk.endOffset())}
   * @param chunk the chunk to extract; its frame holds it alone or with others
   * @return the chunk's content, {@code chunk.size()} bytes whose SHA-256 is {@code chunk.digest()}
   * @throws CorruptArchiveException if the bytes are not one zstd frame holding the chunk, or the
   *     chunk does not hash to its digest
   */
  public static byte[] decompress(byte[] frame, TocChunk chunk) throws CorruptArchiveException {
    checkNotNull(frame, "frame");
    checkNotNull(chunk, "chunk");
    checkArgument(
        frame.length == chunk.length(),
        "frame is %s bytes, but the chunk's frame is %s",
        frame.length,
        chunk.length());
    return content(decompress(frame, 0, chunk.offset(), chunk.length(), -1), chunk);
  }

  /**
   * Decompresses one frame lying in {@code buffer} at {@code offset}: a caller that read a merged
   * range of several frames passes the range and {@code frame.offset() - rangeStart}.
   *
   * @param buffer bytes read from the archive, holding the whole frame
   * @param offset where the frame starts in {@code buffer}
   * @param frame the frame to decompress
   * @return the frame's {@code frame.tarLength()} tar bytes
   * @throws CorruptArchiveException if the bytes there are not one zstd frame of the frame's length
   *     and tar length
   * @throws IndexOutOfBoundsException if the frame does not fit in {@code buffer} at {@code offset}
   */
  public static byte[] decompressFrame(byte[] buffer, int offset, TocFrame frame)
      throws CorruptArchiveException {
    checkNotNull(buffer, "buffer");
    checkNotNull(frame, "frame");
    checkArgument(
        frame.tarLength() <= TocValidator.MAX_FRAME_TAR_BYTES, "frame too large: %s", frame);
    Objects.checkFromIndexSize(offset, frame.length(), buffer.length);
    return decompress(buffer, offset, frame.offset(), frame.length(), frame.tarLength());
  }

  /**
   * Cuts {@code chunk} out of its frame's decompressed bytes and checks its digest.
   *
   * @param frameContent what {@link #decompressFrame} returned for the chunk's frame
   * @param chunk a chunk of that frame
   * @return the chunk's {@code chunk.size()} bytes, whose SHA-256 is {@code chunk.digest()}
   * @throws CorruptArchiveException if the frame is too short for the chunk or the chunk does not
   *     hash to its digest
   */
  public static byte[] content(byte[] frameContent, TocChunk chunk) throws CorruptArchiveException {
    checkNotNull(frameContent, "frameContent");
    checkNotNull(chunk, "chunk");
    if (chunk.innerOffset() > frameContent.length
        || chunk.size() > frameContent.length - chunk.innerOffset()) {
      throw corrupt(
          chunk.offset(),
          "it decompresses to "
              + frameContent.length
              + " bytes, too few for the chunk at ["
              + chunk.innerOffset()
              + ", +"
              + chunk.size()
              + ")");
    }
    int from = (int) chunk.innerOffset();
    byte[] content = Arrays.copyOfRange(frameContent, from, from + (int) chunk.size());
    Digest actual = Digest.sha256(content);
    if (!actual.equals(chunk.digest())) {
      throw corrupt(chunk.offset(), "its chunk has digest " + actual + ", not " + chunk.digest());
    }
    return content;
  }

  /** Decompresses one frame; {@code expected} is its tar length, or -1 to take the frame's. */
  private static byte[] decompress(
      byte[] buffer, int offset, long archiveOffset, long frameLength, long expected)
      throws CorruptArchiveException {
    int length = (int) frameLength;
    try {
      long frameSize = Zstd.findFrameCompressedSize(buffer, offset, length);
      if (frameSize != length) {
        throw corrupt(archiveOffset, "its " + length + " bytes are not exactly one zstd frame");
      }
      long size = Zstd.getFrameContentSize(buffer, offset, length);
      if (size < 0
          || size > TocValidator.MAX_FRAME_TAR_BYTES
          || (expected >= 0 && size != expected)) {
        throw corrupt(
            archiveOffset,
            "its frame header gives a content size of "
                + size
                + (expected >= 0 ? ", not " + expected : ", out of range"));
      }
      byte[] out = new byte[(int) size];
      try (ZstdDecompressCtx z = new ZstdDecompressCtx()) {
        int n = z.decompressByteArray(out, 0, out.length, buffer, offset, length);
        if (n != out.length) {
          throw corrupt(archiveOffset, "it decompresses to " + n + " bytes, not " + size);
        }
      }
      return out;
    } catch (ZstdException e) {
      throw new CorruptArchiveException(
          "archive frame at offset "
              + archiveOffset
              + " is damaged: "
              + e.getMessage()
              + "; fetch it again",
          e);
    }
  }

  private static CorruptArchiveException corrupt(long archiveOffset, String why) {
    return new CorruptArchiveException(
        "archive frame at offset " + archiveOffset + " is damaged: " + why + "; fetch it again",
        null);
  }
}
