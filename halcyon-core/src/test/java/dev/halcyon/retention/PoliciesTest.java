package dev.halcyon.retention;

import static org.assertj.core.api.Assertions.assertThat;

import dev.halcyon.layer.Digest;
import dev.halcyon.layer.LayerKind;
import dev.halcyon.layer.LayerTag;
import dev.halcyon.manifest.ArchiveManifest;
import dev.halcyon.naming.ArchiveName;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Worked examples of each policy on a small bucket in the default layout. */
class PoliciesTest {
  private static final String PLATFORM = "linux-debian-12-x86_64";
  private static final String JDK = "jdk-17.0.15";

  private final List<StoredArchive> objects = new ArrayList<>();

  private StoredArchive add(ArchiveName name, long hoursOld, String... builtOn) {
    String key = Buckets.NAMER.key(name);
    Instant written = Buckets.NOW.minus(Duration.ofHours(hoursOld));
    Optional<ArchiveManifest> manifest = Optional.empty();
    if (builtOn.length > 0) {
      LayerTag tag = LayerTag.of(name.kind(), PLATFORM, JDK, name.label());
      manifest =
          Optional.of(
              new ArchiveManifest(key, Digest.sha256(key), 100, written, tag, List.of(builtOn)));
    }
    StoredArchive archive = new StoredArchive(key, name, 100, written, manifest);
    objects.add(archive);
    return archive;
  }

  private static ArchiveName install(String hash, String label) {
    return new ArchiveName(LayerKind.INSTALL, PLATFORM, JDK, label, hash, "", "tar.zst");
  }

  private static ArchiveName dependencies(String hash, String label) {
    return new ArchiveName(LayerKind.DEPENDENCIES, PLATFORM, JDK, label, hash, "", "tar.zst");
  }

  private static ArchiveName toolchain(String qualifier) {
    return new ArchiveName(LayerKind.TOOLCHAIN, PLATFORM, JDK, "", "", qualifier, "tar.zst");
  }

  private Listing listing() {
    return Listing.of(objects);
  }

  @Test
  void keepNewest_threeInstalls_keepsTwoAndSaysWhichGoes() {
    add(install("1111111", "shop-1.0"), 30);
    add(install("2222222", "shop-1.0"), 20);
    add(install("3333333", "shop-1.0"), 10);
    add(install("4444444", "other-1.0"), 90);
    RetentionPlan plan = KeepNewestRetention.of(LayerKind.INSTALL, 2).plan(listing());
    assertThat(plan.condemned())
        .singleElement()
        .extracting(c -> c.archive().name().hash(), Condemned::rule, Condemned::reason)
        .containsExactly(
            "1111111",
            "keep-newest",
            "number 3 by age of 3 install shop-1.0 on linux-debian-12-x86_64/jdk-17.0.15; keeping"
                + " the newest 2");
  }

  @Test
  void keepNewest_datedToolchainsPerRepository_areOneLineageEach() {
    add(toolchain("central-2026-11-01"), 50);
    add(toolchain("central-2026-11-02"), 40);
    add(toolchain("mirror-2026-11-01"), 40);
    add(toolchain(""), 400);
    RetentionPlan plan = KeepNewestRetention.of(LayerKind.TOOLCHAIN, 1).plan(listing());
    assertThat(plan.condemned())
        .extracting(c -> c.archive().name().qualifier())
        .containsExactly("central-2026-11-01");
  }

  @Test
  void maxAge_olderArchives_areCondemnedWithTheirAge() {
    add(install("1111111", "shop-1.0"), 24 * 31);
    add(install("2222222", "shop-1.0"), 24 * 29);
    RetentionPlan plan = MaxAgeRetention.of(Buckets.CLOCK, Duration.ofDays(30)).plan(listing());
    assertThat(plan.condemned())
        .singleElement()
        .extracting(c -> c.archive().name().hash(), Condemned::reason)
        .containsExactly("1111111", "written 31d ago, older than 30d");
  }

