package dev.halcyon.engine;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.halcyon.layer.Constraints;
import dev.halcyon.layer.LayerTag;
import dev.halcyon.recipe.PartialMatchRule;
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
 * @param copies every store that lists {@code key}, in tier order (cache, private, public), with
 *     what the manifest beside it says
 * @param nearby when no store lists {@code key}, or the layer would be built: the stored manifests
 *     of the same kind and label (store by store, by key) and how each differs; the closest of
 *     these, or the tag in place, is {@code nearest}
 * @param partial for a dependencies layer with a declared list that no store holds as it is: the
 *     stored dependencies layers a build could extend, and why the others do not qualify
 */
public record PlanStep(
    LayerTag tag,
    String key,
    LayerSource source,
    boolean needed,
    Optional<LayerTag> nearest,
    List<String> differences,
    List<Copy> copies,
    List<Nearby> nearby,
    Optional<Partial> partial) {
  /**
   * Copies the lists.
   *
   * @param tag the layer's identity
   * @param key its archive's key
   * @param source where the run would take it from
   * @param needed false when the run would not touch this layer
   * @param nearest the closest stored tag, for a layer that would be built
   * @param differences the inputs that differ from {@code nearest}; copied
   * @param copies the stores that list {@code key}; copied
   * @param nearby stored manifests of the same kind and label; copied
   * @param partial the partial-match search, for a dependencies layer
   */
  public PlanStep {
    checkNotNull(tag, "tag");
    checkNotNull(key, "key");
    checkNotNull(source, "source");
    checkNotNull(nearest, "nearest");
    differences = List.copyOf(differences);
    copies = List.copyOf(copies);
    nearby = List.copyOf(nearby);
    checkNotNull(partial, "partial");
  }

  /**
   * A store that lists the layer's key.
   *
   * @param tier which store: {@link LayerSource#CACHE}, {@link LayerSource#PRIVATE} or {@link
   *     LayerSource#PUBLIC}
   * @param store the store's description ({@link dev.halcyon.store.LayerStore#describe})
   * @param recorded the tag the manifest beside the archive records, or empty without one
   * @param differences {@code tag.differences(recorded)}, empty without a manifest
   * @param current whether the archive holds this layer: a manifest says so, or there is none and
   *     the key names every input (every kind but the build layer, whose key leaves out the source
   *     hash: without a manifest it may be an earlier build)
   */
  public record Copy(
      LayerSource tier,
      String store,
      Optional<LayerTag> recorded,
      List<String> differences,
      boolean current) {
    /**
     * Copies the differences.
     *
     * @param tier which store
     * @param store the store's description
     * @param recorded the tag the manifest records, or empty without one
     * @param differences the inputs that differ from {@code recorded}; copied
     * @param current whether the archive holds this layer
     */
    public Copy {
      checkNotNull(tier, "tier");
      checkNotNull(store, "store");
      checkNotNull(recorded, "recorded");
      differences = List.copyOf(differences);
    }
  }

  /**
   * A stored manifest of the same kind and label as the layer.
   *
   * @param key the archive the manifest describes
   * @param store the description of the store that holds the manifest
   * @param tag the tag it records
   * @param differences {@code wanted.differences(tag)}, one line per input that differs
   */
  public record Nearby(String key, String store, LayerTag tag, List<String> differences) {
    /**
     * Copies the differences.
     *
     * @param key the archive the manifest describes
     * @param store the store's description
     * @param tag the tag the manifest records
     * @param differences the inputs that differ; copied
     */
    public Nearby {
      checkNotNull(key, "key");
      checkNotNull(store, "store");
      checkNotNull(tag, "tag");
      differences = List.copyOf(differences);
    }
  }

  /**
   * The partial-match search for a missing dependencies layer ({@link PartialMatches}).
   *
   * @param rule the recipe's partial-match rule
   * @param needed the declared list the layer needs
   * @param stores the descriptions of the remote stores searched (private, public), maybe none
   * @param candidates what {@link PartialMatches#find} found: qualifying ones first, best first
   */
  public record Partial(
      PartialMatchRule rule,
      Constraints needed,
      List<String> stores,
      List<PartialMatches.Candidate> candidates) {
    /**
     * Copies the lists.
     *
     * @param rule the recipe's partial-match rule
     * @param needed the declared list
     * @param stores the stores searched; copied
     * @param candidates qualifying ones first, best first; copied
     */
    public Partial {
      checkNotNull(rule, "rule");
      checkNotNull(needed, "needed");
      stores = List.copyOf(stores);
      candidates = List.copyOf(candidates);
    }

    /**
     * The candidate a build would extend, if one qualifies.
     *
     * @return the first qualifying candidate, or empty if none qualifies
     */
    public Optional<PartialMatches.Candidate> best() {
      return candidates.stream().filter(PartialMatches.Candidate::qualifies).findFirst();
    }
  }

  /**
   * Whether a store holds this layer as it is ({@link Copy#current}).
   *
   * @return true if some store holds an archive of this exact layer
   */
  public boolean stored() {
    return copies.stream().anyMatch(Copy::current);
  }

  /**
   * Whether the run would build this layer.
   *
   * @return true if the layer is needed and no store or directory in place has it
   */
  public boolean wouldBuild() {
    return needed && source == LayerSource.BUILT;
  }

  /**
   * One line for a person, e.g. {@code build would build KEY (differs: source-hash ...)} or {@code
   * install private KEY}.
   *
   * @return one line, without a line break: kind, where from, key, and for a build what differs
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
