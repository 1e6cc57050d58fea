package dev.halcyon.retention;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A protection: nothing written less than {@code grace} before the clock's now is condemned, so an
 * archive a machine has just uploaded (and whose manifest or referrers may not be listed yet), and
 * orphaned sidecars of an upload in progress, survive a collection running at the same moment.
 * Objects dated in the future (clock skew) count as young. Immutable and thread-safe.
 *
 * @param clock where "now" comes from
 * @param grace how young is too young to delete; zero protects nothing
 */
public record GracePeriod(Clock clock, Duration grace) implements RetentionPolicy, Proposer {
  /** The rule name in plans. */
  public static final String RULE = "grace";

  /**
   * Checks the fields.
   *
   * @param clock where "now" comes from
   * @param grace zero or positive
   * @throws IllegalArgumentException if {@code grace} is negative
   */
  public GracePeriod {
    checkNotNull(clock, "clock");
    checkNotNull(grace, "grace");
    checkArgument(!grace.isNegative(), "grace period must not be negative, got %s", grace);
  }

  /**
   * A grace period of {@code grace} by {@code clock}.
   *
   * @param clock where "now" comes from, e.g. {@code Clock.systemUTC()}
   * @param grace zero or positive
   * @return the grace period
   */
  public static GracePeriod of(Clock clock, Duration grace) {
    return new GracePeriod(clock, grace);
  }

  /** Nothing: alone, a grace period condemns only orphaned sidecars older than it. */
  @Override
  public List<Condemned> propose(Listing listing) {
    return List.of();
  }

  @Override
  public RetentionPlan review(Listing listing, RetentionPlan proposed) {
    Instant now = clock.instant();
    Instant cutoff = now.minus(grace);
    Map<String, String> young = new HashMap<>();
    for (Condemned item : proposed.condemned()) {
      Instant written = item.archive().lastModified();
      if (written.isAfter(cutoff)) {
        young.put(
            item.key(),
            "written "
                + Durations.approximate(Duration.between(written, now))
                + " ago, within the grace period of "
                + Durations.format(grace));
      }
    }
    return proposed.protect(young, RULE);
  }

  /** This grace period. */
  @Override
  public Optional<GracePeriod> gracePeriod() {
    return Optional.of(this);
  }

  /** The spec form, e.g. {@code grace=1h}. */
  @Override
  public String toString() {
    return "grace=" + Durations.format(grace);
  }
}
