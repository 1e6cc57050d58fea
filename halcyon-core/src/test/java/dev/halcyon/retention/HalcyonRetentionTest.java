package dev.halcyon.retention;

import static org.assertj.core.api.Assertions.assertThat;

import dev.halcyon.naming.OriginalHalcyonNamer;
import dev.halcyon.store.ObjectInfo;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Halcyon's rules (spec §5.6) on a bucket the original Halcyon wrote. */
class HalcyonRetentionTest {
  private static final String P = "linux-ubuntu-14.04-x86_64/";
  private static final String G = P + "ghc-7.8.4/";
  private static final Instant NOW = Buckets.NOW;

  private final List<ObjectInfo> objects = new ArrayList<>();

  private void put(String key, long daysOld) {
    objects.add(
        new ObjectInfo(
            key, 1000 + key.length(), Optional.empty(), NOW.minus(Duration.ofDays(daysOld))));
  }

  private Listing listing() {
    return Listing.of(objects, Map.of(), new OriginalHalcyonNamer());
  }

  /** The tutorial's bucket (spec §3.1) after three deploys of new commits and two index updates. */
  private void tutorialBucket() {
    put(P + "halcyon-ghc-7.8.4.tar.gz", 40);
    put(P + "halcyon-cabal-1.20.0.3.tar.gz", 40);
    put(P + "halcyon-cabal-1.20.0.3-hackage-2015-01-13.tar.gz", 12);
    put(P + "halcyon-cabal-1.20.0.3-hackage-2015-01-14.tar.gz", 11);
    put(P + "halcyon-cabal-1.20.0.3-hackage-2015-01-15.tar.gz", 10);
    put(G + "halcyon-sandbox-aaaaaaa-halcyon-tutorial-1.0.tar.gz", 9);
    put(G + "halcyon-sandbox-aaaaaaa-halcyon-tutorial-1.0.constraints", 9);
    put(G + "halcyon-sandbox-f458aa8-halcyon-tutorial-1.0.tar.gz", 8);
    put(G + "halcyon-sandbox-f458aa8-halcyon-tutorial-1.0.constraints", 8);
    put(G + "halcyon-build-halcyon-tutorial-1.0.tar.gz", 3);
    put(G + "halcyon-install-1111111-halcyon-tutorial-1.0.tar.gz", 7);
    put(G + "halcyon-install-2222222-halcyon-tutorial-1.0.tar.gz", 5);
    put(G + "halcyon-install-b90bb47-halcyon-tutorial-1.0.tar.gz", 3);
    put("original/ghc-7.8.4-x86_64-unknown-linux-deb7.tar.xz", 40);
    put("original/cabal-install-1.20.0.3.tar.gz", 40);
  }

  @Test
  void plan_tutorialBucket_keepsOneInstallAndSandboxPerLabelAndTheNewestCabalIndex() {
    tutorialBucket();
    RetentionPlan plan = new HalcyonRetention().plan(listing());
    assertThat(plan.condemnedKeys())
        .containsExactlyInAnyOrder(
            P + "halcyon-cabal-1.20.0.3-hackage-2015-01-13.tar.gz",
            P + "halcyon-cabal-1.20.0.3-hackage-2015-01-14.tar.gz",
            G + "halcyon-install-1111111-halcyon-tutorial-1.0.tar.gz",
            G + "halcyon-install-2222222-halcyon-tutorial-1.0.tar.gz",
            G + "halcyon-sandbox-aaaaaaa-halcyon-tutorial-1.0.constraints",
            G + "halcyon-sandbox-aaaaaaa-halcyon-tutorial-1.0.tar.gz");
  }

  @Test
  void plan_tutorialBucket_explainsEachDecision() {
    tutorialBucket();
    Map<String, Condemned> byKey = new HalcyonRetention().plan(listing()).condemnedByKey();
    assertThat(byKey.get(G + "halcyon-install-1111111-halcyon-tutorial-1.0.tar.gz"))
        .extracting(Condemned::rule, Condemned::reason)
        .containsExactly(
            "halcyon",
            "superseded by halcyon-install-b90bb47-halcyon-tutorial-1.0.tar.gz (same label and"
                + " toolchain)");
    assertThat(byKey.get(P + "halcyon-cabal-1.20.0.3-hackage-2015-01-13.tar.gz").reason())
        .isEqualTo(
            "superseded by halcyon-cabal-1.20.0.3-hackage-2015-01-15.tar.gz (newer snapshot, same"
                + " toolchain and repository)");
    assertThat(byKey.get(G + "halcyon-sandbox-aaaaaaa-halcyon-tutorial-1.0.constraints"))
        .extracting(Condemned::rule, Condemned::reason)
        .containsExactly(
            "sidecar", "follows its archive halcyon-sandbox-aaaaaaa-halcyon-tutorial-1.0.tar.gz");
  }

