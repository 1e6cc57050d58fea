package dev.halcyon.archive;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * One zstd frame of an archive with a table of contents that holds no file content: a member's tar
 * header frame (the padding of the previous member's content, any PAX header, the tar header) or
 * the end frame (the last padding and the two zero records that end a tar).
 *
 * @param offset where the frame starts in the archive (compressed bytes)
 * @param length the frame's compressed length
 * @param tarOffset where its decompressed bytes start in the tar stream
 * @param tarLength how many tar bytes it decompresses to
 */
public record TocFrame(long offset, long length, long tarOffset, long tarLength) {
  public TocFrame {
    checkArgument(offset >= 0, "frame offset must not be negative: %s", offset);
    checkArgument(length > 0, "frame length must be positive: %s", length);
    checkArgument(tarOffset >= 0, "frame tarOffset must not be negative: %s", tarOffset);
    checkArgument(tarLength > 0, "frame tarLength must be positive: %s", tarLength);
  }

  /** The archive offset just past the frame. */
  public long endOffset() {
    return offset + length;
  }
}