  @Test
  void referenceProtection_keepsWhatARetainedInstallWasBuiltOn_transitively() {
    StoredArchive jdk = add(toolchain(""), 24 * 90);
    StoredArchive oldDeps = add(dependencies("aaaaaaa", "shop-1.0"), 24 * 80, jdk.key());
    StoredArchive newDeps = add(dependencies("bbbbbbb", "shop-1.0"), 24 * 10, jdk.key());
    StoredArchive install = add(install("1111111", "shop-1.0"), 24 * 70, oldDeps.key());
    RetentionPolicy policy =
        RetentionPolicies.allOf(
            MaxAgeRetention.of(Buckets.CLOCK, Duration.ofDays(60)),
            KeepNewestRetention.of(LayerKind.DEPENDENCIES, 1),
            new ReferenceProtection());
    RetentionPlan plan = policy.plan(listing());
    // The install is too old; nothing references it, so it goes, and with it the protection of
    // the old dependencies archive; the toolchain is still referenced by the newer dependencies.
    assertThat(plan.condemnedKeys()).containsExactlyInAnyOrder(install.key(), oldDeps.key());
    assertThat(plan.protections())
        .singleElement()
        .extracting(Protected::key, Protected::rule, Protected::reason)
        .containsExactly(jdk.key(), "references", "built on by retained " + newDeps.fileName());
  }

