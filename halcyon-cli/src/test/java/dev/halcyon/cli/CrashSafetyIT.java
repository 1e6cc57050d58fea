package dev.halcyon.cli;

import static dev.halcyon.cli.Machines.machine;
import static dev.halcyon.cli.Machines.with;
import static org.assertj.core.api.Assertions.assertThat;

import dev.halcyon.manifest.ArchiveManifest;
import dev.halcyon.s3.S3ProxyExtension;
import dev.halcyon.store.DirectoryLayerStore;
import dev.halcyon.store.ObjectInfo;
import dev.halcyon.store.PutMode;
import dev.halcyon.store.StoredObject;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Kills the CLI (SIGKILL) at seeded random points of a deploy, a build with upload, and a garbage
 * collection, against a folder store and the local cache. After every kill: the installed app is
 * absent, the old version whole or the new version whole; every object in the store and the cache
 * verifies; archives present still have what they were built on; and the next run completes and
 * leaves no temporary files, staging or trash directories (once they are older than the sweep's
 * one-hour age, which the test simulates by ageing them).
 *
 * <p>{@code -Dhalcyon.stress=true} runs 30 kills per scenario instead of 6.
 */
class CrashSafetyIT {
  static final int KILLS = Boolean.getBoolean("halcyon.stress") ? 30 : 6;
  static final long SEED = Long.getLong("halcyon.seed", 20261125L);

  @RegisterExtension
  static final S3ProxyExtension S3_PROXY =
      S3ProxyExtension.builder().shared().withInitialBuckets("crash").build();

  @TempDir Path tmp;

  record Kill(int exitOrMinusOne, Optional<Map<String, String>> tree) {}

  /** Starts a run, kills it after {@code delayMillis} (unless it ended first), returns its exit. */
  static int killAfter(Map<String, String> env, Path dir, long delayMillis, String... args)
      throws Exception {
    Process p = CliProcess.start(env, dir, args);
    if (p.waitFor(delayMillis, TimeUnit.MILLISECONDS)) {
      return p.exitValue();
    }
    p.destroyForcibly();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return -1;
  }

  static long timed(Map<String, String> env, Path dir, String... args) throws Exception {
    long start = System.nanoTime();
    CliProcess.Result r = CliProcess.run(env, dir, args);
    assertThat(r.exit()).as(r.toString()).isZero();
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
  }

  static CliProcess.Result recover(
      Map<String, String> env, Path dir, Path machine, Path store, String... args)
      throws Exception {
    Invariants.age(machine, store);
    CliProcess.Result r = CliProcess.run(env, dir, args);
    assertThat(r.exit()).as("the run after a kill completes: " + r).isZero();
    assertThat(Invariants.litter(machine, store))
        .as("litter after the run that followed a kill")
        .isEmpty();
    return r;
  }

  @Test
  void install_killedAtRandomPoints_appIsOldOrNewWholeAndNextRunCompletes() throws Exception {
    Path store = tmp.resolve("store");
    Map<String, String> shared = Map.of("HALCYON_STORAGE_DIR", store.toString());
    Path app1 = TestApps.write(tmp.resolve("app1"), "1", tmp.resolve("hooks.log"));
    Path app2 = TestApps.write(tmp.resolve("app2"), "2", tmp.resolve("hooks.log"));
    Map<String, String> builder = machine(tmp.resolve("builder"), shared);
    assertThat(CliProcess.run(builder, tmp, "build", app1.toString()).exit()).isZero();
    assertThat(CliProcess.run(builder, tmp, "build", app2.toString()).exit()).isZero();

    Path d = tmp.resolve("deployer");
    Map<String, String> deployer =
        with(machine(d, shared), "HALCYON_NO_BUILD", "1", "HALCYON_NO_UPLOAD", "1");
    long duration = Math.max(timed(deployer, tmp, "install", app1.toString()), 1);
    Map<String, String> v1 = Invariants.snapshot(Machines.installed(d)).orElseThrow();
    duration = Math.max(duration, timed(deployer, tmp, "install", app2.toString()));
    Map<String, String> v2 = Invariants.snapshot(Machines.installed(d)).orElseThrow();
    assertThat(v1).isNotEqualTo(v2);

    Random random = new Random(SEED);
    int killed = 0;
    int absent = 0;
    for (int i = 0; i < KILLS; i++) {
      Path target = i % 2 == 0 ? app1 : app2;
      int exit =
          killAfter(
              deployer, tmp, random.nextLong(duration * 3 / 4 + 1), "install", target.toString());
      killed += exit == -1 ? 1 : 0;
      Optional<Map<String, String>> after = Invariants.snapshot(Machines.installed(d));
      absent += after.isEmpty() ? 1 : 0;
      assertThat(after.isEmpty() || after.get().equals(v1) || after.get().equals(v2))
          .as("kill %d: the app is absent, old or new, whole: %s", i, after)
          .isTrue();
      Invariants.verifyAll(d.resolve("cache"));
      recover(deployer, tmp, d, store, "install", target.toString());
      assertThat(Invariants.snapshot(Machines.installed(d))).contains(target == app1 ? v1 : v2);
    }
    System.out.printf(
        "CRASH install: %d runs, %d killed before the end, %d left the app absent, run %d ms%n",
        KILLS, killed, absent, duration);
    assertThat(killed).as("most runs were killed mid-way").isPositive();
  }

