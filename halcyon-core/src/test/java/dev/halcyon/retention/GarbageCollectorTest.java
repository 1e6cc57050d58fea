package dev.halcyon.retention;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.halcyon.layer.Digest;
import dev.halcyon.layer.LayerKind;
import dev.halcyon.layer.LayerTag;
import dev.halcyon.manifest.ArchiveManifest;
import dev.halcyon.naming.ArchiveName;
import dev.halcyon.store.ObjectInfo;
import dev.halcyon.store.StoreException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

class GarbageCollectorTest {
  private static final String PLATFORM = "linux-debian-12-x86_64";
  private static final String JDK = "jdk-17.0.15";

  private final CountingStore store = new CountingStore();
  private final RetentionPolicy policy = RetentionPolicies.halcyonDefault(Buckets.CLOCK);

  private Buckets.Bucket fill(long seed, int archives) {
    Buckets.Bucket bucket = Buckets.generate(new Random(seed), archives);
    for (ObjectInfo info : bucket.objects()) {
      store.putObject(info, bucket.contents().getOrDefault(info.key(), new byte[0]));
    }
    return bucket;
  }

  private GarbageCollector collector() {
    return GarbageCollector.of(store, Buckets.NAMER, policy);
  }

  @Test
  void collect_incompleteUploads_abortsOnlyThoseOlderThanThePolicysGracePeriod()
      throws IOException {
    fill(11, 20);
    store.uploads.put("old/killed.tar.zst", Buckets.NOW.minus(Duration.ofMinutes(61)));
    store.uploads.put("young/running.tar.zst", Buckets.NOW.minus(Duration.ofMinutes(59)));

    GcReport report = collector().collect(false);

    assertThat(report.incompleteUploads()).isEqualTo(1);
    assertThat(report.warnings()).isEmpty();
    assertThat(store.uploads).containsOnlyKeys("young/running.tar.zst");
  }

  @Test
  void collect_incompleteUploadsInDryRun_countedNotAborted() throws IOException {
    fill(12, 20);
    store.uploads.put("old/killed.tar.zst", Buckets.NOW.minus(Duration.ofDays(2)));

    GcReport report = collector().collect(true);

    assertThat(report.incompleteUploads()).isEqualTo(1);
    assertThat(store.uploads).containsOnlyKeys("old/killed.tar.zst");
  }

  @Test
  void collect_zeroGraceOrExplicitUploadGrace_decidesWhichUploadsAreOld() throws IOException {
    store.uploads.put("a", Buckets.NOW.minus(Duration.ofSeconds(1)));
    store.uploads.put("b", Buckets.NOW.minus(Duration.ofHours(3)));
    RetentionPolicy noGrace = RetentionPolicies.parse("halcyon;grace=0", Buckets.CLOCK);

    assertThat(
            GarbageCollector.of(store, Buckets.NAMER, noGrace)
                .withUploadGrace(GracePeriod.of(Buckets.CLOCK, Duration.ofHours(2)))
                .collect(true)
                .incompleteUploads())
        .isEqualTo(1);
    assertThat(
            GarbageCollector.of(store, Buckets.NAMER, noGrace)
                .withUploadGrace(GracePeriod.of(Buckets.CLOCK, Duration.ZERO))
                .collect(false)
                .incompleteUploads())
        .isEqualTo(2);
    assertThat(store.uploads).isEmpty();
  }

  @Test
  void collect_storeCannotListUploads_collectsArchivesAndWarns() throws IOException {
    fill(13, 50);
    RetentionPlan expected = policy.plan(Buckets.generate(new Random(13), 50).listing());
    store.uploads.put("old/killed.tar.zst", Buckets.NOW.minus(Duration.ofDays(2)));
    store.uploadsFailure =
        new StoreException(
            "could not list the incomplete multipart uploads of s3://b: access denied");

    GcReport report = collector().collect(false);

    assertThat(store.deleted).containsExactlyInAnyOrderElementsOf(expected.condemnedKeys());
    assertThat(report.incompleteUploads()).isZero();
    assertThat(report.warnings())
        .containsExactly(
            "incomplete uploads in memory:test were not cleaned: could not list the incomplete multipart uploads of s3://b: access denied");
  }

