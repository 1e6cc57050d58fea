package dev.halcyon.retention;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a {@link RetentionPolicy} decided: the objects to delete, each with the rule and reason, and
 * the objects a protection kept although a rule condemned them. Both lists are sorted by key; no
 * key is in both. Immutable.
 *
 * @param condemned what to delete
 * @param protections what a protection spared (informational; never deleted)
 */
public record RetentionPlan(List<Condemned> condemned, List<Protected> protections) {

  private static final RetentionPlan EMPTY = new RetentionPlan(List.of(), List.of());

  /**
   * Sorts and copies both lists and checks that each key appears once.
   *
   * @param condemned what to delete, in any order
   * @param protections what a protection spared, in any order
   * @throws IllegalArgumentException naming the key, if a key is condemned or protected twice, or
   *     both condemned and protected
   */
  public RetentionPlan {
    checkNotNull(condemned, "condemned");
    checkNotNull(protections, "protections");
    List<Condemned> c = new ArrayList<>(condemned);
    c.sort(Comparator.comparing(Condemned::key));
    List<Protected> p = new ArrayList<>(protections);
    p.sort(Comparator.comparing(Protected::key));
    Set<String> keys = new HashSet<>();
    for (Condemned item : c) {
      checkArgument(keys.add(item.key()), "plan condemns %s twice", item.key());
    }
    Set<String> kept = new HashSet<>();
    for (Protected item : p) {
      checkArgument(kept.add(item.key()), "plan protects %s twice", item.key());
      checkArgument(!keys.contains(item.key()), "plan both condemns and protects %s", item.key());
    }
    condemned = List.copyOf(c);
    protections = List.copyOf(p);
  }

  /**
   * A plan that deletes nothing.
   *
   * @return the empty plan
   */
  public static RetentionPlan empty() {
    return EMPTY;
  }

  /**
   * A plan that deletes {@code condemned} and records no protections.
   *
   * @param condemned what to delete, each key once
   * @return a plan without protections
   */
  public static RetentionPlan of(List<Condemned> condemned) {
    return new RetentionPlan(condemned, List.of());
  }

  /**
   * The keys of the condemned objects, in key order.
   *
   * @return a new set of the condemned keys, in key order
   */
  public Set<String> condemnedKeys() {
    Set<String> keys = new LinkedHashSet<>();
    condemned.forEach(c -> keys.add(c.key()));
    return keys;
  }

  /**
   * The keys of the protected objects, in key order.
   *
   * @return a new set of the protected keys, in key order
   */
  public Set<String> protectedKeys() {
    Set<String> keys = new LinkedHashSet<>();
    protections.forEach(p -> keys.add(p.key()));
    return keys;
  }

  /**
   * True if nothing is condemned.
   *
   * @return true if the plan deletes nothing (it may still record protections)
   */
  public boolean isEmpty() {
    return condemned.isEmpty();
  }

  /**
   * Bytes the store would free by deleting every condemned object.
   *
   * @return the sum of the condemned objects' sizes in bytes, as listed
   */
  public long bytesFreed() {
    return condemned.stream().mapToLong(c -> c.archive().size()).sum();
  }

  /**
   * This plan with the condemned objects whose keys are in {@code keys} moved to the protections,
   * each with {@code rule} and the reason {@code reasons} gives for its key. Keys not condemned are
   * ignored. This is how a protection vetoes.
   *
   * @param reasons one line per key to keep, by key
   * @param rule the protection's name, e.g. {@value GracePeriod#RULE}
   * @return a new plan (this one if {@code reasons} is empty)
   */
  public RetentionPlan protect(Map<String, String> reasons, String rule) {
    checkNotNull(reasons, "reasons");
    if (reasons.isEmpty()) {
      return this;
    }
    List<Condemned> still = new ArrayList<>();
    List<Protected> kept = new ArrayList<>(protections);
    for (Condemned item : condemned) {
      String reason = reasons.get(item.key());
      if (reason == null) {
        still.add(item);
      } else {
        kept.add(new Protected(item.archive(), rule, reason));
      }
    }
    return new RetentionPlan(still, kept);
  }

  /** The condemned items by key, in key order. */
  Map<String, Condemned> condemnedByKey() {
    Map<String, Condemned> out = new LinkedHashMap<>();
    condemned.forEach(c -> out.put(c.key(), c));
    return out;
  }
}