  @Test
  void referenceProtection_aRetainedInstall_keepsItsChainAlive() {
    StoredArchive jdk = add(toolchain(""), 24 * 90);
    StoredArchive oldDeps = add(dependencies("aaaaaaa", "shop-1.0"), 24 * 80, jdk.key());
    add(dependencies("bbbbbbb", "shop-1.0"), 24 * 10);
    StoredArchive install = add(install("1111111", "shop-1.0"), 24, oldDeps.key());
    RetentionPlan plan =
        RetentionPolicies.allOf(
                new ReferenceProtection(),
                MaxAgeRetention.of(Buckets.CLOCK, Duration.ofDays(60)),
                KeepNewestRetention.of(LayerKind.DEPENDENCIES, 1))
            .plan(listing());
    assertThat(plan.condemned()).isEmpty();
    assertThat(plan.protections())
        .extracting(Protected::key, Protected::reason)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple(
                oldDeps.key(), "built on by retained " + install.fileName()),
            org.assertj.core.groups.Tuple.tuple(
                jdk.key(), "built on by retained " + oldDeps.fileName()));
  }

  @Test
  void halcyonDefault_extendedDependencies_keepsTheNewestPerLabel_andNotTheOneItExtended() {
    StoredArchive jdk = add(toolchain(""), 24 * 90);
    StoredArchive base = add(dependencies("aaaaaaa", "shop-1.0"), 48, jdk.key());
    String key = Buckets.NAMER.key(dependencies("bbbbbbb", "shop-1.0"));
    Instant written = Buckets.NOW.minus(Duration.ofHours(2));
    ArchiveManifest extended =
        new ArchiveManifest(
                key,
                Digest.sha256(key),
                100,
                written,
                LayerTag.of(LayerKind.DEPENDENCIES, PLATFORM, JDK, "shop-1.0"),
                List.of(jdk.key()))
            .withExtendedFrom(Optional.of(base.key()));
    objects.add(
        new StoredArchive(
            key, dependencies("bbbbbbb", "shop-1.0"), 100, written, Optional.of(extended)));
    add(install("1111111", "shop-1.0"), 1, key, jdk.key());

    RetentionPlan plan = RetentionPolicies.halcyonDefault(Buckets.CLOCK).plan(listing());

    // extended-from is a record, not a reference: the one dependencies archive per label rule
    // still condemns the older layer, and the extended one (referenced by the install) stays.
    assertThat(plan.condemned())
        .extracting(Condemned::key)
        .contains(base.key())
        .doesNotContain(key);
  }

  @Test
  void gracePeriod_vetoedArchive_protectsWhatItReferences_whateverTheOrder() {
    StoredArchive oldDeps = add(dependencies("aaaaaaa", "shop-1.0"), 24 * 80);
    add(install("1111111", "shop-1.0"), 0, oldDeps.key());
    MaxAgeRetention everything = MaxAgeRetention.of(Buckets.CLOCK, Duration.ofMinutes(1));
    GracePeriod grace = GracePeriod.of(Buckets.CLOCK, Duration.ofHours(1));
    ReferenceProtection references = new ReferenceProtection();
    for (RetentionPolicy policy :
        List.of(
            RetentionPolicies.allOf(everything, references, grace),
            RetentionPolicies.allOf(everything, grace, references),
            grace.and(everything).and(references))) {
      assertThat(policy.plan(listing()).condemned()).as(policy.toString()).isEmpty();
    }
  }

  @Test
  void sidecars_ofKeptArchive_areKept_andOrphansGoAfterGrace() {
    StoredArchive kept = add(install("1111111", "shop-1.0"), 1);
    ArchiveName manifestName = kept.name().withExtension("manifest");
    objects.add(
        StoredArchive.of(Buckets.NAMER.key(manifestName), manifestName, 10, kept.lastModified()));
    ArchiveName oldOrphan = install("2222222", "shop-1.0").withExtension("manifest");
    objects.add(
        StoredArchive.of(
            Buckets.NAMER.key(oldOrphan), oldOrphan, 10, Buckets.NOW.minus(Duration.ofDays(2))));
    ArchiveName youngOrphan = install("3333333", "shop-1.0").withExtension("manifest");
    objects.add(
        StoredArchive.of(
            Buckets.NAMER.key(youngOrphan), youngOrphan, 10, Buckets.NOW.minusSeconds(5)));
    RetentionPlan plan = RetentionPolicies.halcyonDefault(Buckets.CLOCK).plan(listing());
    assertThat(plan.condemned())
        .singleElement()
        .extracting(Condemned::key, Condemned::rule)
        .containsExactly(Buckets.NAMER.key(oldOrphan), "orphan");
  }

  @Test
  void referrers_listWhoIsBuiltOnWhat() {
    StoredArchive jdk = add(toolchain(""), 9);
    StoredArchive deps = add(dependencies("aaaaaaa", "shop-1.0"), 8, jdk.key());
    StoredArchive install = add(install("1111111", "shop-1.0"), 7, deps.key(), jdk.key());
    assertThat(listing().referrers())
        .containsExactly(
            Map.entry(jdk.key(), List.of(deps.key(), install.key())),
            Map.entry(deps.key(), List.of(install.key())));
  }

  @Test
  void bytesFreed_sumsTheCondemned() {
    add(install("1111111", "shop-1.0"), 30);
    add(install("2222222", "shop-1.0"), 20);
    add(install("3333333", "shop-1.0"), 10);
    assertThat(new HalcyonRetention().plan(listing()).bytesFreed()).isEqualTo(200);
  }

  @Test
  void listingOf_pairsManifestsByExactArchiveKey_andSeparatesUnknownKeys() {
    ArchiveName zst = install("1111111", "shop-1.0");
    ArchiveName gz =
        new ArchiveName(LayerKind.INSTALL, PLATFORM, JDK, "shop-1.0", "1111111", "", "tar.gz");
    String manifestKey = Listing.manifestKey(Buckets.NAMER, zst);
    ArchiveManifest manifest =
        ArchiveManifest.of(
            Buckets.NAMER.key(zst),
            Digest.sha256("x"),
            5,
            Buckets.NOW,
            LayerTag.of(LayerKind.INSTALL, PLATFORM, JDK, "shop-1.0"));
    List<dev.halcyon.store.ObjectInfo> infos =
        List.of(
            new dev.halcyon.store.ObjectInfo(
                Buckets.NAMER.key(zst), 5, Optional.empty(), Buckets.NOW),
            new dev.halcyon.store.ObjectInfo(
                Buckets.NAMER.key(gz), 5, Optional.empty(), Buckets.NOW),
            new dev.halcyon.store.ObjectInfo(manifestKey, 5, Optional.empty(), Buckets.NOW),
            new dev.halcyon.store.ObjectInfo("notes/readme.md", 5, Optional.empty(), Buckets.NOW));
    Listing listing = Listing.of(infos, Map.of(manifestKey, manifest), Buckets.NAMER);
    assertThat(listing.find(Buckets.NAMER.key(zst)).orElseThrow().manifest()).contains(manifest);
    assertThat(listing.find(Buckets.NAMER.key(gz)).orElseThrow().manifest()).isEmpty();
    assertThat(listing.sidecars()).extracting(StoredArchive::key).containsExactly(manifestKey);
    assertThat(listing.unknown())
        .extracting(dev.halcyon.store.ObjectInfo::key)
        .containsExactly("notes/readme.md");
  }
}
