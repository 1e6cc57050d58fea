package dev.halcyon.retention;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.halcyon.layer.LayerKind;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Keeps the newest N archives of each lineage, N set per layer kind; kinds without an N are left
 * alone. A lineage is the archives of one kind, platform, toolchain and label that differ only in
 * hash (install, dependencies, build) or snapshot date (a toolchain qualifier such as {@code
 * hackage-2015-01-15}), so e.g. {@code keep=install:3} keeps the last three deployable versions of
 * each app per toolchain for roll-back. "Newest" is the latest {@link
 * StoredArchive#lastModified()}, ties broken by the greater key. Immutable and thread-safe.
 *
 * @param keep how many archives to keep per lineage, by kind; each at least 1
 */
public record KeepNewestRetention(Map<LayerKind, Integer> keep)
    implements RetentionPolicy, Proposer {
  /** The rule name in plans. */
  public static final String RULE = "keep-newest";

  /**
   * Checks the counts and keeps an unmodifiable copy.
   *
   * @param keep by kind, each at least 1; at least one kind
   * @throws IllegalArgumentException if {@code keep} is empty or a count is below 1
   */
  public KeepNewestRetention {
    checkNotNull(keep, "keep");
    EnumMap<LayerKind, Integer> copy = new EnumMap<>(LayerKind.class);
    keep.forEach(
        (kind, n) -> {
          checkNotNull(kind, "kind");
          checkNotNull(n, "count");
          checkArgument(
              n >= 1,
              "keep=%s:%s would delete every %s archive: keep at least 1, or use max-age",
              kind.id(),
              n,
              kind.id());
          copy.put(kind, n);
        });
    checkArgument(!copy.isEmpty(), "keep-newest needs a count for at least one layer kind");
    keep = Collections.unmodifiableMap(copy);
  }

  /**
   * Keeps the newest {@code n} of one kind.
   *
   * @param kind the kind whose lineages are trimmed; other kinds are left alone
   * @param n at least 1
   * @return the policy
   */
  public static KeepNewestRetention of(LayerKind kind, int n) {
    return new KeepNewestRetention(Map.of(kind, n));
  }

  /**
   * Keeps the newest {@code n} of every kind.
   *
   * @param n at least 1
   * @return the policy, counting every kind, toolchain archives included
   */
  public static KeepNewestRetention ofAll(int n) {
    EnumMap<LayerKind, Integer> all = new EnumMap<>(LayerKind.class);
    for (LayerKind kind : LayerKind.values()) {
      all.put(kind, n);
    }
    return new KeepNewestRetention(all);
  }

  /** What this policy condemns on its own, before sidecars and protections are applied. */
  @Override
  public List<Condemned> propose(Listing listing) {
    List<Condemned> condemned = new ArrayList<>();
    Lineages.group(
            listing,
            a ->
                keep.containsKey(a.name().kind())
                    ? Optional.of(Lineages.Lineage.of(a.name()))
                    : Optional.empty())
        .forEach(
            (lineage, newestFirst) -> {
              int n = keep.get(lineage.kind());
              for (int i = n; i < newestFirst.size(); i++) {
                condemned.add(
                    new Condemned(
                        newestFirst.get(i),
                        RULE,
                        "number "
                            + (i + 1)
                            + " by age of "
                            + newestFirst.size()
                            + " "
                            + lineage.describe()
                            + "; keeping the newest "
                            + n));
              }
            });
    return condemned;
  }

  /** The spec form, e.g. {@code keep=install:3,dependencies:2}. */
  @Override
  public String toString() {
    return "keep="
        + keep.entrySet().stream()
            .map(e -> e.getKey().id() + ":" + e.getValue())
            .collect(Collectors.joining(","));
  }
}