  @Test
  void buildAndUpload_killedAtRandomPoints_storeVerifiesAndNextRunCompletes() throws Exception {
    Path store = tmp.resolve("store");
    Path b = tmp.resolve("builder");
    Map<String, String> builder = machine(b, Map.of("HALCYON_STORAGE_DIR", store.toString()));
    Path app = TestApps.write(tmp.resolve("app"), "0", tmp.resolve("hooks.log"));
    timed(builder, tmp, "install", app.toString());
    Files.writeString(app.resolve("src/message.txt"), "hello from version warm-up\n");
    long duration = timed(builder, tmp, "install", app.toString());
    Map<String, String> previous = Invariants.snapshot(Machines.installed(b)).orElseThrow();

    Random random = new Random(SEED + 1);
    int killed = 0;
    for (int i = 0; i < KILLS; i++) {
      Files.writeString(app.resolve("src/message.txt"), "hello from version " + i + "\n");
      int exit =
          killAfter(builder, tmp, random.nextLong(duration * 3 / 4 + 1), "install", app.toString());
      killed += exit == -1 ? 1 : 0;
      Optional<Map<String, String>> after = Invariants.snapshot(Machines.installed(b));
      int objects = Invariants.verifyAll(store);
      Invariants.verifyAll(b.resolve("cache"));
      Invariants.referencesIntact(store);
      assertThat(objects).isPositive();
      recover(builder, tmp, b, store, "install", app.toString());
      Map<String, String> current = Invariants.snapshot(Machines.installed(b)).orElseThrow();
      assertThat(after.isEmpty() || after.get().equals(previous) || after.get().equals(current))
          .as("kill %d: the app is absent, old or new, whole", i)
          .isTrue();
      previous = current;
    }
    Invariants.verifyAll(store);
    System.out.printf(
        "CRASH build+upload: %d runs, %d killed before the end, run %d ms%n",
        KILLS, killed, duration);
    assertThat(killed).isPositive();
  }

  @Test
  void build_killedAfterDependenciesAreTaggedBeforeTheyAreStored_nextRunArchivesAndUploadsThem()
      throws Exception {
    Path store = tmp.resolve("store");
    Path b = tmp.resolve("builder");
    Path log = tmp.resolve("hooks.log");
    Map<String, String> builder = machine(b, Map.of("HALCYON_STORAGE_DIR", store.toString()));
    Path app = TestApps.write(tmp.resolve("app"), "1", log);
    // 64 MiB that does not compress: archiving and uploading them leaves a window to kill in.
    TestApps.hook(
        app,
        "dependencies-build",
        "echo dependencies >> '"
            + log
            + "'\necho 'greeting 1.0' > \"$1/greeting.txt\"\n"
            + "head -c 67108864 /dev/urandom > \"$1/blob\"\n");
    Path dependencies = b.resolve("base/dependencies");

    Process p = CliProcess.start(builder, tmp, "build", app.toString());
    while (p.isAlive() && !tagged(dependencies)) {
      // Polling for the tag to be written, not timing: wake on exit or after a short wait.
      p.waitFor(5, TimeUnit.MILLISECONDS);
    }
    p.destroyForcibly();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    DirectoryLayerStore direct = new DirectoryLayerStore(store);
    assertThat(tagged(dependencies)).as("the dependencies layer was built and tagged").isTrue();
    assertThat(keys(direct))
        .as("killed before the dependencies archive was stored")
        .noneMatch(CrashSafetyIT::isDependenciesArchive);

    recover(builder, tmp, b, store, "build", app.toString());

    assertThat(keys(direct))
        .as("the next run archived and uploaded the dependencies layer")
        .anyMatch(CrashSafetyIT::isDependenciesArchive);
    assertThat(keys(direct)).anyMatch(k -> k.contains("/halcyon-install-"));
    Invariants.verifyAll(store);
    Invariants.referencesIntact(store);
    assertThat(Files.readAllLines(log, StandardCharsets.UTF_8))
        .as("the dependencies were built once: the next run archived the directory in place")
        .containsOnlyOnce("dependencies");
  }

  private static boolean isDependenciesArchive(String key) {
    return key.contains("/halcyon-dependencies-") && key.endsWith(".tar.zst");
  }

