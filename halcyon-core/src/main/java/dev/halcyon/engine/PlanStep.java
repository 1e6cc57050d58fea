package dev.halcyon.engine;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.halcyon.layer.LayerTag;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * What a run would do with one layer, as {@link Engine#plan} found it.
 *
 * @param tag the layer's identity
 * @param key its archive's key in the stores
 * @param source where the run would take it from: {@link LayerSource#EXISTING} (the directory in
 *     place), {@link LayerSource#CACHE}, {@link LayerSource#PRIVATE}, {@link LayerSource#PUBLIC},
 *     or {@link LayerSource#BUILT} when no store has it and it would be built
 * @param needed false when the run would not touch this layer (the install archive is stored, so a
 *     run restores that alone)
 * @param nearest for a layer that would be built: the stored (or in-place) tag closest to it, with
 *     the fewest differing inputs; empty when nothing of that kind and label is stored
 * @param differences {@code tag.differences(nearest)}: the inputs that differ, one line each
 */
public record PlanStep(
    LayerTag tag,
    String key,
    LayerSource source,
    boolean needed,
    Optional<LayerTag> nearest,
    List<String> differences) {
  public PlanStep {
    checkNotNull(tag, "tag");
    checkNotNull(key, "key");
    checkNotNull(source, "source");
    checkNotNull(nearest, "nearest");
    differences = List.copyOf(differences);
  }

  /** Whether the run would build this layer. */
  public boolean wouldBuild() {
    return needed && source == LayerSource.BUILT;
  }

  /**
   * One line for a person, e.g. {@code build would build KEY (differs: source-hash ...)} or {@code
   * install private KEY}.
   */
  public String format() {
    String where =
        !needed
            ? "not needed"
            : source == LayerSource.BUILT
                ? "would build"
                : source == LayerSource.EXISTING
                    ? "in place"
                    : source.name().toLowerCase(Locale.ROOT);
    String line = String.format(Locale.ROOT, "%-12s %-11s %s", tag.kind().id(), where, key);
    if (wouldBuild()) {
      line +=
          nearest.isEmpty()
              ? " (nothing of this kind and label is stored)"
              : " (nearest stored differs: " + String.join("; ", differences) + ")";
    }
    return line;
  }
}
