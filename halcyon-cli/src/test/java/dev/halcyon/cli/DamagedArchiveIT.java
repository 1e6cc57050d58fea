package dev.halcyon.cli;

import static dev.halcyon.cli.Machines.machine;
import static dev.halcyon.cli.Machines.with;
import static org.assertj.core.api.Assertions.assertThat;

import dev.halcyon.archive.TocFooter;
import dev.halcyon.store.DirectoryLayerStore;
import dev.halcyon.store.ObjectInfo;
import dev.halcyon.store.PutMode;
import dev.halcyon.store.StoredObject;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A damaged install archive in the shared store: refused on a deploy machine, replaced by a build.
 */
class DamagedArchiveIT {
  @TempDir Path tmp;

  @Test
  void install_damagedArchiveInStore_deployFailsClearlyAndBuildReplacesIt() throws Exception {
    Path app = TestApps.write(tmp.resolve("app"), "1", tmp.resolve("hooks.log"));
    Path bucket = tmp.resolve("bucket");
    Map<String, String> store = Map.of("HALCYON_STORAGE_DIR", bucket.toString());
    CliProcess.Result built =
        CliProcess.run(machine(tmp.resolve("builder"), store), tmp, "install", app.toString());
    assertThat(built.exit()).as(built.toString()).isZero();

    Path archive;
    try (var walk = Files.walk(bucket)) {
      archive =
          walk.filter(
                  p ->
                      p.getFileName().toString().startsWith("halcyon-install-")
                          && p.toString().endsWith(".tar.zst"))
              .findFirst()
              .orElseThrow();
    }
    try (RandomAccessFile f = new RandomAccessFile(archive.toFile(), "rw")) {
      // Damage the tar's frames, not the table of contents after them: a full restore does not
      // read the TOC, so a flipped byte there leaves an archive whose tree is still whole.
      byte[] tail = new byte[TocFooter.SIZE];
      f.seek(f.length() - tail.length);
      f.readFully(tail);
      long at = TocFooter.parse(tail).tocOffset() / 2;
      f.seek(at);
      int b = f.read();
      f.seek(at);
      f.write(b ^ 0xff);
    }

    Map<String, String> deployer =
        with(
            machine(tmp.resolve("deployer"), store),
            "HALCYON_NO_BUILD",
            "1",
            "HALCYON_NO_UPLOAD",
            "1");
    CliProcess.Result refused = CliProcess.run(deployer, tmp, "install", app.toString());
    assertThat(refused.exit()).as(refused.toString()).isEqualTo(1);
    assertThat(BuildAndDeployIT.lastLine(refused.err()))
        .startsWith("halcyon: error: the install archive ")
        .contains("is damaged")
        .contains("rebuild it on a build machine");
    assertThat(Machines.installed(tmp.resolve("deployer"))).doesNotExist();

    CliProcess.Result rebuilt =
        CliProcess.run(machine(tmp.resolve("builder2"), store), tmp, "install", app.toString());
    assertThat(rebuilt.exit()).as(rebuilt.toString()).isZero();
    assertThat(rebuilt.err()).contains("is damaged").containsPattern("install\\s+built");

    CliProcess.Result deployed = CliProcess.run(deployer, tmp, "install", app.toString());
    assertThat(deployed.exit()).as(deployed.toString()).isZero();
    assertThat(BuildAndDeployIT.run(Machines.installed(tmp.resolve("deployer"))))
        .isEqualTo("greeting 1.0\nhello from version 1\n");
  }

  @Test
  void build_installArchiveSwappedInStore_replacedFromCacheOrRebuiltThenDeploys() throws Exception {
    Path app1 = TestApps.write(tmp.resolve("app1"), "1", tmp.resolve("hooks.log"));
    Path app2 = TestApps.write(tmp.resolve("app2"), "2", tmp.resolve("hooks.log"));
    Path bucket = tmp.resolve("bucket");
    Map<String, String> store = Map.of("HALCYON_STORAGE_DIR", bucket.toString());
    DirectoryLayerStore direct = new DirectoryLayerStore(bucket);
    Map<String, String> builder = machine(tmp.resolve("builder"), store);
    // app1 last: a run cleans from the cache what it did not use.
    assertThat(CliProcess.run(builder, tmp, "build", app2.toString()).exit()).isZero();
    String key2 = installKeys(direct).get(0);
    assertThat(CliProcess.run(builder, tmp, "build", app1.toString()).exit()).isZero();
    String key1 =
        installKeys(direct).stream().filter(k -> !k.equals(key2)).findFirst().orElseThrow();
    ObjectInfo sound = direct.head(key1).orElseThrow();

    // The builder still has the archive in its cache: it notices the swap and uploads its copy.
    swap(direct, key1, key2);
    CliProcess.Result fromCache = CliProcess.run(builder, tmp, "build", app1.toString());
    assertThat(fromCache.exit()).as(fromCache.toString()).isZero();
    assertThat(fromCache.err())
        .as(fromCache.toString())
        .contains(key1)
        .contains("does not match the verified copy in the local cache");
    ObjectInfo back = direct.head(key1).orElseThrow();
    assertThat(List.of(back.size(), back.digest()))
        .as("the cache's copy is back")
        .isEqualTo(List.of(sound.size(), sound.digest()));
    assertDeploys(app1, "deployer1", store);

    // A builder without the archive in its cache compares with the manifest and rebuilds it.
    swap(direct, key1, key2);
    CliProcess.Result rebuilt =
        CliProcess.run(machine(tmp.resolve("builder2"), store), tmp, "build", app1.toString());
    assertThat(rebuilt.exit()).as(rebuilt.toString()).isZero();
    assertThat(rebuilt.err())
        .as(rebuilt.toString())
        .contains(key1)
        .contains("does not match its manifest")
        .containsPattern("install\\s+built");
    assertThat(direct.head(key1).orElseThrow().digest())
        .isNotEqualTo(direct.head(key2).orElseThrow().digest());
    assertDeploys(app1, "deployer2", store);
  }

  private void assertDeploys(Path app, String name, Map<String, String> store) throws Exception {
    Map<String, String> deployer =
        with(machine(tmp.resolve(name), store), "HALCYON_NO_BUILD", "1", "HALCYON_NO_UPLOAD", "1");
    CliProcess.Result deployed = CliProcess.run(deployer, tmp, "install", app.toString());
    assertThat(deployed.exit()).as(deployed.toString()).isZero();
    assertThat(BuildAndDeployIT.run(Machines.installed(tmp.resolve(name))))
        .isEqualTo("greeting 1.0\nhello from version 1\n");
  }

  /**
   * Writes the bytes of {@code other} under {@code key} through the store: a valid record for the
   * wrong archive.
   */
  private static void swap(DirectoryLayerStore store, String key, String other) throws Exception {
    byte[] bytes;
    try (StoredObject o = store.get(other).orElseThrow();
        InputStream in = o.stream()) {
      bytes = in.readAllBytes();
    }
    store.put(key, bytes, PutMode.OVERWRITE);
  }

  private static List<String> installKeys(DirectoryLayerStore store) throws Exception {
    return store.list("").stream()
        .map(ObjectInfo::key)
        .filter(k -> k.contains("/halcyon-install-") && k.endsWith(".tar.zst"))
        .toList();
  }
}
