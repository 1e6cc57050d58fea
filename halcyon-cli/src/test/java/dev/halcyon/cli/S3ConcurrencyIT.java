package dev.halcyon.cli;

import static dev.halcyon.cli.Machines.machine;
import static org.assertj.core.api.Assertions.assertThat;

import dev.halcyon.s3.S3LayerStore;
import dev.halcyon.s3.S3ProxyExtension;
import dev.halcyon.store.ObjectInfo;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ConcurrencyIT} on S3: eight machines build and install versions of one app against one
 * bucket of S3Proxy (a real S3 server checking signatures, in a child process) while a ninth runs
 * {@code gc} over and over with a small keep count and no grace period. Every install ends with a
 * whole app of the version asked for, identical across machines; every object in the bucket
 * verifies throughout; every archive present keeps what it was built on.
 *
 * <p>{@code -Dhalcyon.stress=true} runs three rounds per machine instead of two.
 */
class S3ConcurrencyIT {
  static final int MACHINES = 8;
  static final int ROUNDS = Boolean.getBoolean("halcyon.stress") ? 3 : 2;
  static final String BUCKET = "concurrent";

  @RegisterExtension
  static final S3ProxyExtension S3_PROXY =
      S3ProxyExtension.builder().shared().withInitialBuckets(BUCKET).build();

  @TempDir Path tmp;

  static Map<String, String> bucket() {
    return Map.of(
        "HALCYON_S3_BUCKET",
        BUCKET + "/apps",
        "HALCYON_S3_ENDPOINT",
        S3_PROXY.endpoint().toString(),
        "HALCYON_S3_REGION",
        "us-east-1",
        "HALCYON_AWS_ACCESS_KEY_ID",
        S3_PROXY.accessKeyId(),
        "HALCYON_AWS_SECRET_ACCESS_KEY",
        S3_PROXY.secretAccessKey(),
        "HALCYON_RETENTION",
        "keep=install:2;grace=0");
  }

  static S3LayerStore direct() {
    return S3LayerStore.builder()
        .bucket(BUCKET)
        .folder("apps")
        .endpoint(S3_PROXY.endpoint())
        .credentials(S3_PROXY.accessKeyId(), S3_PROXY.secretAccessKey())
        .build();
  }

  @Test
  void install_eightMachinesAndGcAtOnceOnOneBucket_everyInstallWholeAndBucketIntact()
      throws Exception {
    List<Path> apps = new ArrayList<>();
    for (int v = 0; v < 3; v++) {
      apps.add(TestApps.write(tmp.resolve("app" + v), String.valueOf(v), tmp.resolve("hooks.log")));
    }
    // Seed the bucket with the toolchain and dependencies so the race is about builds, installs and
    // gc.
    CliProcess.Result seeded =
        CliProcess.run(
            machine(tmp.resolve("seed"), bucket()), tmp, "build", apps.get(0).toString());
    assertThat(seeded.exit()).as(seeded.toString()).isZero();

    Map<Integer, Map<String, String>> trees = new ConcurrentHashMap<>();
    ExecutorService pool = Executors.newFixedThreadPool(MACHINES + 1);
    AtomicBoolean done = new AtomicBoolean();
    Map<String, String> gcEnv = machine(tmp.resolve("collector"), bucket());
    Future<int[]> collector =
        pool.submit(
            () -> {
              int runs = 0;
              int failed = 0;
              int verified = 0;
              try (S3LayerStore store = direct()) {
                while (!done.get()) {
                  CliProcess.Result r = CliProcess.run(gcEnv, tmp, "gc");
                  runs++;
                  if (r.exit() != 0) {
                    failed++;
                    System.out.println("S3 CONCURRENCY gc failed: " + r);
                  }
                  verified += Invariants.verifyAll(store);
                  Invariants.referencesIntact(store);
                }
              }
              return new int[] {runs, failed, verified};
            });
    List<Future<List<String>>> machines = new ArrayList<>();
    for (int m = 0; m < MACHINES; m++) {
      int machineNo = m;
      machines.add(
          pool.submit(
              () ->
                  ConcurrencyIT.installRounds(
                      machineNo,
                      tmp.resolve("m" + machineNo),
                      tmp,
                      apps,
                      ROUNDS,
                      trees,
                      bucket())));
    }
    List<String> problems = new ArrayList<>();
    for (Future<List<String>> f : machines) {
      problems.addAll(f.get(10, TimeUnit.MINUTES));
    }
    done.set(true);
    int[] gc = collector.get(10, TimeUnit.MINUTES);
    pool.shutdown();

    assertThat(problems).isEmpty();
    assertThat(gc[1]).as("gc runs that failed").isZero();
    CliProcess.Result last = CliProcess.run(gcEnv, tmp, "gc");
    assertThat(last.exit()).as(last.toString()).isZero();
    try (S3LayerStore store = direct()) {
      int objects = Invariants.verifyAll(store);
      Invariants.referencesIntact(store);
      long installs =
          store.list("").stream()
              .map(ObjectInfo::key)
              .filter(k -> k.contains("/halcyon-install-") && k.endsWith(".tar.zst"))
              .count();
      assertThat(installs).as("keep=install:2 after %s", last).isEqualTo(2);
      System.out.printf(
          "S3 CONCURRENCY %d machines x %d installs on S3Proxy, %d gc runs alongside (%d object reads verified during them),"
              + " %d objects verified at the end%n",
          MACHINES, ROUNDS, gc[0], gc[2], objects);
    }
  }
}
