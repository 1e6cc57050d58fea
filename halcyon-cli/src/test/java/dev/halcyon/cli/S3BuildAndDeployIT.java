package dev.halcyon.cli;

import static dev.halcyon.cli.Machines.machine;
import static dev.halcyon.cli.Machines.with;
import static org.assertj.core.api.Assertions.assertThat;

import com.adobe.testing.s3mock.junit5.S3MockExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The seed's flow with the real jar and an S3 bucket (S3Mock) as the only shared thing. */
class S3BuildAndDeployIT {
  @RegisterExtension
  static final S3MockExtension S3 =
      S3MockExtension.builder().silent().withInitialBuckets("shared", "public").build();

  private static final String SECRET = "s3cr3t-never-printed";

  @TempDir Path tmp;

  private Map<String, String> bucket() {
    return Map.of(
        "HALCYON_S3_BUCKET", "shared/team-a",
        "HALCYON_S3_ENDPOINT", "http://127.0.0.1:" + S3.getHttpPort(),
        "HALCYON_S3_REGION", "us-east-1",
        "HALCYON_AWS_ACCESS_KEY_ID", "AKIDEXAMPLE",
        "HALCYON_AWS_SECRET_ACCESS_KEY", SECRET,
        // Off by default; on here, through the CLI to the store. These archives are small, so
        // they take its fallback (the finished file); CrashSafetyIT's multipart case overlaps.
        "HALCYON_S3_OVERLAP_UPLOADS", "on");
  }

  @Test
  void install_buildThenDeployThroughS3_deployRestoresOneArchive() throws Exception {
    Path log = tmp.resolve("hooks.log");
    Path app = TestApps.write(tmp.resolve("app"), "1", log);
    Map<String, String> builder = machine(tmp.resolve("builder"), bucket());
    Map<String, String> deployer =
        with(
            machine(tmp.resolve("deployer"), bucket()),
            "HALCYON_NO_BUILD",
            "1",
            "HALCYON_NO_UPLOAD",
            "1");

    CliProcess.Result built = CliProcess.run(builder, tmp, "install", app.toString());
    assertThat(built.exit()).as(built.toString()).isZero();
    assertThat(built.err()).contains("s3://shared/team-a");

    Files.delete(log);
    CliProcess.Result deployed = CliProcess.run(deployer, tmp, "install", app.toString());
    assertThat(deployed.exit()).as(deployed.toString()).isZero();
    assertThat(deployed.err()).containsPattern("install\\s+private");
    assertThat(Files.readAllLines(log)).containsExactly("post-install");
    assertThat(BuildAndDeployIT.run(Machines.installed(tmp.resolve("deployer"))))
        .isEqualTo("greeting 1.0\nhello from version 1\n");

    Files.writeString(app.resolve("src/message.txt"), "hello from version 2\n");
    CliProcess.Result forbidden = CliProcess.run(deployer, tmp, "install", app.toString());
    assertThat(forbidden.exit()).as(forbidden.toString()).isEqualTo(2);

    CliProcess.Result rebuilt = CliProcess.run(builder, tmp, "install", app.toString());
    assertThat(rebuilt.exit()).as(rebuilt.toString()).isZero();
    CliProcess.Result redeployed = CliProcess.run(deployer, tmp, "install", app.toString());
    assertThat(redeployed.exit()).as(redeployed.toString()).isZero();
    assertThat(BuildAndDeployIT.run(Machines.installed(tmp.resolve("deployer"))))
        .isEqualTo("greeting 1.0\nhello from version 2\n");

    CliProcess.Result ls = CliProcess.run(builder, tmp, "ls");
    assertThat(ls.exit()).as(ls.toString()).isZero();
    assertThat(ls.out()).contains("halcyon-install-").contains("halcyon-toolchain-shtool-1.0");
    CliProcess.Result gc = CliProcess.run(builder, tmp, "gc", "--dry-run");
    assertThat(gc.exit()).as(gc.toString()).isZero();
    assertThat(gc.out()).contains("# would delete");

    for (CliProcess.Result r :
        new CliProcess.Result[] {built, deployed, forbidden, rebuilt, redeployed, ls, gc}) {
      assertThat(r.out() + r.err()).doesNotContain(SECRET);
    }
  }

  @Test
  void install_wrongBucket_exitsOneNamingTheBucketWithoutTheSecret() throws Exception {
    Path app = TestApps.write(tmp.resolve("app"), "1", tmp.resolve("hooks.log"));
    Map<String, String> env =
        with(
            machine(tmp.resolve("deployer"), bucket()),
            "HALCYON_S3_BUCKET",
            "no-such-bucket",
            "HALCYON_NO_BUILD",
            "1");

    CliProcess.Result r = CliProcess.run(env, tmp, "install", "--verbose", app.toString());

    assertThat(r.exit()).as(r.toString()).isEqualTo(1);
    assertThat(r.err()).contains("halcyon: ").contains("no-such-bucket").doesNotContain(SECRET);
  }

  @Test
  void install_fromPublicStorage_restoresAndMirrorsIntoPrivateStorage() throws Exception {
    Path app = TestApps.write(tmp.resolve("app"), "1", tmp.resolve("hooks.log"));
    Map<String, String> publisher =
        with(
            machine(tmp.resolve("publisher"), bucket()),
            "HALCYON_S3_BUCKET",
            "public",
            "HALCYON_S3_ACL",
            "public-read");
    CliProcess.Result published = CliProcess.run(publisher, tmp, "build", app.toString());
    assertThat(published.exit()).as(published.toString()).isZero();

    Path privateDir = tmp.resolve("private");
    Map<String, String> viaPublic =
        with(
            machine(tmp.resolve("first"), Map.of()),
            "HALCYON_STORAGE_DIR",
            privateDir.toString(),
            "HALCYON_PUBLIC_STORAGE_URL",
            "http://127.0.0.1:" + S3.getHttpPort() + "/public/",
            "HALCYON_NO_BUILD",
            "1");
    CliProcess.Result fromPublic = CliProcess.run(viaPublic, tmp, "install", app.toString());
    assertThat(fromPublic.exit()).as(fromPublic.toString()).isZero();
    assertThat(fromPublic.err()).containsPattern("install\\s+public");
    assertThat(BuildAndDeployIT.run(Machines.installed(tmp.resolve("first"))))
        .isEqualTo("greeting 1.0\nhello from version 1\n");

    Map<String, String> privateOnly =
        with(
            machine(tmp.resolve("second"), Map.of()),
            "HALCYON_STORAGE_DIR",
            privateDir.toString(),
            "HALCYON_NO_BUILD",
            "1");
    CliProcess.Result mirrored = CliProcess.run(privateOnly, tmp, "install", app.toString());
    assertThat(mirrored.exit()).as(mirrored.toString()).isZero();
    assertThat(mirrored.err()).containsPattern("install\\s+private");
  }
}