  @Test
  void plan_tutorialBucket_leavesForeignKeysUnknownAndUntouched() {
    tutorialBucket();
    Listing listing = listing();
    assertThat(listing.unknown())
        .extracting(ObjectInfo::key)
        .containsExactly(
            "original/cabal-install-1.20.0.3.tar.gz",
            "original/ghc-7.8.4-x86_64-unknown-linux-deb7.tar.xz");
    assertThat(new HalcyonRetention().plan(listing).condemnedKeys())
        .noneMatch(k -> k.startsWith("original/"));
  }

  @Test
  void plan_datedSnapshot_newestDateWinsOverNewerUpload() {
    // A machine with a slow clock uploads yesterday's index after today's: the date decides.
    put(P + "halcyon-cabal-1.20.0.3-hackage-2015-01-15.tar.gz", 2);
    put(P + "halcyon-cabal-1.20.0.3-hackage-2015-01-14.tar.gz", 1);
    assertThat(new HalcyonRetention().plan(listing()).condemnedKeys())
        .containsExactly(P + "halcyon-cabal-1.20.0.3-hackage-2015-01-14.tar.gz");
  }

  @Test
  void plan_differentReposVersionsAndMagic_areSeparateSeries() {
    put(P + "halcyon-cabal-1.20.0.3-hackage-2015-01-14.tar.gz", 2);
    put(P + "halcyon-cabal-1.20.0.3-myrepo-2015-01-13.tar.gz", 3);
    put(P + "halcyon-cabal-1.22.0.0-hackage-2015-01-13.tar.gz", 3);
    put(P + "halcyon-cabal-1.20.0.3.1a2b3c4-hackage-2015-01-13.tar.gz", 3);
    put(P + "halcyon-cabal-1.20.0.3-stackage-lts-2.9.tar.gz", 9);
    put(P + "halcyon-cabal-1.20.0.3-stackage-lts-2.10.tar.gz", 1);
    assertThat(new HalcyonRetention().plan(listing()).condemned()).isEmpty();
  }

  @Test
  void plan_labelsAndToolchains_areComparedExactly() {
    // The original's pattern let '.' in a label match any character: app-1x0 would have gone.
    put(G + "halcyon-install-1111111-app-1.0.tar.gz", 5);
    put(G + "halcyon-install-2222222-app-1x0.tar.gz", 9);
    put(P + "ghc-7.10.1/halcyon-install-3333333-app-1.0.tar.gz", 9);
    put("linux-centos-7-x86_64/ghc-7.8.4/halcyon-install-4444444-app-1.0.tar.gz", 9);
    assertThat(new HalcyonRetention().plan(listing()).condemned()).isEmpty();
  }

  @Test
  void plan_equalTimes_keepTheGreaterKey() {
    put(G + "halcyon-install-aaaaaaa-app-1.0.tar.gz", 5);
    put(G + "halcyon-install-bbbbbbb-app-1.0.tar.gz", 5);
    assertThat(new HalcyonRetention().plan(listing()).condemnedKeys())
        .containsExactly(G + "halcyon-install-aaaaaaa-app-1.0.tar.gz");
  }

  @Test
  void plan_buildAndGhcArchives_areNeverCondemned() {
    put(P + "halcyon-ghc-7.8.4.tar.gz", 400);
    put(P + "halcyon-ghc-7.10.1.tar.gz", 1);
    put(G + "halcyon-build-app-1.0.tar.gz", 400);
    put(G + "halcyon-build-other-2.0.tar.gz", 1);
    assertThat(new HalcyonRetention().plan(listing()).condemned()).isEmpty();
  }

  @Test
  void halcyonDefault_twoBranchesUploadingMinutesApart_keepsBothFreshInstalls() {
    // Issue #17 of the original: builders of one app on two branches deleted each other's archive.
    objects.add(
        new ObjectInfo(
            G + "halcyon-install-1111111-app-1.0.tar.gz",
            10,
            Optional.empty(),
            NOW.minusSeconds(600)));
    objects.add(
        new ObjectInfo(
            G + "halcyon-install-2222222-app-1.0.tar.gz",
            10,
            Optional.empty(),
            NOW.minusSeconds(60)));
    RetentionPlan plan = RetentionPolicies.halcyonDefault(Buckets.CLOCK).plan(listing());
    assertThat(plan.condemned()).isEmpty();
    assertThat(plan.protections())
        .singleElement()
        .extracting(Protected::key, Protected::rule, Protected::reason)
        .containsExactly(
            G + "halcyon-install-1111111-app-1.0.tar.gz",
            "grace",
            "written 10m ago, within the grace period of 1h");
  }
}
