package dev.halcyon.retention;

import java.util.List;

/**
 * A built-in policy's condemnations before sidecars and protections, so a composition settles the
 * plan once instead of once per member.
 */
interface Proposer extends RetentionPolicy {
  /** What this policy condemns on its own, before sidecars and protections are applied. */
  List<Condemned> propose(Listing listing);

  /** The proposal settled with this policy as its only reviewer. */
  @Override
  default RetentionPlan plan(Listing listing) {
    return Plans.settle(listing, propose(listing), List.of(this));
  }
}
