package dev.halcyon.archive;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * Upper bounds that an extraction enforces while it streams, so a hostile or broken archive (a "zip
 * bomb") cannot fill the disk. Sizes count the bytes actually written, never only what headers
 * claim. Exceeding a bound fails the extraction with an {@link ArchiveLimitException}.
 *
 * @param maxEntries most tar members an archive may hold
 * @param maxContentBytes most file content bytes, summed over all files
 * @param maxEntryBytes most content bytes of one file
 */
public record ExtractLimits(long maxEntries, long maxContentBytes, long maxEntryBytes) {
  private static final long GIB = 1L << 30;

  /** Generous bounds for application layers: 1,000,000 entries, 64 GiB in all, 16 GiB per file. */
  public static final ExtractLimits DEFAULT = new ExtractLimits(1_000_000, 64 * GIB, 16 * GIB);

  /**
   * Checks the bounds.
   *
   * @param maxEntries positive
   * @param maxContentBytes not negative
   * @param maxEntryBytes not negative
   * @throws IllegalArgumentException if a bound is out of range
   */
  public ExtractLimits {
    checkArgument(maxEntries > 0, "maxEntries must be positive: %s", maxEntries);
    checkArgument(
        maxContentBytes >= 0, "maxContentBytes must not be negative: %s", maxContentBytes);
    checkArgument(maxEntryBytes >= 0, "maxEntryBytes must not be negative: %s", maxEntryBytes);
  }
}
