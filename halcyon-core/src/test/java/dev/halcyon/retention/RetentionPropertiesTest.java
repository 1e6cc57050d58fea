package dev.halcyon.retention;

import static org.assertj.core.api.Assertions.assertThat;

import dev.halcyon.layer.LayerKind;
import dev.halcyon.store.ObjectInfo;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class RetentionPropertiesTest {
  private static final int ITERATIONS = 120;

  /** Every policy under test, by the grace period it uses. */
  private static final Map<String, Function<Duration, RetentionPolicy>> POLICIES = policies();

  private static Map<String, Function<Duration, RetentionPolicy>> policies() {
    Map<String, Function<Duration, RetentionPolicy>> out = new java.util.LinkedHashMap<>();
    out.put("halcyonDefault", g -> RetentionPolicies.halcyonDefault(Buckets.CLOCK, g));
    out.put(
        "keep",
        g ->
            RetentionPolicies.allOf(
                new KeepNewestRetention(
                    Map.of(
                        LayerKind.INSTALL,
                        2,
                        LayerKind.DEPENDENCIES,
                        1,
                        LayerKind.TOOLCHAIN,
                        1,
                        LayerKind.BUILD,
                        1)),
                new ReferenceProtection(),
                GracePeriod.of(Buckets.CLOCK, g)));
    out.put(
        "maxAge",
        g ->
            RetentionPolicies.allOf(
                GracePeriod.of(Buckets.CLOCK, g),
                MaxAgeRetention.of(Buckets.CLOCK, Duration.ofDays(20)),
                new ReferenceProtection()));
    out.put(
        "everything",
        g ->
            RetentionPolicies.parse(
                "keep=install:3,dependencies:2;halcyon;max-age=30d;grace=" + g.toSeconds() + "s",
                Buckets.CLOCK));
    return out;
  }

  @Test
  void plan_appliedThenPlannedAgain_condemnsNothingNew() {
    Random random = new Random(5);
    for (int i = 0; i < ITERATIONS; i++) {
      Listing listing = Buckets.generate(random, 1 + random.nextInt(60)).listing();
      Duration grace = Duration.ofMinutes(random.nextInt(180));
      for (var entry : POLICIES.entrySet()) {
        RetentionPolicy policy = entry.getValue().apply(grace);
        RetentionPlan first = policy.plan(listing);
        RetentionPlan second = policy.plan(listing.without(first.condemnedKeys()));
        assertThat(second.condemned())
            .as("%s, iteration %s, after deleting %s", entry.getKey(), i, first.condemnedKeys())
            .isEmpty();
      }
    }
  }

  @Test
  void plan_longerGrace_neverCondemnsMore() {
    Random random = new Random(17);
    for (int i = 0; i < ITERATIONS; i++) {
      Listing listing = Buckets.generate(random, 1 + random.nextInt(60)).listing();
      Duration shorter = Duration.ofMinutes(random.nextInt(120));
      Duration longer = shorter.plus(Duration.ofMinutes(1 + random.nextInt(30 * 24 * 60)));
      for (var entry : POLICIES.entrySet()) {
        Set<String> withShorter = entry.getValue().apply(shorter).plan(listing).condemnedKeys();
        Set<String> withLonger = entry.getValue().apply(longer).plan(listing).condemnedKeys();
        assertThat(withShorter).as("%s, iteration %s", entry.getKey(), i).containsAll(withLonger);
      }
    }
  }

  @Test
  void plan_withReferenceProtection_neverCondemnsWhatARetainedArchiveWasBuiltOn() {
    Random random = new Random(23);
    int references = 0;
    for (int i = 0; i < ITERATIONS; i++) {
      Listing listing = Buckets.generate(random, 1 + random.nextInt(60)).listing();
      for (var entry : POLICIES.entrySet()) {
        RetentionPlan plan = entry.getValue().apply(Duration.ofMinutes(30)).plan(listing);
        Set<String> condemned = plan.condemnedKeys();
        for (StoredArchive archive : listing.archives()) {
          if (!condemned.contains(archive.key())) {
            for (String reference : archive.builtOn()) {
              references++;
              assertThat(condemned)
                  .as("%s: %s is built on %s", entry.getKey(), archive.key(), reference)
                  .doesNotContain(reference);
            }
          }
        }
      }
    }
    assertThat(references).as("the generator produced references").isGreaterThan(1000);
  }

  @Test
  void plan_everyDecision_hasRuleReasonAndAListedUnderstoodObject() {
    Random random = new Random(31);
    for (int i = 0; i < ITERATIONS; i++) {
      Listing listing = Buckets.generate(random, 1 + random.nextInt(60)).listing();
      Map<String, StoredArchive> understood = new HashMap<>();
      listing.objects().forEach(o -> understood.put(o.key(), o));
      for (var entry : POLICIES.entrySet()) {
        RetentionPlan plan = entry.getValue().apply(Duration.ofHours(1)).plan(listing);
        for (Condemned item : plan.condemned()) {
          assertThat(item.rule()).isNotBlank();
          assertThat(item.reason()).isNotBlank();
          assertThat(understood).containsEntry(item.key(), item.archive());
        }
        for (Protected item : plan.protections()) {
          assertThat(item.rule()).isNotBlank();
          assertThat(item.reason()).isNotBlank();
        }
        assertThat(plan.condemnedKeys())
            .doesNotContainAnyElementsOf(listing.unknown().stream().map(ObjectInfo::key).toList());
      }
    }
  }

  @Test
  void plan_sidecars_followTheirArchives() {
    Random random = new Random(37);
    for (int i = 0; i < ITERATIONS; i++) {
      Listing listing = Buckets.generate(random, 1 + random.nextInt(60)).listing();
      RetentionPlan plan = RetentionPolicies.halcyonDefault(Buckets.CLOCK).plan(listing);
      Set<String> condemned = plan.condemnedKeys();
      for (StoredArchive sidecar : listing.sidecars()) {
        List<StoredArchive> owners =
            listing.archives().stream()
                .filter(a -> Plans.identity(a.name()).equals(Plans.identity(sidecar.name())))
                .toList();
        if (!owners.isEmpty()) {
          boolean allGone = owners.stream().allMatch(o -> condemned.contains(o.key()));
          assertThat(condemned.contains(sidecar.key())).as(sidecar.key()).isEqualTo(allGone);
        } else {
          boolean young =
              sidecar.lastModified().isAfter(Buckets.NOW.minus(RetentionPolicies.DEFAULT_GRACE));
          assertThat(condemned.contains(sidecar.key()))
              .as("orphan %s", sidecar.key())
              .isEqualTo(!young);
        }
      }
    }
  }

  @Test
  void allOf_protectionsInAnyOrder_giveTheSamePlan() {
    Random random = new Random(41);
    for (int i = 0; i < ITERATIONS; i++) {
      Listing listing = Buckets.generate(random, 1 + random.nextInt(60)).listing();
      RetentionPolicy rules =
          RetentionPolicies.allOf(
              new HalcyonRetention(), MaxAgeRetention.of(Buckets.CLOCK, Duration.ofDays(10)));
      GracePeriod grace = GracePeriod.of(Buckets.CLOCK, Duration.ofDays(3));
      ReferenceProtection references = new ReferenceProtection();
      RetentionPlan a = RetentionPolicies.allOf(rules, grace, references).plan(listing);
      RetentionPlan b = RetentionPolicies.allOf(references, grace, rules).plan(listing);
      RetentionPlan c = grace.and(references.and(rules)).plan(listing);
      assertThat(b.condemnedKeys()).isEqualTo(a.condemnedKeys());
      assertThat(c.condemnedKeys()).isEqualTo(a.condemnedKeys());
    }
  }
}