  /** Whether a layer directory under {@code kindDir} holds its tag file. */
  private static boolean tagged(Path kindDir) throws java.io.IOException {
    if (!Files.isDirectory(kindDir)) {
      return false;
    }
    try (java.util.stream.Stream<Path> walk = Files.walk(kindDir)) {
      return walk.anyMatch(
          f -> f.getFileName().toString().equals(dev.halcyon.layer.LayerTag.FILE_NAME));
    }
  }

  @Test
  void gc_killedAtRandomPoints_noReferencedArchiveLostAndNextRunCompletes() throws Exception {
    Path store = tmp.resolve("store");
    Path b = tmp.resolve("builder");
    Map<String, String> builder =
        with(
            machine(b, Map.of("HALCYON_STORAGE_DIR", store.toString())),
            "HALCYON_RETENTION",
            "keep=install:1;grace=0");
    Path app = TestApps.write(tmp.resolve("app"), "1", tmp.resolve("hooks.log"));
    assertThat(CliProcess.run(builder, tmp, "build", app.toString()).exit()).isZero();
    DirectoryLayerStore direct = new DirectoryLayerStore(store);
    String installKey =
        direct.list("").stream()
            .map(ObjectInfo::key)
            .filter(k -> k.contains("/halcyon-install-") && k.endsWith(".tar.zst"))
            .findFirst()
            .orElseThrow();
    String manifestKey = installKey.replaceFirst("\\.tar\\.zst$", "." + ArchiveManifest.EXTENSION);
    byte[] archive = read(direct, installKey);
    ArchiveManifest manifest =
        ArchiveManifest.parse(new String(read(direct, manifestKey), StandardCharsets.UTF_8));

    Random random = new Random(SEED + 2);
    addCondemned(direct, installKey, archive, manifest, random, 6);
    long duration = timed(builder, tmp, "gc");
    int killed = 0;
    for (int i = 0; i < KILLS; i++) {
      addCondemned(direct, installKey, archive, manifest, random, 6);
      int exit = killAfter(builder, tmp, random.nextLong(duration * 3 / 4 + 1), "gc");
      killed += exit == -1 ? 1 : 0;
      Invariants.verifyAll(store);
      Invariants.referencesIntact(store);
      assertThat(
              keys(direct).stream()
                  .filter(k -> k.contains("/halcyon-install-") && k.endsWith(".tar.zst")))
          .as("an install archive is kept")
          .isNotEmpty();
      CliProcess.Result after = recover(builder, tmp, b, store, "gc");
      List<String> installs =
          keys(direct).stream().filter(k -> k.contains("/halcyon-install-")).toList();
      assertThat(installs).as("kill %d (exit %d), then %s", i, exit, after).hasSize(2);
      assertThat(installs.get(0).replaceFirst("\\.manifest$", ".tar.zst"))
          .as("the kept install archive keeps its manifest")
          .isEqualTo(installs.get(1));
    }
    // The newest copy won (keep=install:1); the builder restores this source's own archive.
    assertThat(CliProcess.run(builder, tmp, "build", app.toString()).exit()).isZero();
    Path d = tmp.resolve("deployer");
    CliProcess.Result deployed =
        CliProcess.run(
            with(
                machine(d, Map.of("HALCYON_STORAGE_DIR", store.toString())),
                "HALCYON_NO_BUILD",
                "1"),
            tmp,
            "install",
            app.toString());
    assertThat(deployed.exit()).as(deployed.toString()).isZero();
    System.out.printf(
        "CRASH gc: %d runs, %d killed before the end, run %d ms%n", KILLS, killed, duration);
    assertThat(killed).isPositive();
  }

