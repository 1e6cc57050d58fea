package dev.halcyon.archive;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.halcyon.layer.Digest;

/**
 * What {@link Archives#write} produced.
 *
 * @param digest SHA-256 of the compressed bytes, computed while they streamed out
 * @param size number of compressed bytes
 * @param entries number of tar members (files, directories and symlinks; the root is not a member)
 * @param contentBytes sum of the sizes of the regular files, before compression
 */
public record ArchiveSummary(Digest digest, long size, long entries, long contentBytes) {
  public ArchiveSummary {
    checkNotNull(digest, "digest");
    checkArgument(size >= 0, "size must not be negative: %s", size);
    checkArgument(entries >= 0, "entries must not be negative: %s", entries);
    checkArgument(contentBytes >= 0, "contentBytes must not be negative: %s", contentBytes);
  }
}
