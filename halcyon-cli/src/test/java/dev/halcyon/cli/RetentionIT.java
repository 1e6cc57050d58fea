package dev.halcyon.cli;

import static dev.halcyon.cli.Machines.machine;
import static dev.halcyon.cli.Machines.with;
import static org.assertj.core.api.Assertions.assertThat;

import com.adobe.testing.s3mock.junit5.S3MockExtension;
import dev.halcyon.layer.LayerKind;
import dev.halcyon.layer.LayerTag;
import dev.halcyon.naming.DefaultArchiveNamer;
import dev.halcyon.retention.GarbageCollector;
import dev.halcyon.retention.Listing;
import dev.halcyon.retention.RetentionPolicies;
import dev.halcyon.retention.StoredArchive;
import dev.halcyon.s3.S3LayerStore;
import dev.halcyon.store.ObjectInfo;
import dev.halcyon.store.PutMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Retention end to end with the real jar on S3Mock: two builders of one app on different branches
 * (same label, different source), a deployer restoring, and {@code gc}, as separate processes at
 * the same moment.
 */
class RetentionIT {
  @RegisterExtension
  static final S3MockExtension S3 =
      S3MockExtension.builder().silent().withInitialBuckets("shared").build();

  private static final Pattern INSTALL_KEY =
      Pattern.compile("(\\S+/halcyon-install-\\S+\\.tar\\.zst)");
  private static final ExecutorService PROCESSES = Executors.newCachedThreadPool();

  @TempDir Path tmp;

  @AfterAll
  static void stopPool() {
    PROCESSES.shutdownNow();
  }

  private Map<String, String> bucket(String folder) {
    return Map.of(
        "HALCYON_S3_BUCKET", "shared/" + folder,
        "HALCYON_S3_ENDPOINT", "http://127.0.0.1:" + S3.getHttpPort(),
        "HALCYON_S3_REGION", "us-east-1",
        "HALCYON_AWS_ACCESS_KEY_ID", "AKIDEXAMPLE",
        "HALCYON_AWS_SECRET_ACCESS_KEY", "secret");
  }

  private static S3LayerStore store(Map<String, String> bucket) {
    return S3LayerStore.fromEnvironment(bucket);
  }

