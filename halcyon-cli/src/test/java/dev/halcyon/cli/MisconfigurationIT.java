package dev.halcyon.cli;

import static dev.halcyon.cli.Machines.machine;
import static dev.halcyon.cli.Machines.with;
import static org.assertj.core.api.Assertions.assertThat;

import com.adobe.testing.s3mock.junit5.S3MockExtension;
import dev.halcyon.s3.S3ProxyExtension;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A table of misconfigurations, each run through the real jar: exit 1 (2 where a build is
 * forbidden), the last line of standard error is one {@code halcyon: ...} line naming what to
 * change, and the secret key (set in every case) appears nowhere, not even with {@code --verbose}.
 */
class MisconfigurationIT {
  @RegisterExtension
  static final S3MockExtension S3 =
      S3MockExtension.builder().silent().withInitialBuckets("shared").build();

  static final String SECRET = "wJalrXUtnFEMI-misconfig-SECRET-value-0042";

  @RegisterExtension
  static final S3ProxyExtension S3_PROXY =
      S3ProxyExtension.builder().shared().withInitialBuckets("proxied").build();

  @TempDir Path tmp;

  /** One row: what to set up, the expected exit and the words the last line must contain. */
  record Case(String name, int exit, List<String> words, Setup setup) {
    @Override
    public String toString() {
      return name;
    }
  }

  /** Arranges one case under {@code tmp} and returns the environment and arguments to run. */
  interface Setup {
    Run arrange(Path tmp, Path app, Map<String, String> env) throws Exception;
  }

  record Run(Map<String, String> env, List<String> args) {}

  static Case row(String name, int exit, Setup setup, String... words) {
    return new Case(name, exit, List.of(words), setup);
  }

  static Run install(Map<String, String> env, Path app, String... pairs) {
    return new Run(with(env, pairs), List.of("install", app.toString()));
  }

  static Map<String, String> s3Mock(Map<String, String> env, String bucket) {
    return with(
        env,
        "HALCYON_S3_BUCKET",
        bucket,
        "HALCYON_S3_ENDPOINT",
        "http://127.0.0.1:" + S3.getHttpPort(),
        "HALCYON_S3_REGION",
        "us-east-1");
  }

  static Path regularFile(Path tmp) throws IOException {
    Path f = tmp.resolve("a-regular-file");
    if (!Files.exists(f)) {
      Files.writeString(f, "not a directory\n");
    }
    return f;
  }

  static int closedPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static final Map<String, dev.halcyon.s3.CannedS3Server> ELSEWHERE =
      new java.util.HashMap<>();

  /**
   * A server answering every request as AWS does for a bucket in eu-central-1 ({@code mode}:
   * redirect or malformed).
   */
  static synchronized String bucketInEuCentral1(String mode) throws IOException {
    if (!ELSEWHERE.containsKey(mode)) {
      ELSEWHERE.put(
          mode,
          dev.halcyon.s3.CannedS3Server.start(
              dev.halcyon.s3.CannedS3Server.wrongRegion("far-away", "eu-central-1", mode)));
    }
    return ELSEWHERE.get(mode).endpoint().toString();
  }

  @AfterAll
  static void stopCannedServers() throws IOException {
    for (dev.halcyon.s3.CannedS3Server server : ELSEWHERE.values()) {
      server.close();
    }
  }

