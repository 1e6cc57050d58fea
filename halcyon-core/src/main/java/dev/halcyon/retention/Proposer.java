package dev.halcyon.retention;

import java.util.List;

/**
 * A built-in policy's condemnations before sidecars and protections, so a composition settles the
 * plan once instead of once per member.
 */
interface Proposer {
  List<Condemned> propose(Listing listing);
}
