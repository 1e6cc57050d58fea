package dev.halcyon.engine;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.halcyon.layer.LayerTag;
import java.time.Duration;
import java.util.Optional;

/**
 * How one layer was obtained in a run.
 *
 * @param tag the layer's identity
 * @param source where it came from
 * @param key the archive's key in the stores
 * @param archiveBytes the archive's size, or 0 when no archive was touched ({@link
 *     LayerSource#EXISTING})
 * @param took wall time spent on this layer
 * @param delta for {@link LayerSource#DELTA}, what was reused and fetched
 * @param extendedFrom the stored layer this one was extended from, present exactly when {@code
 *     source} is {@link LayerSource#EXTENDED}
 */
public record LayerOutcome(
    LayerTag tag,
    LayerSource source,
    String key,
    long archiveBytes,
    Duration took,
    Optional<DeltaPlan> delta,
    Optional<ExtendedFrom> extendedFrom) {
  /**
   * Checks the fields.
   *
   * @param tag the layer's identity
   * @param source where it came from
   * @param key the archive's key
   * @param archiveBytes the archive's size, 0 when none was touched
   * @param took wall time spent on this layer
   * @param delta empty unless the source is {@link LayerSource#DELTA}
   * @param extendedFrom present exactly when {@code source} is {@link LayerSource#EXTENDED}
   * @throws IllegalArgumentException if {@code extendedFrom} is present for another source, or
   *     missing for an extended layer
   */
  public LayerOutcome {
    checkNotNull(tag, "tag");
    checkNotNull(source, "source");
    checkNotNull(key, "key");
    checkNotNull(took, "took");
    checkNotNull(delta, "delta");
    checkNotNull(extendedFrom, "extendedFrom");
    checkArgument(
        extendedFrom.isPresent() == (source == LayerSource.EXTENDED),
        "extendedFrom is given exactly for an extended layer");
  }

  /**
   * An outcome without a delta plan, of any source but {@link LayerSource#EXTENDED}.
   *
   * @param tag the layer's identity
   * @param source where it came from; not {@link LayerSource#EXTENDED}
   * @param key the archive's key in the stores
   * @param archiveBytes the archive's size, 0 when none was touched
   * @param took wall time spent on this layer
   * @throws IllegalArgumentException if {@code source} is {@link LayerSource#EXTENDED}
   */
  public LayerOutcome(
      LayerTag tag, LayerSource source, String key, long archiveBytes, Duration took) {
    this(tag, source, key, archiveBytes, took, Optional.empty(), Optional.empty());
  }
}
