package dev.halcyon.archive;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.halcyon.layer.Digest;

/**
 * One piece of a regular file's content in an archive with a table of contents: exactly one zstd
 * frame that decompresses, alone, to {@code size} bytes of the file starting at {@code fileOffset}.
 * Files up to {@link ArchiveToc#chunkSize()} are one chunk; larger files are split into chunks of
 * that size (the last one shorter). An empty file has no chunk. {@link TocChunks#decompress} turns
 * the frame's bytes into the content and checks {@code digest}.
 *
 * @param offset where the chunk's frame starts in the archive (compressed bytes)
 * @param length the frame's compressed length; {@code [offset, offset + length)} is the ranged read
 *     that fetches it
 * @param fileOffset where the chunk's content starts in the file
 * @param size the chunk's content length, at least 1
 * @param digest SHA-256 of the chunk's content
 */
public record TocChunk(long offset, long length, long fileOffset, long size, Digest digest) {
  public TocChunk {
    checkArgument(offset >= 0, "chunk offset must not be negative: %s", offset);
    checkArgument(length > 0, "chunk length must be positive: %s", length);
    checkArgument(fileOffset >= 0, "chunk fileOffset must not be negative: %s", fileOffset);
    checkArgument(size > 0, "chunk size must be positive: %s", size);
    checkNotNull(digest, "digest");
  }

  /** The archive offset just past the chunk's frame. */
  public long endOffset() {
    return offset + length;
  }
}
