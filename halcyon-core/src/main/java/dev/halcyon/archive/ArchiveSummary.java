package dev.halcyon.archive;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.halcyon.layer.Digest;
import java.util.Optional;

/**
 * What {@link Archives#write} produced.
 *
 * @param digest SHA-256 of the compressed bytes, computed while they streamed out
 * @param size number of compressed bytes
 * @param entries number of tar members (files, directories and symlinks; the root is not a member)
 * @param contentBytes sum of the sizes of the regular files, before compression
 * @param tocDigest SHA-256 of the archive's table-of-contents frame, for zstd archives (which have
 *     one: {@link ArchiveToc}); empty for other codecs. Record it with the archive (the {@code
 *     .manifest} sidecar's {@code toc-sha256}) so a reader can verify the TOC before trusting it.
 */
public record ArchiveSummary(
    Digest digest, long size, long entries, long contentBytes, Optional<Digest> tocDigest) {
  /**
   * A summary of an archive without a table of contents.
   *
   * @param digest SHA-256 of the compressed bytes
   * @param size number of compressed bytes, not negative
   * @param entries number of tar members, not negative
   * @param contentBytes sum of the regular files' sizes, not negative
   */
  public ArchiveSummary(Digest digest, long size, long entries, long contentBytes) {
    this(digest, size, entries, contentBytes, Optional.empty());
  }

  /**
   * Checks the counts.
   *
   * @param digest SHA-256 of the compressed bytes
   * @param size not negative
   * @param entries not negative
   * @param contentBytes not negative
   * @param tocDigest empty for an archive without a table of contents
   * @throws IllegalArgumentException if a count is negative
   */
  public ArchiveSummary {
    checkNotNull(tocDigest, "tocDigest");
    checkNotNull(digest, "digest");
    checkArgument(size >= 0, "size must not be negative: %s", size);
    checkArgument(entries >= 0, "entries must not be negative: %s", entries);
    checkArgument(contentBytes >= 0, "contentBytes must not be negative: %s", contentBytes);
  }
}
