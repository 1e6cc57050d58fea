package dev.halcyon.cli;

import static dev.halcyon.cli.Machines.machine;
import static dev.halcyon.cli.Machines.with;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills the CLI (SIGKILL) at seeded random points of delta restores between two versions of an app
 * of forty 256 KiB "jars" (five differ), against a folder store. After every kill the app is the
 * old or the new version, whole; the next run completes with the version asked for (also when the
 * kill hit the deletion of the trash an earlier delta left); and the runs that were not killed were
 * delta restores.
 */
class DeltaCrashIT {
  static final int KILLS = Boolean.getBoolean("halcyon.stress") ? 30 : 6;
  static final long SEED = Long.getLong("halcyon.seed", 20261202L);

  @TempDir Path tmp;

  private Path app(String version) throws Exception {
    return TestApps.deltaApp(tmp, "delta-app-1.0", version, 40, 5);
  }

  @Test
  void install_deltaKilledAtRandomPoints_appIsOldOrNewWholeAndNextRunCompletes() throws Exception {
    Path store = tmp.resolve("store");
    Map<String, String> shared = Map.of("HALCYON_STORAGE_DIR", store.toString());
    Path app1 = app("1");
    Path app2 = app("2");
    Map<String, String> builder = machine(tmp.resolve("builder"), shared);
    assertThat(CliProcess.run(builder, tmp, "build", app1.toString()).exit()).isZero();
    assertThat(CliProcess.run(builder, tmp, "build", app2.toString()).exit()).isZero();

    Path d = tmp.resolve("deployer");
    Map<String, String> deployer =
        with(machine(d, shared), "HALCYON_NO_BUILD", "1", "HALCYON_NO_UPLOAD", "1");
    assertThat(CliProcess.run(deployer, tmp, "install", app1.toString()).exit()).isZero();
    Map<String, String> v1 = Invariants.snapshot(Machines.installed(d)).orElseThrow();
    long start = System.nanoTime();
    CliProcess.Result second = CliProcess.run(deployer, tmp, "install", app2.toString());
    long duration = Math.max(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start), 1);
    assertThat(second.err()).as(second.toString()).contains("install      delta");
    Map<String, String> v2 = Invariants.snapshot(Machines.installed(d)).orElseThrow();
    assertThat(v1).isNotEqualTo(v2);

    Random random = new Random(SEED);
    int killed = 0;
    for (int i = 0; i < KILLS; i++) {
      Path target = i % 2 == 0 ? app1 : app2;
      Process p = CliProcess.start(deployer, tmp, "install", target.toString());
      if (!p.waitFor(random.nextLong(duration * 3 / 4 + 1), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        killed++;
      }
      Optional<Map<String, String>> after = Invariants.snapshot(Machines.installed(d));
      assertThat(after.isEmpty() || after.get().equals(v1) || after.get().equals(v2))
          .as("kill %d: the app is absent, old or new, whole: %s", i, after)
          .isTrue();
      CliProcess.Result r = CliProcess.run(deployer, tmp, "install", target.toString());
      assertThat(r.exit()).as("the run after a kill completes: " + r).isZero();
      assertThat(Invariants.snapshot(Machines.installed(d))).contains(target == app1 ? v1 : v2);
    }
    try (var s = Files.list(Machines.installed(d).getParent())) {
      // The last delta's replaced tree waits in the trash for the next run; every tree a killed
      // run left in the trash, half deleted or not, was finished by the run after it.
      assertThat(s.map(x -> x.getFileName().toString()).filter(n -> !n.equals("app")))
          .as("no staging or old tree left beside the app, at most the last run's trash")
          .hasSizeLessThanOrEqualTo(1)
          .allMatch(n -> n.startsWith(".app.trash-"));
    }
    System.out.printf(
        "CRASH delta install: %d runs, %d killed, run %d ms%n", KILLS, killed, duration);
    assertThat(killed).as("most runs were killed mid-way").isPositive();
  }
}
