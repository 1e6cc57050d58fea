package dev.halcyon.retention;

import dev.halcyon.layer.LayerKind;
import dev.halcyon.naming.ArchiveName;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The original Halcyon's deletion rules, exactly (its {@code delete_matching_private_stored_files}
 * calls), applied to a whole listing instead of right after each upload:
 *
 * <ul>
 *   <li><b>install</b>: per platform, toolchain and label, only the newest install archive is kept
 *       ("one install archive per app label per GHC id");
 *   <li><b>dependencies</b> (the original's sandbox): per platform, toolchain and label, only the
 *       newest is kept; its constraints sidecar goes with it;
 *   <li><b>toolchain</b> archives whose qualifier ends in a snapshot date (the original's updated
 *       Cabal, {@code hackage-2015-01-15}): per platform, toolchain and repository, only the newest
 *       date is kept; undated toolchain archives (the base Cabal, GHC) are never condemned;
 *   <li><b>build</b>: nothing; there is one name per label and uploads overwrite it.
 * </ul>
 *
 * <p>"Newest" is the latest {@link StoredArchive#lastModified()}, ties broken by the greater key;
 * for dated snapshots the latest date first, then the same order. Unlike the original, labels are
 * compared exactly (its pattern let a {@code .} in a label match any character) and every key is
 * seen (it listed only the first 1,000). Alone, this policy lets two builders of one app on
 * different branches delete each other's newest archives, as the original did (its issue #17):
 * combine it with {@link GracePeriod} and {@link ReferenceProtection}, as {@link
 * RetentionPolicies#halcyonDefault} does. Stateless and thread-safe.
 */
public record HalcyonRetention() implements RetentionPolicy, Proposer {
  /** The rule name in plans. */
  public static final String RULE = "halcyon";

  /** The rules; they need no clock because they only compare archives with each other. */
  public HalcyonRetention {}

  /** What this policy condemns on its own, before sidecars and protections are applied. */
  @Override
  public List<Condemned> propose(Listing listing) {
    List<Condemned> condemned = new ArrayList<>();
    Lineages.group(listing, HalcyonRetention::perLabel)
        .values()
        .forEach(group -> supersede(group, condemned, "same label and toolchain"));
    Lineages.group(listing, HalcyonRetention::perSnapshotSeries)
        .values()
        .forEach(
            group -> {
              group.sort(
                  Comparator.comparing(
                          (StoredArchive a) ->
                              Lineages.snapshotDate(a.name().qualifier()).orElseThrow())
                      .reversed()
                      .thenComparing(Lineages.NEWEST_FIRST));
              supersede(group, condemned, "newer snapshot, same toolchain and repository");
            });
    return condemned;
  }

  private static void supersede(List<StoredArchive> newestFirst, List<Condemned> out, String why) {
    StoredArchive newest = newestFirst.get(0);
    for (StoredArchive older : newestFirst.subList(1, newestFirst.size())) {
      out.add(new Condemned(older, RULE, "superseded by " + newest.fileName() + " (" + why + ")"));
    }
  }

  private static Optional<Lineages.Lineage> perLabel(StoredArchive archive) {
    ArchiveName name = archive.name();
    if (name.kind() == LayerKind.INSTALL || name.kind() == LayerKind.DEPENDENCIES) {
      return Optional.of(
          new Lineages.Lineage(
              name.kind(), name.platform(), name.toolchain(), name.label(), "", ""));
    }
    return Optional.empty();
  }

  private static Optional<Lineages.Lineage> perSnapshotSeries(StoredArchive archive) {
    ArchiveName name = archive.name();
    if (name.kind() == LayerKind.TOOLCHAIN && Lineages.snapshotDate(name.qualifier()).isPresent()) {
      return Optional.of(Lineages.Lineage.of(name));
    }
    return Optional.empty();
  }

  @Override
  public String toString() {
    return "halcyon";
  }
}