  @Test
  void collect_dryRun_deletesNothingAndReportsThePlan() throws IOException {
    Buckets.Bucket bucket = fill(1, 200);
    Map<String, ObjectInfo> before = store.snapshot();
    RetentionPlan expected = policy.plan(bucket.listing());

    GcReport report = collector().collect(true);

    assertThat(store.snapshot()).isEqualTo(before);
    assertThat(report.dryRun()).isTrue();
    assertThat(report.plan().condemnedKeys()).isEqualTo(expected.condemnedKeys()).isNotEmpty();
    assertThat(report.bytesFreed()).isEqualTo(expected.bytesFreed());
    assertThat(report.deleteCalls()).isZero();
    assertThat(report.objectsListed()).isEqualTo(bucket.objects().size());
    assertThat(report.unknownObjects()).isEqualTo(2);
  }

  @Test
  void collect_realRun_deletesExactlyThePlanAndLeavesNothingToCollect() throws IOException {
    Buckets.Bucket bucket = fill(2, 200);
    RetentionPlan expected = policy.plan(bucket.listing());
    List<RetentionPlan> heard = new ArrayList<>();
    List<String> heardDeleted = new ArrayList<>();

    GcReport report =
        collector()
            .withListener(
                new GarbageCollector.Listener() {
                  @Override
                  public void planned(RetentionPlan plan) {
                    heard.add(plan);
                  }

                  @Override
                  public void deleted(List<String> keys, int requests) {
                    heardDeleted.addAll(keys);
                  }
                })
            .collect(false);

    assertThat(new HashSet<>(store.deleted)).isEqualTo(expected.condemnedKeys());
    assertThat(store.deleted).hasSameSizeAs(expected.condemned());
    assertThat(heard).containsExactly(report.plan());
    assertThat(heardDeleted).containsExactlyElementsOf(store.deleted);
    assertThat(store.snapshot())
        .containsKeys("README.txt", "original/jdk-17.0.15_linux-x64_bin.tar.gz");
    assertThat(report.listCalls()).isEqualTo(2);
    assertThat(report.deleteCalls()).isEqualTo(1);
    assertThat(report.spared()).isEmpty();
    assertThat(collector().collect(false).plan().condemned()).isEmpty();
  }

  @Test
  void collect_archivesGoBeforeTheirSidecars() throws IOException {
    fill(3, 200);
    collector().withBatchSize(7).collect(false);
    int firstSidecar = -1;
    for (int i = 0; i < store.deleted.size(); i++) {
      boolean archive = Buckets.NAMER.parse(store.deleted.get(i)).orElseThrow().isArchive();
      if (!archive && firstSidecar < 0) {
        firstSidecar = i;
      }
      assertThat(archive && firstSidecar >= 0)
          .as("archive %s after a sidecar", store.deleted.get(i))
          .isFalse();
    }
    assertThat(firstSidecar).isPositive();
    assertThat(store.deleteAllCalls.get()).isEqualTo((store.deleted.size() + 6) / 7);
  }