  static Stream<Case> cases() {
    return Stream.of(
        row(
            "S3 ACL unknown",
            1,
            (t, a, e) -> install(s3Mock(e, "shared"), a, "HALCYON_S3_ACL", "bogus"),
            "HALCYON_S3_ACL",
            "bogus"),
        row(
            "S3 bucket name invalid",
            1,
            (t, a, e) -> install(s3Mock(e, "Bad_Bucket!"), a),
            "HALCYON_S3_BUCKET",
            "Bad_Bucket!"),
        row(
            "S3 bucket missing",
            1,
            (t, a, e) -> install(s3Mock(e, "no-such-bucket"), a),
            "no-such-bucket"),
        row(
            "S3 secret wrong (S3Proxy checks signatures)",
            1,
            (t, a, e) ->
                install(
                    with(
                        e,
                        "HALCYON_S3_BUCKET",
                        "proxied",
                        "HALCYON_S3_ENDPOINT",
                        S3_PROXY.endpoint().toString(),
                        "HALCYON_S3_REGION",
                        "us-east-1",
                        "HALCYON_AWS_ACCESS_KEY_ID",
                        S3_PROXY.accessKeyId()),
                    a),
            "proxied",
            "HALCYON_AWS_SECRET_ACCESS_KEY"),
        row(
            "S3 endpoint unreachable (closed loopback port)",
            1,
            (t, a, e) ->
                install(
                    with(
                        e,
                        "HALCYON_S3_BUCKET",
                        "shared",
                        "HALCYON_S3_ENDPOINT",
                        "http://127.0.0.1:" + closedPort(),
                        "HALCYON_S3_REGION",
                        "us-east-1"),
                    a),
            "127.0.0.1"),
        row(
            "S3 bucket in another region (301 PermanentRedirect, a regional endpoint)",
            1,
            (t, a, e) ->
                install(
                    with(
                        e,
                        "HALCYON_S3_BUCKET",
                        "far-away",
                        "HALCYON_S3_ENDPOINT",
                        bucketInEuCentral1("redirect"),
                        "HALCYON_S3_REGION",
                        "us-east-1"),
                    a),
            "bucket far-away is in region eu-central-1, not us-east-1; set HALCYON_S3_REGION=eu-central-1"),
        row(
            "S3 bucket in another region (400 AuthorizationHeaderMalformed, the global endpoint)",
            1,
            (t, a, e) ->
                install(
                    with(
                        e,
                        "HALCYON_S3_BUCKET",
                        "far-away",
                        "HALCYON_S3_ENDPOINT",
                        bucketInEuCentral1("malformed"),
                        "HALCYON_S3_REGION",
                        "us-east-1"),
                    a),
            "bucket far-away is in region eu-central-1, not us-east-1; set HALCYON_S3_REGION=eu-central-1"),
        row(
            "S3 endpoint malformed URL",
            1,
            (t, a, e) ->
                install(
                    with(
                        e,
                        "HALCYON_S3_BUCKET",
                        "shared",
                        "HALCYON_S3_ENDPOINT",
                        "http://[not-a-host",
                        "HALCYON_S3_REGION",
                        "us-east-1"),
                    a),
            "HALCYON_S3_ENDPOINT"),
        row(
            "cache under a regular file",
            1,
            (t, a, e) -> install(e, a, "HALCYON_CACHE", regularFile(t).resolve("sub").toString()),
            "a-regular-file",
            "Not a directory"),
        row(
            "root under a regular file",
            1,
            (t, a, e) -> install(e, a, "HALCYON_ROOT", regularFile(t).resolve("sub").toString()),
            "a-regular-file",
            "HALCYON_ROOT"),
        row(
            "base under a regular file",
            1,
            (t, a, e) -> install(e, a, "HALCYON_BASE", regularFile(t).resolve("sub").toString()),
            "a-regular-file",
            "HALCYON_BASE"),
        row(
            "storage dir under a regular file",
            1,
            (t, a, e) ->
                install(e, a, "HALCYON_STORAGE_DIR", regularFile(t).resolve("sub").toString()),
            "a-regular-file",
            "Not a directory"),
        row(
            "hook not executable",
            1,
            (t, a, e) -> {
              Files.setPosixFilePermissions(
                  a.resolve(".halcyon/build"), PosixFilePermissions.fromString("rw-r--r--"));
              return install(e, a);
            },
            ".halcyon/build"),
        row(
            "hook interpreter missing",
            1,
            (t, a, e) -> {
              Files.writeString(a.resolve(".halcyon/build"), "#!/no/such/interpreter\necho hi\n");
              return install(e, a);
            },
            ".halcyon/build"),
        row(
            "hook failing (exit 3)",
            1,
            (t, a, e) -> {
              TestApps.hook(a, "build", "echo 'compiler says no' >&2\nexit 3\n");
              return install(e, a);
            },
            "build",
            "3"),
        row(
            "post-install hook failing",
            1,
            (t, a, e) -> {
              TestApps.hook(a, "post-install", "exit 4\n");
              return install(e, a);
            },
            "post-install",
            "4"),
        row(
            "no label",
            1,
            (t, a, e) -> {
              Files.delete(a.resolve(".halcyon/label"));
              return install(e, a);
            },
            "label"),
        row(
            "label malformed",
            1,
            (t, a, e) -> install(e, a, "HALCYON_LABEL", "no spaces allowed"),
            "HALCYON_LABEL"),
        row(
            "toolchain id bad",
            1,
            (t, a, e) -> {
              TestApps.magic(a, "toolchain", "Not A Toolchain\n");
              return install(e, a);
            },
            "toolchain",
            "name-version"),
        row(
            "constraints line bad",
            1,
            (t, a, e) -> {
              TestApps.magic(a, "constraints", "greeting 1.0\nthis line has three words\n");
              return install(e, a);
            },
            ".halcyon/constraints"),
        row(
            "flag value bad",
            1,
            (t, a, e) -> install(e, a, "HALCYON_NO_BUILD", "maybe"),
            "HALCYON_NO_BUILD",
            "maybe"),
        row(
            "prefix not absolute",
            1,
            (t, a, e) -> install(e, a, "HALCYON_PREFIX", "app"),
            "HALCYON_PREFIX",
            "absolute"),
        row(
            "prefix dir not installed by halcyon",
            1,
            (t, a, e) -> {
              Path mine = Path.of(e.get("HALCYON_ROOT")).resolve("app");
              Files.createDirectories(mine);
              Files.writeString(mine.resolve("precious.txt"), "someone else's\n");
              return install(e, a);
            },
            "/app"),
        row(
            "public storage URL not http",
            1,
            (t, a, e) ->
                install(e, a, "HALCYON_PUBLIC_STORAGE_URL", "ftp://example.invalid/bucket/"),
            "HALCYON_PUBLIC_STORAGE_URL"),
        row(
            "compression unknown",
            1,
            (t, a, e) -> install(e, a, "HALCYON_COMPRESSION", "rar"),
            "HALCYON_COMPRESSION",
            "rar"),
        row(
            "retention spec bad",
            1,
            (t, a, e) ->
                new Run(
                    with(
                        e,
                        "HALCYON_STORAGE_DIR",
                        t.resolve("store").toString(),
                        "HALCYON_RETENTION",
                        "keep=lots"),
                    List.of("gc")),
            "HALCYON_RETENTION"),
        row(
            "naming unknown",
            1,
            (t, a, e) -> install(e, a, "HALCYON_NAMING", "fancy"),
            "HALCYON_NAMING"),
        row(
            "unknown option",
            1,
            (t, a, e) -> new Run(e, List.of("install", "--no-such-option", a.toString())),
            "--no-such-option"),
        row(
            "app directory missing",
            1,
            (t, a, e) -> new Run(e, List.of("install", t.resolve("nowhere").toString())),
            "nowhere"),
        row(
            "deploy machine, archive missing",
            2,
            (t, a, e) ->
                install(
                    with(e, "HALCYON_STORAGE_DIR", t.resolve("store").toString()),
                    a,
                    "HALCYON_NO_BUILD",
                    "1"),
            "HALCYON_NO_BUILD"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void install_misconfigured_exitsWithOneLineSayingWhatToChange(Case c) throws Exception {
    Path app = TestApps.write(tmp.resolve("app"), "1", tmp.resolve("hooks.log"));
    Map<String, String> env =
        with(
            machine(tmp.resolve("m"), Map.of()),
            "HALCYON_AWS_ACCESS_KEY_ID",
            "AKIDEXAMPLE",
            "HALCYON_AWS_SECRET_ACCESS_KEY",
            SECRET);
    Run run = c.setup().arrange(tmp, app, env);
    assertThat(run.env()).containsEntry("HALCYON_AWS_SECRET_ACCESS_KEY", SECRET);

    List<String> verboseArgs = new ArrayList<>(run.args());
    verboseArgs.add(1, "--verbose");
    CliProcess.Result verbose;
    CliProcess.Result r;
    long millis;
    if (c.name().contains("hook") || c.name().contains("installed by")) {
      // These cases change the machine (a build, an install): run them one after the other.
      long start = System.nanoTime();
      r = CliProcess.run(run.env(), tmp, run.args().toArray(String[]::new));
      millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      verbose = CliProcess.run(run.env(), tmp, verboseArgs.toArray(String[]::new));
    } else {
      // The rest change nothing before failing: run the verbose twin alongside.
      java.util.concurrent.CompletableFuture<CliProcess.Result> twin =
          java.util.concurrent.CompletableFuture.supplyAsync(
              () -> {
                try {
                  return CliProcess.run(
                      with(run.env(), "HOME", tmp.resolve("twin").toString()),
                      tmp,
                      verboseArgs.toArray(String[]::new));
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
      long start = System.nanoTime();
      r = CliProcess.run(run.env(), tmp, run.args().toArray(String[]::new));
      millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      verbose = twin.get(5, TimeUnit.MINUTES);
    }

    String last = BuildAndDeployIT.lastLine(r.err());
    TABLE.put(c.name(), r.exit() + " | " + millis + " ms | " + last);
    assertThat(r.exit()).as(r.toString()).isEqualTo(c.exit());
    assertThat(last)
        .as(r.toString())
        .startsWith("halcyon: ")
        .doesNotContain("\n")
        .doesNotContain("Exception");
    for (String w : c.words()) {
      assertThat(last).as(r.toString()).contains(w);
    }
    assertThat(r.err().lines().filter(l -> l.startsWith("halcyon: ")).count())
        .as(r.toString())
        .isEqualTo(1);
    assertThat(verbose.exit()).as(verbose.toString()).isEqualTo(c.exit());
    for (CliProcess.Result each : List.of(r, verbose)) {
      assertThat(each.out() + each.err())
          .as(each.toString())
          .doesNotContain(SECRET)
          .doesNotContain(SECRET.substring(0, 20));
    }
  }

  @org.junit.jupiter.api.Test
  void install_rootOnFullDisk_exitsOneAndLeavesNothingHalfInstalled() throws Exception {
    Path root = Files.createDirectories(tmp.resolve("tiny-root"));
    boolean mounted =
        new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", root.toString())
                .inheritIO()
                .start()
                .waitFor()
            == 0;
    Assumptions.assumeTrue(
        mounted, "cannot mount a tmpfs here (needs root): the full-disk case is skipped");
    try {
      Path app = TestApps.write(tmp.resolve("app"), "1", tmp.resolve("hooks.log"));
      TestApps.hook(
          app,
          "install",
          "mkdir -p \"$1/share\"\nhead -c 1048576 /dev/urandom > \"$1/share/blob\"\n");
      Map<String, String> env =
          with(
              machine(tmp.resolve("m"), Map.of()),
              "HALCYON_ROOT",
              root.toString(),
              "HALCYON_AWS_SECRET_ACCESS_KEY",
              SECRET);

      CliProcess.Result r = CliProcess.run(env, tmp, "install", app.toString());

      String last = BuildAndDeployIT.lastLine(r.err());
      TABLE.put("root on a full disk (256 KiB tmpfs)", r.exit() + " | - | " + last);
      assertThat(r.exit()).as(r.toString()).isEqualTo(1);
      assertThat(last).startsWith("halcyon: ").containsIgnoringCase("space");
      assertThat(r.out() + r.err()).doesNotContain(SECRET);
      try (Stream<Path> left = Files.list(root)) {
        assertThat(left).as("nothing half-installed, no temporary directory left").isEmpty();
      }
    } finally {
      new ProcessBuilder("umount", root.toString()).inheritIO().start().waitFor();
    }
  }

  /** The outcomes, printed at the end for the report. */
  static final Map<String, String> TABLE = new java.util.concurrent.ConcurrentSkipListMap<>();

  @AfterAll
  static void printTable() {
    TABLE.forEach((k, v) -> System.out.println("MISCONFIG | " + k + " | " + v));
  }
}
