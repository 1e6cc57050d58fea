package dev.halcyon.engine;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

/**
 * The stored dependencies layer a run extended, for a layer whose source is {@link
 * LayerSource#EXTENDED}.
 *
 * @param key the archive key of the layer that was restored and added to
 * @param overlap how many needed entries it already held at the needed version
 * @param needed how many entries the layer needs
 */
public record ExtendedFrom(String key, int overlap, int needed) {
  /**
   * Checks the counts.
   *
   * @param key the archive key of the layer extended
   * @param overlap from 0 to {@code needed}
   * @param needed how many entries the layer needs
   * @throws IllegalArgumentException if {@code overlap} is negative or greater than {@code needed}
   */
  public ExtendedFrom {
    checkNotNull(key, "key");
    checkArgument(overlap >= 0 && overlap <= needed, "overlap %s of %s", overlap, needed);
  }

  /** {@code <key> (41 of 43)}, as the layer line shows it. */
  @Override
  public String toString() {
    return key + " (" + overlap + " of " + needed + ")";
  }
}
