package dev.halcyon.retention;

/**
 * A listing and the plan a policy made of it, with the time the policy took.
 *
 * @param policyNanos time spent in the policy, summed over the rounds of manifest reading
 */
record Planned(Listing listing, RetentionPlan plan, long policyNanos) {}
