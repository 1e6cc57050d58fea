package dev.halcyon.retention;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/** Several policies as one: any rule condemns, every protection vetoes (see RetentionPolicy). */
final class CompositeRetention implements RetentionPolicy {
  private final List<RetentionPolicy> members;

  CompositeRetention(List<RetentionPolicy> policies) {
    List<RetentionPolicy> flat = new ArrayList<>();
    for (RetentionPolicy policy : policies) {
      // Flattened so that nested protections see the union of every rule's proposal, not just
      // their siblings': the result does not depend on how the policies were grouped.
      if (policy instanceof CompositeRetention composite) {
        flat.addAll(composite.members);
      } else {
        flat.add(Objects.requireNonNull(policy, "policy"));
      }
    }
    checkArgument(!flat.isEmpty(), "a composed retention policy needs at least one policy");
    this.members = List.copyOf(flat);
  }

  /** The longest of the members' grace periods (the first of equals). */
  @Override
  public Optional<GracePeriod> gracePeriod() {
    return members.stream()
        .map(RetentionPolicy::gracePeriod)
        .flatMap(Optional::stream)
        .max(Comparator.comparing(GracePeriod::grace));
  }

  @Override
  public RetentionPlan plan(Listing listing) {
    List<Condemned> proposed = new ArrayList<>();
    for (RetentionPolicy member : members) {
      proposed.addAll(
          member instanceof Proposer proposer
              ? proposer.propose(listing)
              : member.plan(listing).condemned());
    }
    return Plans.settle(listing, proposed, members);
  }

  @Override
  public RetentionPlan review(Listing listing, RetentionPlan proposed) {
    RetentionPlan plan = proposed;
    for (RetentionPolicy member : members) {
      plan = member.review(listing, plan);
    }
    return plan;
  }

  @Override
  public String toString() {
    return members.stream().map(Object::toString).collect(Collectors.joining(";"));
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof CompositeRetention c && c.members.equals(members);
  }

  @Override
  public int hashCode() {
    return members.hashCode();
  }
}
