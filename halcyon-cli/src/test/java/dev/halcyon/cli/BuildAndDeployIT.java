package dev.halcyon.cli;

import static dev.halcyon.cli.Machines.machine;
import static dev.halcyon.cli.Machines.with;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seed's flow with the real jar: a build machine and a deploy machine sharing a folder as
 * private storage.
 */
class BuildAndDeployIT {
  @TempDir Path tmp;

  @Test
  void install_buildThenDeploy_deployRestoresOneArchiveAndRefusesToBuild() throws Exception {
    Path log = tmp.resolve("hooks.log");
    Path app = TestApps.write(tmp.resolve("app"), "1", log);
    Map<String, String> store = Map.of("HALCYON_STORAGE_DIR", tmp.resolve("bucket").toString());
    Path builderDir = tmp.resolve("builder");
    Path deployerDir = tmp.resolve("deployer");
    Map<String, String> builder = machine(builderDir, store);
    Map<String, String> deployer =
        with(machine(deployerDir, store), "HALCYON_NO_BUILD", "1", "HALCYON_NO_UPLOAD", "1");

    CliProcess.Result built = CliProcess.run(builder, tmp, "install", app.toString());
    assertThat(built.exit()).as(built.toString()).isZero();
    assertThat(Files.readAllLines(log))
        .containsExactly("toolchain", "dependencies", "build", "install", "post-install");
    assertThat(run(Machines.installed(builderDir)))
        .isEqualTo("greeting 1.0\nhello from version 1\n");

    Files.delete(log);
    CliProcess.Result deployed = CliProcess.run(deployer, tmp, "install", app.toString());
    assertThat(deployed.exit()).as(deployed.toString()).isZero();
    assertThat(deployed.err()).containsPattern("install\\s+private");
    assertThat(deployed.err()).doesNotContain("toolchain ").doesNotContain("dependencies ");
    assertThat(Files.readAllLines(log)).containsExactly("post-install");
    assertThat(run(Machines.installed(deployerDir)))
        .isEqualTo("greeting 1.0\nhello from version 1\n");

    // A new version of the source: the deploy machine may not build it.
    Files.writeString(app.resolve("src/message.txt"), "hello from version 2\n");
    String before = tree(Machines.installed(deployerDir));
    CliProcess.Result forbidden = CliProcess.run(deployer, tmp, "install", app.toString());
    assertThat(forbidden.exit()).as(forbidden.toString()).isEqualTo(2);
    assertThat(forbidden.err().strip().lines().reduce((a, b) -> b).orElse(""))
        .startsWith("halcyon: build required but forbidden")
        .contains("HALCYON_NO_BUILD");
    assertThat(tree(Machines.installed(deployerDir))).isEqualTo(before);

    // The build machine rebuilds the app only.
    Files.delete(log);
    CliProcess.Result rebuilt = CliProcess.run(builder, tmp, "install", app.toString());
    assertThat(rebuilt.exit()).as(rebuilt.toString()).isZero();
    assertThat(Files.readAllLines(log)).containsExactly("build", "install", "post-install");
    assertThat(rebuilt.err())
        .containsPattern("toolchain\\s+existing")
        .containsPattern("dependencies\\s+existing");

    CliProcess.Result redeployed = CliProcess.run(deployer, tmp, "install", app.toString());
    assertThat(redeployed.exit()).as(redeployed.toString()).isZero();
    assertThat(run(Machines.installed(deployerDir)))
        .isEqualTo("greeting 1.0\nhello from version 2\n");

    CliProcess.Result again = CliProcess.run(deployer, tmp, "install", app.toString());
    assertThat(again.exit()).as(again.toString()).isZero();
    assertThat(again.err()).contains("Already installed");
  }

  @Test
  void install_failingHook_exitsOneWithOneLineAndUploadsNothing() throws Exception {
    Path app = TestApps.write(tmp.resolve("app"), "1", tmp.resolve("hooks.log"));
    TestApps.hook(app, "build", "echo compiling...\nexit 3\n");
    Path bucket = tmp.resolve("bucket");
    Map<String, String> builder =
        machine(tmp.resolve("builder"), Map.of("HALCYON_STORAGE_DIR", bucket.toString()));

    CliProcess.Result r = CliProcess.run(builder, tmp, "install", app.toString());

    assertThat(r.exit()).as(r.toString()).isEqualTo(1);
    assertThat(lastLine(r.err()))
        .startsWith("halcyon: error: .halcyon/build failed with exit status 3")
        .endsWith("fix it and run again");
    assertThat(Files.exists(Machines.installed(tmp.resolve("builder")))).isFalse();
    CliProcess.Result ls = CliProcess.run(builder, tmp, "ls");
    assertThat(ls.out()).doesNotContain("halcyon-build-").doesNotContain("halcyon-install-");
  }

  @Test
  void install_twoAtOnceOnOneMachine_bothSucceedAndTheAppIsWhole() throws Exception {
    Path app = TestApps.write(tmp.resolve("app"), "1", tmp.resolve("hooks.log"));
    Map<String, String> builder =
        machine(
            tmp.resolve("builder"),
            Map.of("HALCYON_STORAGE_DIR", tmp.resolve("bucket").toString()));
    var pool = java.util.concurrent.Executors.newFixedThreadPool(2);
    try {
      var a = pool.submit(() -> CliProcess.run(builder, tmp, "install", app.toString()));
      var b = pool.submit(() -> CliProcess.run(builder, tmp, "install", app.toString()));
      assertThat(a.get().exit()).as(a.get().toString()).isZero();
      assertThat(b.get().exit()).as(b.get().toString()).isZero();
    } finally {
      pool.shutdownNow();
    }
    assertThat(run(Machines.installed(tmp.resolve("builder"))))
        .isEqualTo("greeting 1.0\nhello from version 1\n");
  }

  static String run(Path installed) throws Exception {
    Process p =
        new ProcessBuilder(installed.resolve("bin/demo-app").toString())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).isZero();
    return out;
  }

  static String tree(Path dir) throws Exception {
    StringBuilder sb = new StringBuilder();
    try (var walk = Files.walk(dir)) {
      for (Path p : walk.sorted().toList()) {
        sb.append(dir.relativize(p)).append(' ');
        if (Files.isRegularFile(p)) {
          sb.append(new String(Files.readAllBytes(p), StandardCharsets.UTF_8));
        }
        sb.append('\n');
      }
    }
    return sb.toString();
  }

  static String lastLine(String text) {
    List<String> lines = text.strip().lines().toList();
    return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
  }
}