  @Test
  void collect_readsOnlyTheManifestsOfRetainedArchives() throws IOException {
    // 50 generations of one app's install, each with a manifest: only the newest one's is needed.
    for (int i = 0; i < 50; i++) {
      putInstall(String.format("%07x", i), Buckets.NOW.minus(Duration.ofDays(50 - i)), List.of());
    }
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      GcReport report = collector().withExecutor(pool).collect(false);
      assertThat(report.manifestReads()).isEqualTo(1);
      assertThat(report.plan().condemned()).hasSize(98);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void collect_manifestUploadedBetweenTheTwoLooks_sparesWhatItReferences() throws IOException {
    String oldDeps = putDependencies("aaaaaaa", Buckets.NOW.minus(Duration.ofDays(9)));
    putDependencies("bbbbbbb", Buckets.NOW.minus(Duration.ofDays(8)));
    String rewritten = putInstall("1111111", Buckets.NOW.minus(Duration.ofDays(7)), List.of());
    putInstall("2222222", Buckets.NOW.minus(Duration.ofDays(6)), List.of());
    store.beforeSecondList =
        () -> {
          // Another machine: a fresh install built on the old dependencies archive, and a
          // re-upload.
          putInstall("3333333", Buckets.NOW.minusSeconds(5), List.of(oldDeps));
          store.putObject(rewritten, new byte[] {1, 2}, Buckets.NOW.minusSeconds(1));
        };

    GcReport report = collector().collect(false);

    assertThat(report.spared()).contains(oldDeps, rewritten);
    assertThat(store.snapshot()).containsKeys(oldDeps, rewritten);
    assertThat(store.deleted).doesNotContain(oldDeps, rewritten);
  }

  @Test
  void collect_withoutRecheck_listsOnce() throws IOException {
    fill(4, 100);
    assertThat(collector().withRecheck(false).collect(false).listCalls()).isEqualTo(1);
    assertThat(store.lists.get()).isEqualTo(1);
  }

  @Test
  void collect_manifestUnreadable_failsBeforeDeletingAnything() throws IOException {
    putInstall("1111111", Buckets.NOW.minus(Duration.ofDays(9)), List.of());
    String newest = putInstall("2222222", Buckets.NOW.minus(Duration.ofDays(8)), List.of());
    store.failGetKey =
        Listing.manifestKey(Buckets.NAMER, Buckets.NAMER.parse(newest).orElseThrow());

    assertThatThrownBy(() -> collector().collect(false))
        .isInstanceOf(StoreException.class)
        .hasMessage(
            "gc could not read a manifest from memory:test (nothing was deleted; missing"
                + " manifests could hide references): GET "
                + store.failGetKey
                + " on memory:test failed: AccessDenied");
    assertThat(store.deleted).isEmpty();
  }

  @Test
  void collect_manifestReadBrokenOffTwice_readAgainAndCollects() throws IOException {
    String oldest = putInstall("1111111", Buckets.NOW.minus(Duration.ofDays(9)), List.of());
    String newest = putInstall("2222222", Buckets.NOW.minus(Duration.ofDays(8)), List.of());
    store.failGetKey =
        Listing.manifestKey(Buckets.NAMER, Buckets.NAMER.parse(newest).orElseThrow());
    store.transientGetFailures = 2;

    GcReport report = collector().collect(false);

    assertThat(store.transientGetFailures).isZero();
    assertThat(report.plan().condemnedKeys()).contains(oldest).doesNotContain(newest);
  }

  @Test
  void collect_manifestReadBrokenOffEveryTime_failsBeforeDeletingAnything() throws IOException {
    putInstall("1111111", Buckets.NOW.minus(Duration.ofDays(9)), List.of());
    String newest = putInstall("2222222", Buckets.NOW.minus(Duration.ofDays(8)), List.of());
    store.failGetKey =
        Listing.manifestKey(Buckets.NAMER, Buckets.NAMER.parse(newest).orElseThrow());
    store.transientGetFailures = 3;

    assertThatThrownBy(() -> collector().collect(false))
        .isInstanceOf(dev.halcyon.store.TransientStoreException.class)
        .hasMessageContaining("gc could not read a manifest from memory:test (nothing was deleted;")
        .hasMessageEndingWith("was cut short; run again");
    assertThat(store.deleted).isEmpty();
  }

  @Test
  void collect_manifestReadWhileOverwritten_readAgainAndCollects() throws IOException {
    String oldest = putInstall("1111111", Buckets.NOW.minus(Duration.ofDays(9)), List.of());
    String newest = putInstall("2222222", Buckets.NOW.minus(Duration.ofDays(8)), List.of());
    store.failGetKey =
        Listing.manifestKey(Buckets.NAMER, Buckets.NAMER.parse(newest).orElseThrow());
    store.corruptGetFailures = 1;
    store.transientGetFailures = 0;

    GcReport report = collector().collect(false);

    assertThat(store.corruptGetFailures).isZero();
    assertThat(report.plan().condemnedKeys()).contains(oldest).doesNotContain(newest);
  }

  @Test
  void collect_manifestDamagedForGood_failsBeforeDeletingAnything() throws IOException {
    putInstall("1111111", Buckets.NOW.minus(Duration.ofDays(9)), List.of());
    String newest = putInstall("2222222", Buckets.NOW.minus(Duration.ofDays(8)), List.of());
    store.failGetKey =
        Listing.manifestKey(Buckets.NAMER, Buckets.NAMER.parse(newest).orElseThrow());
    store.corruptGetFailures = Integer.MAX_VALUE;
    store.transientGetFailures = 0;

    assertThatThrownBy(() -> collector().collect(false))
        .hasMessageContaining("gc could not read a manifest from memory:test (nothing was deleted;")
        .hasMessageEndingWith("does not match its recorded digest");
    assertThat(store.deleted).isEmpty();
  }

  @Test
  void collect_deleteFailsInTheSecondBatch_saysHowFarItGot() throws IOException {
    for (int i = 0; i < 30; i++) {
      putInstall(String.format("%07x", i), Buckets.NOW.minus(Duration.ofDays(40 - i)), List.of());
    }
    store.failOnDeleteCall = 2;

    assertThatThrownBy(() -> collector().withBatchSize(10).collect(false))
        .isInstanceOf(StoreException.class)
        .hasMessage(
            "gc deleted 10 of 58 condemned objects from memory:test before a delete failed;"
                + " run gc again to finish: DeleteObjects on memory:test failed: SlowDown");
  }

  @Test
  void collect_twentyThousandCondemned_deletesInTwentyBatches() throws IOException {
    Measured m = measure(20_000);
    assertThat(m.report.plan().condemned()).hasSize(m.condemned);
    assertThat(m.report.deleteCalls()).isEqualTo((m.condemned + 999) / 1000);
    assertThat(m.report.deleteRequests()).isEqualTo(m.report.deleteCalls());
    assertThat(store.snapshot()).hasSize(m.objects - m.condemned);
  }

  @Test
  void collect_hundredThousandObjects_benchmark() throws IOException {
    org.junit.jupiter.api.Assumptions.assumeTrue(
        Boolean.getBoolean("halcyon.bench"), "run with -Dhalcyon.bench=true");
    Measured m = measure(100_000);
    assertThat(m.report.deleteCalls()).isEqualTo((m.condemned + 999) / 1000);
  }

  @Test
  void collect_bucketTheOriginalWrote_deletesWhatHalcyonWouldAndNothingElse() throws IOException {
    String p = "linux-ubuntu-14.04-x86_64/";
    String g = p + "ghc-7.8.4/";
    Instant old = Buckets.NOW.minus(Duration.ofDays(30));
    for (String key :
        List.of(
            p + "halcyon-ghc-7.8.4.tar.gz",
            p + "halcyon-cabal-1.20.0.3.tar.gz",
            p + "halcyon-cabal-1.20.0.3-hackage-2015-01-14.tar.gz",
            g + "halcyon-sandbox-aaaaaaa-halcyon-tutorial-1.0.tar.gz",
            g + "halcyon-sandbox-aaaaaaa-halcyon-tutorial-1.0.constraints",
            g + "halcyon-build-halcyon-tutorial-1.0.tar.gz",
            g + "halcyon-install-1111111-halcyon-tutorial-1.0.tar.gz",
            "original/ghc-7.8.4-x86_64-unknown-linux-deb7.tar.xz")) {
      store.putObject(key, new byte[] {1}, old);
    }
    Instant newer = old.plus(Duration.ofDays(1));
    for (String key :
        List.of(
            p + "halcyon-cabal-1.20.0.3-hackage-2015-01-15.tar.gz",
            g + "halcyon-sandbox-f458aa8-halcyon-tutorial-1.0.tar.gz",
            g + "halcyon-sandbox-f458aa8-halcyon-tutorial-1.0.constraints",
            g + "halcyon-install-b90bb47-halcyon-tutorial-1.0.tar.gz")) {
      store.putObject(key, new byte[] {1}, newer);
    }

    GcReport report =
        GarbageCollector.of(store, new dev.halcyon.naming.OriginalHalcyonNamer(), policy)
            .collect(false);

    assertThat(store.deleted)
        .containsExactlyInAnyOrder(
            p + "halcyon-cabal-1.20.0.3-hackage-2015-01-14.tar.gz",
            g + "halcyon-sandbox-aaaaaaa-halcyon-tutorial-1.0.tar.gz",
            g + "halcyon-sandbox-aaaaaaa-halcyon-tutorial-1.0.constraints",
            g + "halcyon-install-1111111-halcyon-tutorial-1.0.tar.gz");
    assertThat(report.unknownObjects()).isEqualTo(1);
    assertThat(report.deleteCalls()).isEqualTo(1);
  }

  @Test
  void collect_onInMemoryLayerStore_deletesThePlanInBatchesAndClosesEveryStream()
      throws IOException {
    SettableClock clock = new SettableClock();
    dev.halcyon.store.InMemoryLayerStore memory = new dev.halcyon.store.InMemoryLayerStore(clock);
    Buckets.Bucket bucket = Buckets.generate(new Random(6), 300);
    for (ObjectInfo info : bucket.objects()) {
      clock.now = info.lastModified();
      memory.put(
          info.key(),
          bucket.contents().getOrDefault(info.key(), new byte[0]),
          dev.halcyon.store.PutMode.OVERWRITE);
    }
    RetentionPlan expected = policy.plan(bucket.listing());
    GarbageCollector gc = GarbageCollector.of(memory, Buckets.NAMER, policy).withBatchSize(50);

    GcReport dry = gc.collect(true);
    assertThat(memory.list("")).hasSize(bucket.objects().size());
    GcReport real = gc.collect(false);

    assertThat(dry.plan().condemnedKeys()).isEqualTo(expected.condemnedKeys());
    assertThat(real.plan().condemnedKeys()).isEqualTo(expected.condemnedKeys());
    assertThat(memory.list(""))
        .extracting(ObjectInfo::key)
        .doesNotContainAnyElementsOf(expected.condemnedKeys())
        .hasSize(bucket.objects().size() - expected.condemned().size());
    assertThat(real.deleteCalls()).isEqualTo((expected.condemned().size() + 49) / 50);
    assertThat(real.manifestReads()).isPositive();
    memory.assertNoOpenStreams();
  }

  /** A clock the test moves, so the in-memory store dates objects as generated. */
  private static final class SettableClock extends java.time.Clock {
    Instant now = Buckets.NOW;

    @Override
    public java.time.ZoneId getZone() {
      return java.time.ZoneOffset.UTC;
    }

    @Override
    public java.time.Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  private record Measured(GcReport report, int objects, int condemned) {}

  /**
   * {@code n} objects: per app label and toolchain a long history of install archives (only the
   * newest survives Halcyon's rules) and a few kept apps; prints the figures for the report.
   */
  private Measured measure(int n) throws IOException {
    Random random = new Random(99);
    String[] toolchains = {"jdk-17.0.15", "jdk-21.0.3"};
    int kept = 0;
    for (int i = 0; i < n; i++) {
      String label = "app" + (i % 50) + "-1.0";
      String toolchain = toolchains[(i / 50) % 2];
      ArchiveName name =
          new ArchiveName(
              LayerKind.INSTALL, PLATFORM, toolchain, label, Buckets.hex(random, 7), "", "tar.zst");
      store.putObject(
          new ObjectInfo(
              Buckets.NAMER.key(name),
              2_000_000,
              java.util.Optional.empty(),
              Buckets.NOW.minus(Duration.ofDays(2)).plusMillis(i)),
          new byte[0]);
    }
    int objects = store.snapshot().size();
    int condemned = objects - 100;
    GcReport report = collector().collect(false);
    System.out.printf(
        "gc of %,d objects: condemned %,d (%,d bytes) | list+manifests %d ms, plan %d ms,"
            + " re-check+delete %d ms, total %d ms | list calls %d, manifest reads %d, deleteAll"
            + " calls %d, delete requests %d%n",
        objects,
        report.plan().condemned().size(),
        report.bytesFreed(),
        report.listTime().toMillis(),
        report.planTime().toMillis(),
        report.deleteTime().toMillis(),
        report.elapsed().toMillis(),
        report.listCalls(),
        report.manifestReads(),
        report.deleteCalls(),
        report.deleteRequests());
    return new Measured(report, objects, condemned);
  }

  private String putInstall(String hash, Instant written, List<String> builtOn) {
    ArchiveName name =
        new ArchiveName(LayerKind.INSTALL, PLATFORM, JDK, "shop-1.0", hash, "", "tar.zst");
    return putWithManifest(name, written, builtOn);
  }

  private String putDependencies(String hash, Instant written) {
    ArchiveName name =
        new ArchiveName(LayerKind.DEPENDENCIES, PLATFORM, JDK, "shop-1.0", hash, "", "tar.zst");
    return putWithManifest(name, written, List.of());
  }

  private String putWithManifest(ArchiveName name, Instant written, List<String> builtOn) {
    String key = Buckets.NAMER.key(name);
    ArchiveManifest manifest =
        new ArchiveManifest(
            key,
            Digest.sha256(key),
            3,
            written,
            LayerTag.of(name.kind(), PLATFORM, JDK, name.label()),
            builtOn);
    store.putObject(
        Listing.manifestKey(Buckets.NAMER, name),
        manifest.format().getBytes(StandardCharsets.UTF_8),
        written);
    store.putObject(key, new byte[] {1, 2, 3}, written);
    return key;
  }
}
