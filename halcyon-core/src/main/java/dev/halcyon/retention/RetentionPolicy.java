package dev.halcyon.retention;

import java.util.Optional;

/**
 * Decides, from what a store holds, which archives are out of date and why.
 *
 * <p>Policies are pure: no I/O, and time only from an injected {@link java.time.Clock}, so the same
 * listing and clock give the same plan. Implementations are immutable and thread-safe.
 *
 * <p>There are two roles, and one policy may play both:
 *
 * <ul>
 *   <li><b>Rules</b> condemn archives in {@link #plan} ({@link HalcyonRetention}, {@link
 *       KeepNewestRetention}, {@link MaxAgeRetention}).
 *   <li><b>Protections</b> veto in {@link #review}: they move condemned archives to {@link
 *       RetentionPlan#protections()} ({@link ReferenceProtection}, {@link GracePeriod}).
 * </ul>
 *
 * <p>Composition ({@link #and}, {@link RetentionPolicies#allOf}) condemns what <em>any</em> rule
 * condemns, then applies <em>every</em> protection, repeatedly until nothing changes, so
 * protections always win whatever the order they were combined in (a grace-period veto makes an
 * archive retained, which may make what it references protected, and so on). Sidecars follow their
 * archive: the manifest, tag or constraints file of a condemned archive is condemned with it, that
 * of a kept archive is kept, and a sidecar whose archive is gone is condemned as an {@code orphan}
 * unless a protection (the grace period) keeps it. Every plan a built-in policy returns has been
 * through these steps.
 */
public interface RetentionPolicy {

  /**
   * What this policy (with its own protections, if it has any) deletes from {@code listing}.
   *
   * @param listing what the store holds
   * @return the objects to delete and those a protection kept
   */
  RetentionPlan plan(Listing listing);

  /**
   * Vetoes: returns {@code proposed} with the condemned objects this policy insists on keeping
   * moved to its protections. Called by compositions with the plan of all their rules, maybe more
   * than once; it must only ever move objects out of the condemned list. Rules that protect nothing
   * keep the default, which returns {@code proposed} unchanged.
   *
   * @param listing what the store holds
   * @param proposed the plan of the composition's rules
   * @return {@code proposed}, or a plan with some of its condemned objects moved to the protections
   */
  default RetentionPlan review(Listing listing, RetentionPlan proposed) {
    return proposed;
  }

  /**
   * The grace period this policy keeps young objects for, the longest if it holds several; a
   * collection waits as long before aborting a store's incomplete uploads. The default: none.
   *
   * @return the grace period, or empty if this policy keeps nothing for its youth
   */
  default Optional<GracePeriod> gracePeriod() {
    return Optional.empty();
  }

  /**
   * This policy combined with {@code other}: an archive is condemned if either condemns it, and
   * kept if either protects it (protections always win).
   *
   * @param other another policy
   * @return the combined policy; neither is changed
   */
  default RetentionPolicy and(RetentionPolicy other) {
    return RetentionPolicies.allOf(this, other);
  }
}
