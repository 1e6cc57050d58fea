package dev.halcyon.retention;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.halcyon.layer.LayerKind;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Factories for retention policies: composition, the default, and the spec strings users write
 * ({@code HALCYON_RETENTION}, {@code --retention}).
 *
 * <h2>Spec syntax</h2>
 *
 * Terms separated by {@code ;} or {@code ,}:
 *
 * <ul>
 *   <li>{@code halcyon} — {@link HalcyonRetention}, the original's rules;
 *   <li>{@code keep=<kind>:<n>[,<kind>:<n>...]} — {@link KeepNewestRetention}; kinds are {@code
 *       toolchain}, {@code dependencies}, {@code build}, {@code install}; {@code keep=<n>} applies
 *       to every kind;
 *   <li>{@code max-age=<duration>} — {@link MaxAgeRetention};
 *   <li>{@code grace=<duration>} — the {@link GracePeriod}, {@value #DEFAULT_GRACE_TEXT} unless
 *       given; {@code grace=0} turns it off;
 *   <li>{@code no-references} — turns {@link ReferenceProtection} off; it is on by default, and
 *       {@code references} says so explicitly.
 * </ul>
 *
 * Durations are {@code <n>w}, {@code <n>d}, {@code <n>h}, {@code <n>m}, {@code <n>s} or ISO-8601
 * ({@code PT90M}). At least one of {@code halcyon}, {@code keep=} and {@code max-age=} is required.
 * Rules combine with {@link RetentionPolicy#and}: an archive goes if any rule condemns it and no
 * protection keeps it. Example: {@code halcyon;keep=install:3;max-age=90d;grace=2h}.
 */
public final class RetentionPolicies {

  /**
   * The default grace period: one hour. It has to cover, with margin, the time from a machine
   * listing or writing an archive to that archive being referenced by a listed manifest: an
   * upload's manifest-then-archive window (seconds to minutes for multi-GB toolchains), a build
   * that started from a freshly uploaded layer, and clock skew between machines and the store
   * (minutes at worst). An hour is long for all of these and short next to the days or weeks
   * between rule-based deletions, so it costs almost no storage. Raise it for builds longer than
   * that.
   */
  public static final Duration DEFAULT_GRACE = Duration.ofHours(1);

  @SuppressWarnings("UnusedVariable") // read by the class javadoc's {@value}
  private static final String DEFAULT_GRACE_TEXT = "1h";

  private static final String ACCEPTED =
      "halcyon, keep=<kind>:<n>[,<kind>:<n>...], keep=<n>, max-age=<duration>, grace=<duration>,"
          + " references, no-references (kinds: toolchain, dependencies, build, install; durations:"
          + " "
          + Durations.FORMS
          + ")";
  private static final Pattern KIND_COUNT = Pattern.compile("([a-z]+):(-?\\d{1,9})");

  private RetentionPolicies() {}

  /**
   * The policies combined: any rule condemns, every protection vetoes, in any order.
   *
   * @param policies rules and protections, in any order
   * @return the combined policy; with no policy it deletes nothing
   */
  public static RetentionPolicy allOf(RetentionPolicy... policies) {
    return allOf(Arrays.asList(policies));
  }

  /**
   * The policies combined: any rule condemns, every protection vetoes, in any order.
   *
   * @param policies rules and protections, in any order
   * @return the combined policy; with no policy it deletes nothing
   */
  public static RetentionPolicy allOf(List<RetentionPolicy> policies) {
    checkNotNull(policies, "policies");
    return new CompositeRetention(policies);
  }

  /**
   * Halcyon's rules, reference protection and the {@link #DEFAULT_GRACE default grace period}.
   *
   * @param clock where the grace period's "now" comes from
   * @return the default policy
   */
  public static RetentionPolicy halcyonDefault(Clock clock) {
    return halcyonDefault(clock, DEFAULT_GRACE);
  }

  /**
   * Halcyon's rules ({@link HalcyonRetention}), made safe for shared buckets: {@link
   * ReferenceProtection} keeps what retained archives were built on, and a {@link GracePeriod} of
   * {@code grace} keeps what was just written — so two builders of one app on different branches no
   * longer delete each other's fresh uploads (the original's issue #17).
   *
   * @param clock where the grace period's "now" comes from
   * @param grace how young an archive is kept regardless of the rules; zero turns the grace period
   *     off
   * @return the policy
   */
  public static RetentionPolicy halcyonDefault(Clock clock, Duration grace) {
    return allOf(new HalcyonRetention(), new ReferenceProtection(), GracePeriod.of(clock, grace));
  }

  /**
   * Parses a retention spec (see the class comment), e.g. {@code keep=install:3,dependencies:2;
   * grace=2h}.
   *
   * @param spec terms separated by {@code ;} or {@code ,}, as described above
   * @param clock where "now" comes from for {@code max-age} and {@code grace}
   * @return the combined policy, with reference protection and a grace period unless turned off
   * @throws IllegalArgumentException naming the bad term and listing the accepted forms
   */
  public static RetentionPolicy parse(String spec, Clock clock) {
    checkNotNull(spec, "spec");
    checkNotNull(clock, "clock");
    List<RetentionPolicy> rules = new ArrayList<>();
    Duration grace = DEFAULT_GRACE;
    boolean graceGiven = false;
    boolean references = true;
    EnumMap<LayerKind, Integer> keep = null;
    boolean inKeep = false;
    for (String raw : spec.split("[;,]", -1)) {
      String term = raw.strip();
      if (term.isEmpty()) {
        throw bad(spec, raw, "empty term");
      }
      Matcher kindCount = KIND_COUNT.matcher(term);
      if (inKeep && kindCount.matches()) {
        putKeep(keep, kindCount, spec, term);
        continue;
      }
      inKeep = false;
      int eq = term.indexOf('=');
      String name = eq < 0 ? term : term.substring(0, eq).strip();
      String value = eq < 0 ? "" : term.substring(eq + 1).strip();
      switch (name) {
        case "halcyon" -> {
          noValue(spec, term, eq);
          rules.add(new HalcyonRetention());
        }
        case "no-references" -> {
          noValue(spec, term, eq);
          references = false;
        }
        case "references" -> noValue(spec, term, eq);
        case "keep" -> {
          checkArgument(keep == null, "retention spec '%s' has two keep= terms: merge them", spec);
          keep = new EnumMap<>(LayerKind.class);
          if (value.matches("-?\\d{1,9}")) {
            int n = Integer.parseInt(value);
            for (LayerKind kind : LayerKind.values()) {
              keep.put(kind, n);
            }
          } else {
            Matcher first = KIND_COUNT.matcher(value);
            if (!first.matches()) {
              throw bad(spec, term, "keep wants <kind>:<n> or <n>");
            }
            putKeep(keep, first, spec, term);
            inKeep = true;
          }
        }
        case "max-age" -> {
          Duration maxAge = duration(spec, term, value);
          if (maxAge.isZero()) {
            throw bad(spec, term, "max-age must be positive");
          }
          rules.add(MaxAgeRetention.of(clock, maxAge));
        }
        case "grace" -> {
          checkArgument(!graceGiven, "retention spec '%s' has two grace= terms", spec);
          graceGiven = true;
          grace = duration(spec, term, value);
        }
        default -> throw bad(spec, term, "unknown term");
      }
    }
    if (keep != null) {
      try {
        rules.add(new KeepNewestRetention(keep));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("retention spec '" + spec + "': " + e.getMessage(), e);
      }
    }
    checkArgument(
        !rules.isEmpty(),
        "retention spec '%s' has no rule that deletes anything: add halcyon, keep=... or"
            + " max-age=... (to never delete, set HALCYON_NO_DELETE=1)",
        spec);
    if (references) {
      rules.add(new ReferenceProtection());
    }
    if (!grace.isZero()) {
      rules.add(GracePeriod.of(clock, grace));
    }
    return allOf(rules);
  }

  private static void putKeep(Map<LayerKind, Integer> keep, Matcher m, String spec, String term) {
    LayerKind kind;
    try {
      kind = LayerKind.parse(m.group(1));
    } catch (IllegalArgumentException e) {
      throw bad(spec, term, "unknown layer kind '" + m.group(1) + "'");
    }
    if (keep.put(kind, Integer.parseInt(m.group(2))) != null) {
      throw bad(spec, term, kind.id() + " is given twice");
    }
  }

  private static Duration duration(String spec, String term, String value) {
    try {
      return Durations.parse(value);
    } catch (IllegalArgumentException e) {
      throw bad(spec, term, "bad duration '" + value + "'");
    }
  }

  private static void noValue(String spec, String term, int eq) {
    if (eq >= 0) {
      throw bad(spec, term, "takes no value");
    }
  }

  private static IllegalArgumentException bad(String spec, String term, String problem) {
    return new IllegalArgumentException(
        "bad retention term '"
            + term.strip()
            + "' in '"
            + spec
            + "' ("
            + problem
            + "): expected "
            + ACCEPTED);
  }
}
