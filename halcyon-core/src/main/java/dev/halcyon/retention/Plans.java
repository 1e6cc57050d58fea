package dev.halcyon.retention;

import dev.halcyon.naming.ArchiveName;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The steps every plan goes through: sidecars follow archives, protections veto to a fixed point.
 */
final class Plans {
  static final String SIDECAR_RULE = "sidecar";
  static final String ORPHAN_RULE = "orphan";

  private Plans() {}

  /**
   * The final plan: {@code proposed} (only archives count; sidecar entries are re-derived), plus
   * the sidecars of condemned archives and orphaned sidecars, reviewed by every reviewer until no
   * more changes, then sidecars re-aligned with their archives.
   */
  static RetentionPlan settle(
      Listing listing, Collection<Condemned> proposed, List<? extends RetentionPolicy> reviewers) {
    Map<String, StoredArchive> byKey = new HashMap<>();
    listing.objects().forEach(o -> byKey.put(o.key(), o));
    Map<ArchiveName, List<StoredArchive>> archivesByIdentity = new HashMap<>();
    List<StoredArchive> sidecars = listing.sidecars();
    for (StoredArchive archive : listing.archives()) {
      archivesByIdentity
          .computeIfAbsent(identity(archive.name()), k -> new ArrayList<>())
          .add(archive);
    }

    Map<String, Condemned> condemned = new LinkedHashMap<>();
    for (Condemned item : proposed) {
      StoredArchive listed = byKey.get(item.key());
      // Only what the listing holds can be deleted; the first rule to condemn an archive explains
      // it.
      if (listed != null && listed.isArchive() && listed.equals(item.archive())) {
        condemned.putIfAbsent(item.key(), item);
      }
    }
    for (StoredArchive sidecar : sidecars) {
      List<StoredArchive> owners =
          archivesByIdentity.getOrDefault(identity(sidecar.name()), List.of());
      if (owners.isEmpty()) {
        condemned.put(
            sidecar.key(),
            new Condemned(sidecar, ORPHAN_RULE, "sidecar of an archive that is no longer stored"));
      }
    }
    RetentionPlan plan = new RetentionPlan(new ArrayList<>(condemned.values()), List.of());
    while (true) {
      RetentionPlan next = plan;
      for (RetentionPolicy reviewer : reviewers) {
        next = reviewer.review(listing, next);
      }
      // Reviews only ever remove from the condemned list, so an unchanged size means no change.
      if (next.condemned().size() == plan.condemned().size()) {
        plan = next;
        break;
      }
      plan = next;
    }
    return sidecars.isEmpty() ? plan : alignSidecars(sidecars, plan, archivesByIdentity);
  }

  /**
   * A sidecar goes with its archive: condemned with it, kept with it. Orphans keep their verdict.
   */
  private static RetentionPlan alignSidecars(
      List<StoredArchive> sidecars,
      RetentionPlan plan,
      Map<ArchiveName, List<StoredArchive>> archivesByIdentity) {
    Map<String, Condemned> condemned = plan.condemnedByKey();
    Map<String, Protected> kept = new LinkedHashMap<>();
    plan.protections().forEach(p -> kept.put(p.key(), p));
    for (StoredArchive sidecar : sidecars) {
      List<StoredArchive> owners =
          archivesByIdentity.getOrDefault(identity(sidecar.name()), List.of());
      if (owners.isEmpty()) {
        continue;
      }
      StoredArchive retainedOwner =
          owners.stream().filter(o -> !condemned.containsKey(o.key())).findFirst().orElse(null);
      if (retainedOwner == null) {
        kept.remove(sidecar.key());
        condemned.put(
            sidecar.key(),
            new Condemned(
                sidecar, SIDECAR_RULE, "follows its archive " + owners.get(0).fileName()));
      } else if (condemned.remove(sidecar.key()) != null) {
        kept.put(
            sidecar.key(),
            new Protected(
                sidecar, SIDECAR_RULE, "its archive " + retainedOwner.fileName() + " is kept"));
      }
    }
    return new RetentionPlan(new ArrayList<>(condemned.values()), new ArrayList<>(kept.values()));
  }

  /** A name without its extension: an archive and its sidecars share it. */
  static ArchiveName identity(ArchiveName name) {
    return name.withExtension("tar");
  }

  /** Keys of {@code plan}'s condemned archives (not sidecars). */
  static Set<String> condemnedArchiveKeys(RetentionPlan plan) {
    Set<String> keys = new HashSet<>();
    plan.condemned().stream().filter(c -> c.archive().isArchive()).forEach(c -> keys.add(c.key()));
    return keys;
  }
}
