package dev.halcyon.cli;

import static dev.halcyon.cli.Machines.machine;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Eight machines build and install three versions of one app against one folder store while a ninth
 * runs {@code gc} over and over with a small keep count and no grace period. Every install ends
 * with a whole app of the version asked for, identical across machines; the store verifies
 * throughout; every archive present keeps what it was built on.
 *
 * <p>{@code -Dhalcyon.stress=true} runs three rounds per machine instead of two.
 */
class ConcurrencyIT {
  static final int MACHINES = 8;
  static final int ROUNDS = Boolean.getBoolean("halcyon.stress") ? 3 : 2;

  @TempDir Path tmp;

  @Test
  void install_eightMachinesAndGcAtOnce_everyInstallWholeAndStoreIntact() throws Exception {
    Path store = tmp.resolve("store");
    Map<String, String> shared =
        Map.of(
            "HALCYON_STORAGE_DIR", store.toString(), "HALCYON_RETENTION", "keep=install:2;grace=0");
    List<Path> apps = new ArrayList<>();
    for (int v = 0; v < 3; v++) {
      apps.add(TestApps.write(tmp.resolve("app" + v), String.valueOf(v), tmp.resolve("hooks.log")));
    }
    // Seed the store with the toolchain and dependencies so the race is about builds, installs and
    // gc.
    CliProcess.Result seeded =
        CliProcess.run(machine(tmp.resolve("seed"), shared), tmp, "build", apps.get(0).toString());
    assertThat(seeded.exit()).as(seeded.toString()).isZero();

    ExecutorService pool = Executors.newFixedThreadPool(MACHINES + 1);
    AtomicBoolean done = new AtomicBoolean();
    Map<String, String> gcEnv = machine(tmp.resolve("collector"), shared);
    Future<int[]> collector =
        pool.submit(
            () -> {
              int runs = 0;
              int failed = 0;
              while (!done.get()) {
                CliProcess.Result r = CliProcess.run(gcEnv, tmp, "gc");
                runs++;
                if (r.exit() != 0) {
                  failed++;
                  System.out.println("CONCURRENCY gc failed: " + r);
                }
                Invariants.verifyAll(store);
                Invariants.referencesIntact(store);
              }
              return new int[] {runs, failed};
            });
    List<Future<List<String>>> machines = new ArrayList<>();
    for (int m = 0; m < MACHINES; m++) {
      int machineNo = m;
      machines.add(
          pool.submit(
              () ->
                  installRounds(
                      machineNo, tmp.resolve("m" + machineNo), tmp, apps, ROUNDS, TREES, shared)));
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
    int objects = Invariants.verifyAll(store);
    Invariants.referencesIntact(store);
    CliProcess.Result last = CliProcess.run(gcEnv, tmp, "gc");
    assertThat(last.exit()).as(last.toString()).isZero();
    long installs;
    try (var walk = Files.walk(store)) {
      installs =
          walk.filter(
                  p ->
                      p.getFileName().toString().startsWith("halcyon-install-")
                          && p.toString().endsWith(".tar.zst"))
              .count();
    }
    assertThat(installs).as("keep=install:2 after %s", last).isEqualTo(2);
    System.out.printf(
        "CONCURRENCY %d machines x %d installs, %d gc runs alongside, %d objects verified at the end%n",
        MACHINES, ROUNDS, gc[0], objects);
  }

  /**
   * One simulated machine (its directories under {@code dir}, sharing {@code store}) installing
   * version {@code (machineNo + round) % 3} of {@code apps} in each of {@code rounds} rounds, while
   * others do the same: every install must succeed, run, be whole (the same tree as any other
   * machine's of that version, kept in {@code trees}) and leave no litter. Returns the problems
   * found.
   */
  static List<String> installRounds(
      int machineNo,
      Path dir,
      Path workDir,
      List<Path> apps,
      int rounds,
      Map<Integer, Map<String, String>> trees,
      Map<String, String> store)
      throws Exception {
    List<String> problems = new ArrayList<>();
    Map<String, String> env = machine(dir, store);
    for (int round = 0; round < rounds; round++) {
      int version = (machineNo + round) % 3;
      CliProcess.Result r = CliProcess.run(env, workDir, "install", apps.get(version).toString());
      if (r.exit() != 0) {
        problems.add("m" + machineNo + " round " + round + ": " + r);
        continue;
      }
      String output = BuildAndDeployIT.run(Machines.installed(dir));
      if (!output.equals("greeting 1.0\nhello from version " + version + "\n")) {
        problems.add(
            "m" + machineNo + " round " + round + " installed a wrong or torn app: " + output);
      }
      Optional<Map<String, String>> tree = Invariants.snapshot(Machines.installed(dir));
      trees.computeIfAbsent(version, v -> tree.orElseThrow());
      if (!trees.get(version).equals(tree.orElseThrow())) {
        problems.add(
            "m"
                + machineNo
                + " round "
                + round
                + " tree differs from another machine's of version "
                + version);
      }
      if (!Invariants.litter(dir.resolve("root")).isEmpty()) {
        problems.add("m" + machineNo + " left " + Invariants.litter(dir.resolve("root")));
      }
    }
    return problems;
  }

  private static final Map<Integer, Map<String, String>> TREES =
      new java.util.concurrent.ConcurrentHashMap<>();
}
