package dev.halcyon.cli;

import static dev.halcyon.cli.Machines.machine;
import static dev.halcyon.cli.Machines.with;
import static org.assertj.core.api.Assertions.assertThat;

import com.adobe.testing.s3mock.junit5.S3MockExtension;
import dev.halcyon.cli.FaultProxy.Fault;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * Delta redeploys through a {@link FaultProxy} in front of S3 (S3Mock): resets in the middle of
 * requests and response bodies, 500, 503 and 429 answers and bodies cut short hit the head, the
 * footer and table-of-contents reads and the ranged reads of the missing frames. Every run
 * completes or fails with one line; after every run the app is the old or the new version, whole;
 * once the faults stop, the next run completes as a delta.
 */
@Execution(ExecutionMode.CONCURRENT) // waits more than it computes: beside the others
class DeltaFaultIT {
  @RegisterExtension
  static final S3MockExtension S3 =
      S3MockExtension.builder().silent().withInitialBuckets("deltafaults").build();

  static final long SEED = Long.getLong("halcyon.seed", 20261202L);

  @TempDir Path tmp;

  private Path app(String version) throws Exception {
    return TestApps.deltaApp(tmp, "delta-fault-app-1.0", version, 30, 4);
  }

  private static Map<String, String> bucket(String endpoint) {
    Map<String, String> env = new HashMap<>();
    env.put("HALCYON_S3_BUCKET", "deltafaults");
    env.put("HALCYON_S3_ENDPOINT", endpoint);
    env.put("HALCYON_S3_REGION", "us-east-1");
    env.put("HALCYON_AWS_ACCESS_KEY_ID", "AKIDDELTA");
    env.put("HALCYON_AWS_SECRET_ACCESS_KEY", "delta-fault-secret");
    return env;
  }

  @Test
  void install_faultsDuringADeltaRestore_eachRunCompletesOrFailsClearlyAndNothingIsHalfInstalled()
      throws Exception {
    Path app1 = app("1");
    Path app2 = app("2");
    Map<String, String> builder =
        machine(tmp.resolve("builder"), bucket("http://127.0.0.1:" + S3.getHttpPort()));
    assertThat(CliProcess.run(builder, tmp, "build", app1.toString()).exit()).isZero();
    assertThat(CliProcess.run(builder, tmp, "build", app2.toString()).exit()).isZero();

    Map<String, Integer> outcomes = new TreeMap<>();
    try (FaultProxy proxy = FaultProxy.start(S3.getHttpPort(), SEED)) {
      Path d = tmp.resolve("deployer");
      Map<String, String> deployer =
          with(
              machine(d, bucket(proxy.endpoint().toString())),
              "HALCYON_NO_BUILD",
              "1",
              "HALCYON_NO_UPLOAD",
              "1");
      assertThat(CliProcess.run(deployer, tmp, "install", app1.toString()).exit()).isZero();
      Map<String, String> v1 = Invariants.snapshot(Machines.installed(d)).orElseThrow();

      // No stalls: the CLI's socket timeout is 30 s.
      // Mostly broken-off bodies, which the SDK does not retry for a read already streaming.
      proxy.faults(
          0.7,
          Fault.RESET_RESPONSE,
          Fault.TRUNCATE,
          Fault.RESET_RESPONSE,
          Fault.TRUNCATE,
          Fault.RESET_REQUEST,
          Fault.ERROR_500,
          Fault.SLOW_DOWN_503,
          Fault.TOO_MANY_429);
      // Deploys of v2 under faults until one completes; each that fails leaves v1 whole.
      CliProcess.Result done = null;
      for (int i = 0; i < 8 && done == null; i++) {
        CliProcess.Result r = CliProcess.run(deployer, tmp, "install", app2.toString());
        Optional<Map<String, String>> after = Invariants.snapshot(Machines.installed(d));
        if (r.exit() == 0) {
          outcomes.merge("completed", 1, Integer::sum);
          done = r;
        } else {
          assertThat(r.exit()).as(r.toString()).isEqualTo(1);
          assertThat(r.err().lines().filter(l -> l.startsWith("halcyon: ")).count())
              .as(r.toString())
              .isEqualTo(1);
          outcomes.merge("exit 1", 1, Integer::sum);
          System.out.println("FAULT delta line: " + BuildAndDeployIT.lastLine(r.err()));
          assertThat(after).as("run %d failed: v1 stays, whole", i).contains(v1);
        }
      }
      assertThat(
              proxy.injected().getOrDefault(Fault.RESET_RESPONSE, 0)
                  + proxy.injected().getOrDefault(Fault.TRUNCATE, 0))
          .as("bodies were broken off")
          .isPositive();
      System.out.printf(
          "FAULT delta: outcomes %s; faults by kind %s, by operation %s%n",
          outcomes, proxy.injected(), proxy.injectedByOperation());
      if (done == null) {
        proxy.faults(0);
        done = CliProcess.run(deployer, tmp, "install", app2.toString());
        assertThat(done.exit()).as("the run after the faults completes: " + done).isZero();
      }
      assertThat(done.err()).as(done.toString()).contains("install      delta");
      Map<String, String> v2 = Invariants.snapshot(Machines.installed(d)).orElseThrow();
      assertThat(v2).isNotEqualTo(v1);
      try (var s = Files.list(Machines.installed(d).getParent())) {
        assertThat(s.map(x -> x.getFileName().toString()).filter(n -> !n.equals("app")))
            .as("no staging tree left beside the app, at most the last run's trash")
            .allMatch(n -> n.startsWith(".app.trash-"));
      }
    }
  }
}