  @ParameterizedTest(name = "overlapped upload {0}")
  @ValueSource(strings = {"off", "on"})
  void upload_killedDuringMultipartUpload_gcAbortsTheIncompleteUploadOnceOlderThanGrace(
      String overlap) throws Exception {
    try (software.amazon.awssdk.services.s3.S3Client raw = S3_PROXY.client()) {
      Map<String, String> bucket =
          Map.of(
              "HALCYON_S3_BUCKET",
              "crash",
              "HALCYON_S3_ENDPOINT",
              S3_PROXY.endpoint().toString(),
              "HALCYON_S3_REGION",
              "us-east-1",
              "HALCYON_AWS_ACCESS_KEY_ID",
              S3_PROXY.accessKeyId(),
              "HALCYON_AWS_SECRET_ACCESS_KEY",
              S3_PROXY.secretAccessKey(),
              // on: the upload goes to a hidden key, a multipart upload gc aborts all the same
              "HALCYON_S3_OVERLAP_UPLOADS",
              overlap);
      // Its own source per case: the bucket is shared, and an archive already there is not sent.
      Path app = TestApps.write(tmp.resolve("app"), "1-" + overlap, tmp.resolve("hooks.log"));
      // 40 MiB that does not compress: the install archive goes up in parts (threshold 32 MiB).
      TestApps.hook(
          app,
          "install",
          "mkdir -p \"$1/share\"\nhead -c 41943040 /dev/urandom > \"$1/share/blob\"\n");
      Map<String, String> builder = machine(tmp.resolve("builder"), bucket);

      Process p = CliProcess.start(builder, tmp, "build", app.toString());
      List<software.amazon.awssdk.services.s3.model.MultipartUpload> started = List.of();
      while (started.isEmpty() && p.isAlive()) {
        started = raw.listMultipartUploads(r -> r.bucket("crash")).uploads();
        // Polling for the upload to begin, not timing: wake on exit or after a short wait.
        p.waitFor(20, TimeUnit.MILLISECONDS);
      }
      p.destroyForcibly();
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(started).as("the build was killed while its multipart upload ran").hasSize(1);
      assertThat(started.get(0).key()).contains("/halcyon-install-");
      assertThat(raw.listMultipartUploads(r -> r.bucket("crash")).uploads())
          .as("left behind by the kill")
          .hasSize(1);

      CliProcess.Result withinGrace = CliProcess.run(builder, tmp, "gc");
      assertThat(withinGrace.exit()).as(withinGrace.toString()).isZero();
      assertThat(withinGrace.out()).contains("aborted 0 incomplete upload(s)");
      assertThat(raw.listMultipartUploads(r -> r.bucket("crash")).uploads())
          .as("younger than the grace period: maybe live")
          .hasSize(1);

      Map<String, String> noGrace = with(builder, "HALCYON_RETENTION", "halcyon;grace=0");
      CliProcess.Result dryRun = CliProcess.run(noGrace, tmp, "gc", "--dry-run");
      assertThat(dryRun.out()).as(dryRun.toString()).contains("would abort 1 incomplete upload(s)");
      CliProcess.Result cleaned = CliProcess.run(noGrace, tmp, "gc");
      assertThat(cleaned.exit()).as(cleaned.toString()).isZero();
      assertThat(cleaned.out()).contains("aborted 1 incomplete upload(s)");
      assertThat(raw.listMultipartUploads(r -> r.bucket("crash")).uploads())
          .as("aborted by gc")
          .isEmpty();

      CliProcess.Result again = CliProcess.run(builder, tmp, "build", app.toString());
      assertThat(again.exit()).as("the run after the kill completes: " + again).isZero();
      assertThat(raw.listMultipartUploads(r -> r.bucket("crash")).uploads()).isEmpty();
      try (dev.halcyon.s3.S3LayerStore store =
          dev.halcyon.s3.S3LayerStore.builder()
              .bucket("crash")
              .endpoint(S3_PROXY.endpoint())
              .credentials(S3_PROXY.accessKeyId(), S3_PROXY.secretAccessKey())
              .build()) {
        assertThat(Invariants.verifyAll(store)).isPositive();
      }
      System.out.printf(
          "CRASH multipart: killed with upload %s in flight; gc (grace 1h) %s; gc (grace 0) %s%n",
          started.get(0).key(),
          BuildAndDeployIT.lastLine(withinGrace.out()),
          BuildAndDeployIT.lastLine(cleaned.out()));
    }
  }

  /** Adds {@code n} copies of the install archive under other source hashes, for gc to delete. */
  private static void addCondemned(
      DirectoryLayerStore store,
      String installKey,
      byte[] archive,
      ArchiveManifest manifest,
      Random random,
      int n)
      throws Exception {
    for (int j = 0; j < n; j++) {
      String hash =
          HexFormat.of()
              .formatHex(
                  new byte[] {
                    (byte) random.nextInt(),
                    (byte) random.nextInt(),
                    (byte) random.nextInt(),
                    (byte) random.nextInt()
                  })
              .substring(0, 7);
      String key =
          installKey.replaceFirst(
              "/halcyon-install-[0-9a-f]{7}-", "/halcyon-install-" + hash + "-");
      String mkey = key.replaceFirst("\\.tar\\.zst$", "." + ArchiveManifest.EXTENSION);
      ArchiveManifest copy =
          new ArchiveManifest(
              key,
              manifest.digest(),
              manifest.size(),
              manifest.created(),
              manifest.tag(),
              manifest.builtOn());
      store.put(mkey, copy.format().getBytes(StandardCharsets.UTF_8), PutMode.OVERWRITE);
      store.put(key, archive, PutMode.OVERWRITE);
    }
  }

  private static byte[] read(DirectoryLayerStore store, String key) throws Exception {
    try (StoredObject o = store.get(key).orElseThrow();
        InputStream in = o.stream()) {
      return in.readAllBytes();
    }
  }

  static List<String> keys(DirectoryLayerStore store) throws Exception {
    return store.list("").stream().map(ObjectInfo::key).toList();
  }
}
