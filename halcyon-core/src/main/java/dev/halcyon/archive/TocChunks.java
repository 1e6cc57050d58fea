package dev.halcyon.archive;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.ZstdException;
import dev.halcyon.layer.Digest;
import java.util.Objects;

/**
 * Turns the compressed bytes of one {@link TocChunk}'s frame, fetched by a ranged read, into the
 * chunk's content, verified against the chunk's digest. Stateless and thread-safe.
 */
public final class TocChunks {
  private TocChunks() {}

  /**
   * Decompresses a chunk whose frame is all of {@code frame}.
   *
   * @param frame the archive's bytes {@code [chunk.offset(), chunk.endOffset())}
   * @return the chunk's content, {@code chunk.size()} bytes whose SHA-256 is {@code chunk.digest()}
   * @throws CorruptArchiveException if the bytes are not one zstd frame of the chunk's size or do
   *     not hash to its digest
   */
  public static byte[] decompress(byte[] frame, TocChunk chunk) throws CorruptArchiveException {
    checkNotNull(frame, "frame");
    checkArgument(
        frame.length == chunk.length(),
        "frame is %s bytes, but the chunk's frame is %s",
        frame.length,
        chunk.length());
    return decompress(frame, 0, chunk);
  }

  /**
   * Decompresses a chunk whose frame lies in {@code buffer} at {@code offset}: a caller that read a
   * merged range of several frames passes the range and {@code chunk.offset() - rangeStart}.
   *
   * @throws CorruptArchiveException if the bytes there are not one zstd frame of the chunk's length
   *     and size or do not hash to its digest
   * @throws IndexOutOfBoundsException if the chunk's frame does not fit in {@code buffer} at {@code
   *     offset}
   */
  public static byte[] decompress(byte[] buffer, int offset, TocChunk chunk)
      throws CorruptArchiveException {
    checkNotNull(buffer, "buffer");
    checkNotNull(chunk, "chunk");
    checkArgument(chunk.size() <= TocValidator.MAX_CHUNK_SIZE, "chunk too large: %s", chunk);
    Objects.checkFromIndexSize(offset, chunk.length(), buffer.length);
    int length = (int) chunk.length();
    byte[] content = new byte[(int) chunk.size()];
    try {
      long frameSize = Zstd.findFrameCompressedSize(buffer, offset, length);
      if (frameSize != length) {
        throw corrupt(chunk, "its " + length + " bytes are not exactly one zstd frame");
      }
      try (ZstdDecompressCtx z = new ZstdDecompressCtx()) {
        int n = z.decompressByteArray(content, 0, content.length, buffer, offset, length);
        if (n != content.length) {
          throw corrupt(chunk, "it decompresses to " + n + " bytes, not " + chunk.size());
        }
      }
    } catch (ZstdException e) {
      throw new CorruptArchiveException(
          "archive chunk at offset "
              + chunk.offset()
              + " is damaged: "
              + e.getMessage()
              + "; fetch it again",
          e);
    }
    Digest actual = Digest.sha256(content);
    if (!actual.equals(chunk.digest())) {
      throw corrupt(chunk, "its content has digest " + actual + ", not " + chunk.digest());
    }
    return content;
  }

  private static CorruptArchiveException corrupt(TocChunk chunk, String why) {
    return new CorruptArchiveException(
        "archive chunk at offset " + chunk.offset() + " is damaged: " + why + "; fetch it again",
        null);
  }
}
