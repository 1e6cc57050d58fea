package dev.halcyon.archive;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * What {@link Archives#extract} restored.
 *
 * @param entries number of tar members read (including directories, links and a {@code ./} root)
 * @param contentBytes number of file content bytes written (hard links count nothing)
 */
public record ExtractSummary(long entries, long contentBytes) {
  /**
   * Checks the counts.
   *
   * @param entries not negative
   * @param contentBytes not negative
   * @throws IllegalArgumentException if a count is negative
   */
  public ExtractSummary {
    checkArgument(entries >= 0, "entries must not be negative: %s", entries);
    checkArgument(contentBytes >= 0, "contentBytes must not be negative: %s", contentBytes);
  }
}
