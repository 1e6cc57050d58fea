package dev.halcyon.archive;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * One zstd frame of an archive with a table of contents. The frames of an archive follow each other
 * without gap or overlap, and so do the tar bytes they decompress to. A frame holds either one
 * content chunk of a large file alone, or a run of tar headers, padding and the content of small
 * files; the last one holds the tar's end-of-archive records.
 *
 * @param offset where the frame starts in the archive (compressed bytes)
 * @param length the frame's compressed length; {@code [offset, offset + length)} is the ranged read
 *     that fetches it
 * @param tarOffset where its decompressed bytes start in the tar stream
 * @param tarLength how many tar bytes it decompresses to
 */
public record TocFrame(long offset, long length, long tarOffset, long tarLength) {
  /**
   * Checks the offsets and lengths.
   *
   * @param offset not negative
   * @param length positive
   * @param tarOffset not negative
   * @param tarLength positive
   * @throws IllegalArgumentException if an offset is negative or a length is not positive
   */
  public TocFrame {
    checkArgument(offset >= 0, "frame offset must not be negative: %s", offset);
    checkArgument(length > 0, "frame length must be positive: %s", length);
    checkArgument(tarOffset >= 0, "frame tarOffset must not be negative: %s", tarOffset);
    checkArgument(tarLength > 0, "frame tarLength must be positive: %s", tarLength);
  }

  /**
   * The archive offset just past the frame.
   *
   * @return {@code offset() + length()}, where the next frame starts
   */
  public long endOffset() {
    return offset + length;
  }
}
