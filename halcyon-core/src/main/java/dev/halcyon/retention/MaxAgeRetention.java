package dev.halcyon.retention;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Condemns every archive last written more than {@code maxAge} before the clock's now. Sidecars go
 * with their archives. Immutable and thread-safe.
 *
 * @param clock where "now" comes from
 * @param maxAge the age beyond which archives go; positive
 */
public record MaxAgeRetention(Clock clock, Duration maxAge) implements RetentionPolicy, Proposer {
  /** The rule name in plans. */
  public static final String RULE = "max-age";

  /**
   * Checks the fields.
   *
   * @param clock where "now" comes from
   * @param maxAge positive
   * @throws IllegalArgumentException if {@code maxAge} is zero or negative
   */
  public MaxAgeRetention {
    checkNotNull(clock, "clock");
    checkNotNull(maxAge, "maxAge");
    checkArgument(
        !maxAge.isNegative() && !maxAge.isZero(),
        "max-age must be positive, got %s",
        Durations.format(maxAge));
  }

  /**
   * Condemns what is older than {@code maxAge} by {@code clock}.
   *
   * @param clock where "now" comes from, e.g. {@code Clock.systemUTC()}
   * @param maxAge positive
   * @return the policy
   */
  public static MaxAgeRetention of(Clock clock, Duration maxAge) {
    return new MaxAgeRetention(clock, maxAge);
  }

  /** What this policy condemns on its own, before sidecars and protections are applied. */
  @Override
  public List<Condemned> propose(Listing listing) {
    Instant now = clock.instant();
    Instant cutoff = now.minus(maxAge);
    List<Condemned> condemned = new ArrayList<>();
    for (StoredArchive archive : listing.archives()) {
      if (archive.lastModified().isBefore(cutoff)) {
        condemned.add(
            new Condemned(
                archive,
                RULE,
                "written "
                    + Durations.approximate(Duration.between(archive.lastModified(), now))
                    + " ago, older than "
                    + Durations.format(maxAge)));
      }
    }
    return condemned;
  }

  /** The spec form, e.g. {@code max-age=30d}. */
  @Override
  public String toString() {
    return "max-age=" + Durations.format(maxAge);
  }
}
