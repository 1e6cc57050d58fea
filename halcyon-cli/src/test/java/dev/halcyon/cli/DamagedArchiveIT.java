package dev.halcyon.cli;

import static dev.halcyon.cli.Machines.machine;
import static dev.halcyon.cli.Machines.with;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A damaged install archive in the shared store: refused on a deploy machine, replaced by a build. */
class DamagedArchiveIT {
  @TempDir Path tmp;

  @Test
  void install_damagedArchiveInStore_deployFailsClearlyAndBuildReplacesIt() throws Exception {
    Path app = TestApps.write(tmp.resolve("app"), "1", tmp.resolve("hooks.log"));
    Path bucket = tmp.resolve("bucket");
    Map<String, String> store = Map.of("HALCYON_STORAGE_DIR", bucket.toString());
    CliProcess.Result built = CliProcess.run(machine(tmp.resolve("builder"), store), tmp, "install", app.toString());
    assertThat(built.exit()).as(built.toString()).isZero();

    Path archive;
    try (var walk = Files.walk(bucket)) {
      archive = walk.filter(p -> p.getFileName().toString().startsWith("halcyon-install-") && p.toString().endsWith(".tar.zst")).findFirst().orElseThrow();
    }
    try (RandomAccessFile f = new RandomAccessFile(archive.toFile(), "rw")) {
      f.seek(f.length() / 2);
      int b = f.read();
      f.seek(f.length() / 2);
      f.write(b ^ 0xff);
    }

    Map<String, String> deployer = with(machine(tmp.resolve("deployer"), store), "HALCYON_NO_BUILD", "1", "HALCYON_NO_UPLOAD", "1");
    CliProcess.Result refused = CliProcess.run(deployer, tmp, "install", app.toString());
    assertThat(refused.exit()).as(refused.toString()).isEqualTo(1);
    assertThat(BuildAndDeployIT.lastLine(refused.err()))
        .startsWith("halcyon: error: the install archive ")
        .contains("is damaged")
        .contains("rebuild it on a build machine");
    assertThat(Machines.installed(tmp.resolve("deployer"))).doesNotExist();

    CliProcess.Result rebuilt = CliProcess.run(machine(tmp.resolve("builder2"), store), tmp, "install", app.toString());
    assertThat(rebuilt.exit()).as(rebuilt.toString()).isZero();
    assertThat(rebuilt.err()).contains("is damaged").containsPattern("install\\s+built");

    CliProcess.Result deployed = CliProcess.run(deployer, tmp, "install", app.toString());
    assertThat(deployed.exit()).as(deployed.toString()).isZero();
    assertThat(BuildAndDeployIT.run(Machines.installed(tmp.resolve("deployer")))).isEqualTo("greeting 1.0\nhello from version 1\n");
  }
}
