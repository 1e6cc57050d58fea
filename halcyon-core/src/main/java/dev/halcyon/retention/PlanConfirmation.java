package dev.halcyon.retention;

import static com.google.common.base.Preconditions.checkState;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The re-check before deleting: what the first plan condemned, the second plan still condemns, and
 * nobody rewrote meanwhile (same size and date) is deleted; the rest is spared.
 *
 * @param plan what may be deleted, with the second plan's protections of what is kept
 * @param spared keys the first plan condemned that the second look keeps
 */
record PlanConfirmation(RetentionPlan plan, List<String> spared) {
  PlanConfirmation {
    spared = List.copyOf(spared);
  }

  /** Confirms {@code first} against {@code second}, a plan of a later listing of the same keys. */
  static PlanConfirmation of(Planned first, Planned second) {
    Map<String, StoredArchive> before = new HashMap<>();
    first.listing().objects().forEach(o -> before.put(o.key(), o));
    Map<String, Condemned> stillCondemned = second.plan().condemnedByKey();
    List<Condemned> delete = new ArrayList<>();
    List<String> spared = new ArrayList<>();
    for (Condemned item : first.plan().condemned()) {
      Condemned now = stillCondemned.get(item.key());
      StoredArchive was = before.get(item.key());
      if (now != null
          && was.size() == now.archive().size()
          && was.lastModified().equals(now.archive().lastModified())) {
        delete.add(now);
      } else {
        spared.add(item.key());
      }
    }
    Set<String> deleting = new LinkedHashSet<>();
    delete.forEach(d -> deleting.add(d.key()));
    List<Protected> kept =
        second.plan().protections().stream().filter(p -> !deleting.contains(p.key())).toList();
    RetentionPlan plan = new RetentionPlan(delete, kept);
    Set<String> parsed = new HashSet<>();
    second.listing().objects().forEach(o -> parsed.add(o.key()));
    checkState(
        parsed.containsAll(plan.condemnedKeys()), "a plan condemned a key the namer does not know");
    return new PlanConfirmation(plan, spared);
  }
}
