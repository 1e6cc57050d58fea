package dev.halcyon.archive;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.halcyon.layer.Digest;

/**
 * One piece of a regular file's content in an archive with a table of contents, and the zstd frame
 * that holds it. Files up to {@link ArchiveToc#chunkSize()} are one chunk; larger files are split
 * into chunks of that size (the last one shorter). An empty file has no chunk.
 *
 * <p>A chunk of a file of at least {@link ArchiveToc#SMALL_FILE} bytes is its frame's only content
 * ({@code innerOffset} 0 and {@code size} the frame's whole length); smaller files share frames of
 * about {@link ArchiveToc#GROUP_SIZE} with their neighbours' headers and content (as zstd
 * compresses small files far better together), and {@code innerOffset} says where in the frame's
 * decompressed bytes this chunk starts. Chunks of neighbouring small files thus have the same
 * {@code offset} and {@code length}. {@link TocChunks} decompresses a frame and cuts the chunk out,
 * checking {@code digest}.
 *
 * @param offset where the chunk's frame starts in the archive (compressed bytes)
 * @param length the frame's compressed length; {@code [offset, offset + length)} is the ranged read
 *     that fetches it
 * @param innerOffset where the chunk's content starts in the frame's decompressed bytes
 * @param fileOffset where the chunk's content starts in the file
 * @param size the chunk's content length, at least 1
 * @param digest SHA-256 of the chunk's content
 */
public record TocChunk(
    long offset, long length, long innerOffset, long fileOffset, long size, Digest digest) {
  /**
   * Checks the offsets and sizes.
   *
   * @param offset not negative
   * @param length positive
   * @param innerOffset not negative
   * @param fileOffset not negative
   * @param size positive
   * @param digest SHA-256 of the chunk's content
   * @throws IllegalArgumentException if an offset is negative or a length or size is not positive
   */
  public TocChunk {
    checkArgument(offset >= 0, "chunk offset must not be negative: %s", offset);
    checkArgument(length > 0, "chunk length must be positive: %s", length);
    checkArgument(innerOffset >= 0, "chunk innerOffset must not be negative: %s", innerOffset);
    checkArgument(fileOffset >= 0, "chunk fileOffset must not be negative: %s", fileOffset);
    checkArgument(size > 0, "chunk size must be positive: %s", size);
    checkNotNull(digest, "digest");
  }

  /**
   * The archive offset just past the chunk's frame.
   *
   * @return {@code offset() + length()}, where the next frame starts
   */
  public long endOffset() {
    return offset + length;
  }
}