  private CompletableFuture<CliProcess.Result> start(Map<String, String> env, String... args) {
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            return CliProcess.run(env, tmp, args);
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        },
        PROCESSES);
  }

  private static String installKey(CliProcess.Result built) {
    Matcher m = INSTALL_KEY.matcher(built.err());
    assertThat(m.find()).as("an install key in the output of %s", built).isTrue();
    return m.group(1);
  }

  /** What the test saw happen in one round. */
  private record Round(
      String builtA, CliProcess.Result deployed, CliProcess.Result builtB, CliProcess.Result gc) {}

  /**
   * {@code rounds} times: builder A builds a new version of branch A; then, at the same moment, the
   * deployer restores that version, builder B builds a new version of branch B (and prunes), and
   * {@code gc} runs. Before the deployer starts, the archive it restores is checked to exist.
   */
  private List<Round> race(Map<String, String> bucket, int rounds) throws Exception {
    Path log = tmp.resolve("hooks.log");
    Path appA = TestApps.write(tmp.resolve("branch-a"), "a0", log);
    Path appB = TestApps.write(tmp.resolve("branch-b"), "b0", log);
    // Branch B changed its dependencies hook too: two dependencies archives for one label.
    TestApps.hook(
        appB,
        "dependencies-build",
        "echo dependencies >> '"
            + log
            + "'\necho 'greeting 1.0' > \"$1/greeting.txt\"\n# branch b\n");
    Map<String, String> builderA = machine(tmp.resolve("builder-a"), bucket);
    Map<String, String> builderB = machine(tmp.resolve("builder-b"), bucket);
    Map<String, String> deployer =
        with(
            machine(tmp.resolve("deployer"), bucket),
            "HALCYON_NO_BUILD",
            "1",
            "HALCYON_NO_UPLOAD",
            "1");
    Map<String, String> collector = machine(tmp.resolve("collector"), bucket);
    List<Round> seen = new ArrayList<>();
    try (S3LayerStore store = store(bucket)) {
      for (int i = 1; i <= rounds; i++) {
        Files.writeString(appA.resolve("src/message.txt"), "branch a, version " + i + "\n");
        Files.writeString(appB.resolve("src/message.txt"), "branch b, version " + i + "\n");
        CliProcess.Result a = CliProcess.run(builderA, tmp, "install", appA.toString());
        assertThat(a.exit()).as(a.toString()).isZero();
        String keyA = installKey(a);
        assertThat(store.head(keyA)).as("%s exists before the deploy starts", keyA).isPresent();

        CompletableFuture<CliProcess.Result> deploy = start(deployer, "install", appA.toString());
        CompletableFuture<CliProcess.Result> b = start(builderB, "install", appB.toString());
        CompletableFuture<CliProcess.Result> gc = start(collector, "gc");
        Round round = new Round(keyA, deploy.get(), b.get(), gc.get());
        seen.add(round);

        assertThat(round.builtB().exit()).as(round.builtB().toString()).isZero();
        assertThat(round.gc().exit()).as(round.gc().toString()).isZero();
        assertThat(round.deployed().exit())
            .as("deploy of %s, which existed when it started: %s", keyA, round.deployed())
            .isZero();
        assertThat(BuildAndDeployIT.run(Machines.installed(tmp.resolve("deployer"))))
            .isEqualTo("greeting 1.0\nbranch a, version " + i + "\n");
      }
    }
    return seen;
  }

  /**
   * Every archive that a stored install archive's manifest lists still exists: every install
   * archive still in the store is retained, so this is "nothing a live install references
   * disappeared".
   */
  private static Listing assertReferencesExist(Map<String, String> bucket) throws Exception {
    try (S3LayerStore store = store(bucket)) {
      Listing listing =
          GarbageCollector.of(
                  store,
                  new DefaultArchiveNamer(),
                  RetentionPolicies.parse("halcyon", Clock.systemUTC()))
              .listing();
      Set<String> keys =
          listing.objects().stream().map(StoredArchive::key).collect(Collectors.toSet());
      List<StoredArchive> installs = installs(listing);
      assertThat(installs).isNotEmpty();
      for (StoredArchive install : installs) {
        assertThat(install.manifest()).as("manifest of %s", install.key()).isPresent();
        assertThat(install.builtOn()).as("archives %s was built on", install.key()).hasSize(3);
        assertThat(keys)
            .as("archives %s was built on", install.key())
            .containsAll(install.builtOn());
      }
      return listing;
    }
  }

  private static List<StoredArchive> installs(Listing listing) {
    return listing.archives().stream().filter(a -> a.name().kind() == LayerKind.INSTALL).toList();
  }

  @Test
  void
      gc_graceZeroKeepTwoDuringBuildsAndDeploys_deletesOldArchivesButNothingReferencedOrBeingDeployed()
          throws Exception {
    // Keep the two newest install archives of the label: one upload of the other branch during a
    // deploy cannot push out the archive being deployed. Keep one dependencies archive per label:
    // the branches' differ, and the older must survive while an install archive references it.
    // grace=0 so deletions really happen.
    Map<String, String> bucket =
        with(
            bucket("grace-zero"),
            "HALCYON_RETENTION",
            "keep=install:2,dependencies:1,build:1,toolchain:1;grace=0");

    List<Round> rounds = race(bucket, 2);

    assertThat(rounds).hasSize(2);
    CliProcess.Result last = CliProcess.run(machine(tmp.resolve("collector"), bucket), tmp, "gc");
    assertThat(last.exit()).as(last.toString()).isZero();
    Listing after = assertReferencesExist(bucket);
    List<String> installKeys = installs(after).stream().map(StoredArchive::key).toList();
    assertThat(installKeys)
        .as("the two newest install archives, branch B's last and branch A's last")
        .hasSize(2)
        .contains(rounds.get(1).builtA());
    assertThat(installKeys).doesNotContain(rounds.get(0).builtA());
  }

  @Test
  void gc_defaultPolicyDuringBuildsAndDeploys_graceKeepsTheOtherBranchsArchive() throws Exception {
    Map<String, String> bucket = bucket("default");

    List<Round> rounds = race(bucket, 2);

    Listing after = assertReferencesExist(bucket);
    List<String> installKeys = installs(after).stream().map(StoredArchive::key).toList();
    // Halcyon's rules keep one install archive per label; only the grace period kept the others.
    assertThat(installKeys).hasSize(4).contains(rounds.get(0).builtA(), rounds.get(1).builtA());
    Map<String, String> noGrace =
        with(machine(tmp.resolve("collector"), bucket), "HALCYON_RETENTION", "halcyon;grace=0");
    CliProcess.Result plan = CliProcess.run(noGrace, tmp, "gc", "--dry-run");
    assertThat(plan.exit()).as(plan.toString()).isZero();
    assertThat(plan.out())
        .contains("would delete " + rounds.get(0).builtA())
        .contains("would delete " + rounds.get(1).builtA());
    assertThat(plan.out()).containsPattern("\\[halcyon\\] ");
  }

  @Test
  void
      install_graceZeroKeepOneAndOtherBranchUploadsBeforeTheDeploysGet_exitsTwoAndKeepsThePreviousInstall()
          throws Exception {
    // The window GarbageCollector documents, made deterministic: the deployer is "told" branch A's
    // archive exists, then branch B's upload prunes it (newest one per label, no grace) before the
    // deployer's GET. The default grace period (and keep=install:2, above) close this window for
    // archives written within the grace period; here the failure must at least be clean.
    Map<String, String> bucket = with(bucket("window"), "HALCYON_RETENTION", "halcyon;grace=0");
    Path log = tmp.resolve("hooks.log");
    Path appA = TestApps.write(tmp.resolve("branch-a"), "a1", log);
    Path appB = TestApps.write(tmp.resolve("branch-b"), "b1", log);
    Map<String, String> deployer =
        with(
            machine(tmp.resolve("deployer"), bucket),
            "HALCYON_NO_BUILD",
            "1",
            "HALCYON_NO_UPLOAD",
            "1");
    CliProcess.Result a1 =
        CliProcess.run(machine(tmp.resolve("builder-a"), bucket), tmp, "install", appA.toString());
    assertThat(a1.exit()).as(a1.toString()).isZero();
    CliProcess.Result first = CliProcess.run(deployer, tmp, "install", appA.toString());
    assertThat(first.exit()).as(first.toString()).isZero();
    Files.writeString(appA.resolve("src/message.txt"), "branch a, version 2\n");
    CliProcess.Result a2 =
        CliProcess.run(machine(tmp.resolve("builder-a"), bucket), tmp, "install", appA.toString());
    assertThat(a2.exit()).as(a2.toString()).isZero();
    try (S3LayerStore store = store(bucket)) {
      assertThat(store.head(installKey(a2))).isPresent();

      CliProcess.Result b =
          CliProcess.run(
              machine(tmp.resolve("builder-b"), bucket), tmp, "install", appB.toString());
      assertThat(b.exit()).as(b.toString()).isZero();
      assertThat(store.head(installKey(a2))).as("pruned by branch B's upload").isEmpty();
    }
    CliProcess.Result deployed = CliProcess.run(deployer, tmp, "install", appA.toString());

    assertThat(deployed.exit()).as(deployed.toString()).isEqualTo(2);
    assertThat(deployed.err()).contains("build required but forbidden").contains(installKey(a2));
    assertThat(BuildAndDeployIT.run(Machines.installed(tmp.resolve("deployer"))))
        .isEqualTo("greeting 1.0\nhello from version a1\n");
  }

  @Test
  void gcDryRun_condemnedArchives_printsKeyRuleAndReasonPerLineAndASummaryAndDeletesNothing()
      throws Exception {
    Map<String, String> bucket = bucket("dry-run");
    List<String> written = putInstallArchives(bucket, 3);
    Map<String, String> env =
        with(machine(tmp.resolve("collector"), bucket), "HALCYON_RETENTION", "halcyon;grace=0");

    CliProcess.Result r = CliProcess.run(env, tmp, "gc", "--dry-run");

    assertThat(r.exit()).as(r.toString()).isZero();
    List<String> lines = r.out().lines().toList();
    assertThat(lines).hasSize(3);
    Pattern line = Pattern.compile("would delete (\\S+)\\s+\\S+ ?\\S*\\s+\\[([a-z-]+)\\] (.+)");
    List<String> condemned = new ArrayList<>();
    for (String text : lines.subList(0, 2)) {
      Matcher m = line.matcher(text);
      assertThat(m.matches()).as("line '%s'", text).isTrue();
      condemned.add(m.group(1));
      assertThat(m.group(2)).isEqualTo("halcyon");
      assertThat(m.group(3)).isNotBlank();
    }
    // Halcyon's rules keep the newest install archive of the label: the other two go.
    assertThat(condemned).doesNotHaveDuplicates().isSubsetOf(written);
    assertThat(lines.get(2))
        .matches(
            "# would delete 2 object\\(s\\), .+, from s3://shared/dry-run; would abort 0 incomplete upload\\(s\\) older than the grace period; 3 listed \\(0 unknown, untouched\\), \\d+ requests .*");
    try (S3LayerStore store = store(bucket)) {
      assertThat(store.list(""))
          .extracting(ObjectInfo::key)
          .containsExactlyInAnyOrderElementsOf(written);
    }
  }

  @Test
  void gc_noDelete_refusesWithOneLineAndDeletesNothing() throws Exception {
    Map<String, String> bucket = bucket("no-delete");
    List<String> written = putInstallArchives(bucket, 2);
    Map<String, String> env =
        with(machine(tmp.resolve("collector"), bucket), "HALCYON_RETENTION", "halcyon;grace=0");

    for (String variable : List.of("HALCYON_NO_DELETE", "HALCYON_NO_CLEAN_PRIVATE_STORAGE")) {
      CliProcess.Result r = CliProcess.run(with(env, variable, "1"), tmp, "gc");

      assertThat(r.exit()).as(r.toString()).isEqualTo(1);
      assertThat(r.out()).isEmpty();
      assertThat(r.err().lines().toList())
          .containsExactly(
              "halcyon: error: HALCYON_NO_DELETE is set, so gc may not delete; use --dry-run to see the plan");
    }
    try (S3LayerStore store = store(bucket)) {
      assertThat(store.list(""))
          .extracting(ObjectInfo::key)
          .containsExactlyInAnyOrderElementsOf(written);
    }
  }

  /** {@code n} install archives of one label, without manifests. */
  private static List<String> putInstallArchives(Map<String, String> bucket, int n)
      throws Exception {
    DefaultArchiveNamer namer = new DefaultArchiveNamer();
    List<String> keys = new ArrayList<>();
    try (S3LayerStore store = store(bucket)) {
      for (int i = 0; i < n; i++) {
        LayerTag tag =
            LayerTag.of(LayerKind.INSTALL, "linux-test-1-x86_64", "jdk-17", "demo-app-1.0")
                .with(
                    LayerTag.SOURCE_HASH, dev.halcyon.layer.Digest.sha256("source " + i).toString())
                .with(LayerTag.PREFIX, "/app");
        String key = namer.key(tag, "tar.zst");
        store.put(key, ("archive " + i).getBytes(StandardCharsets.UTF_8), PutMode.IF_ABSENT);
        keys.add(key);
      }
    }
    return keys;
  }
}
