package dev.halcyon.engine;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.halcyon.layer.LayerTag;
import java.time.Duration;

/**
 * How one layer was obtained in a run.
 *
 * @param tag the layer's identity
 * @param source where it came from
 * @param key the archive's key in the stores
 * @param archiveBytes the archive's size, or 0 when no archive was touched ({@link
 *     LayerSource#EXISTING})
 * @param took wall time spent on this layer
 */
public record LayerOutcome(
    LayerTag tag, LayerSource source, String key, long archiveBytes, Duration took) {
  public LayerOutcome {
    checkNotNull(tag, "tag");
    checkNotNull(source, "source");
    checkNotNull(key, "key");
    checkNotNull(took, "took");
  }
}
