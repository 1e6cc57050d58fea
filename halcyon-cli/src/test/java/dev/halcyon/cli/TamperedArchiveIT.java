package dev.halcyon.cli;

import static dev.halcyon.cli.Machines.machine;
import static dev.halcyon.cli.Machines.with;
import static org.assertj.core.api.Assertions.assertThat;

import dev.halcyon.store.DirectoryLayerStore;
import dev.halcyon.store.ObjectInfo;
import dev.halcyon.store.PutMode;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Install archives damaged in the shared folder store in several ways, each under its own source
 * version: a deploy machine refuses each with exit 1 and one line naming the archive, installing
 * nothing; a build machine rebuilds and replaces it; the deploy then succeeds.
 */
class TamperedArchiveIT {
  @TempDir static Path shared;
  private static Path store;
  private static final Map<String, String> TABLE = new ConcurrentSkipListMap<>();

  /** Ways an archive in the store goes bad. */
  enum Damage {
    /**
     * One bit flipped in the frame header, modification time kept: bit rot the record still
     * describes.
     */
    BIT_ROT_HEADER,
    /** One bit flipped in the last byte, modification time kept. */
    BIT_ROT_END,
    /** Cut to half its length by a tool (new modification time, no digest record then). */
    TRUNCATED_HALF,
    /** The last byte cut off, modification time kept. */
    TRUNCATED_ONE_BYTE,
    /** Garbage appended. */
    APPENDED,
    /**
     * Another version's install archive written under this key through the store (a valid record
     * for the wrong bytes).
     */
    SWAPPED_THROUGH_STORE,
    /** Another version's install archive copied over the file by a tool. */
    SWAPPED_BY_COPY,
    /** Emptied. */
    EMPTY
  }

  @BeforeAll
  static void buildEveryVersion() throws Exception {
    store = shared.resolve("store");
    Map<String, String> builder =
        machine(shared.resolve("builder"), Map.of("HALCYON_STORAGE_DIR", store.toString()));
    for (String version : versions()) {
      Path app =
          TestApps.write(shared.resolve("app-" + version), version, shared.resolve("hooks.log"));
      CliProcess.Result r = CliProcess.run(builder, shared, "build", app.toString());
      assertThat(r.exit()).as(r.toString()).isZero();
    }
  }

  static java.util.List<String> versions() {
    return Stream.concat(Stream.of(Damage.values()).map(Enum::name), Stream.of("other")).toList();
  }

  @AfterAll
  static void printTable() {
    TABLE.forEach((k, v) -> System.out.println("TAMPER | " + k + " | " + v));
  }

  @ParameterizedTest
  @EnumSource(Damage.class)
  void install_damagedArchive_deployRefusesAndBuildReplacesIt(Damage damage, @TempDir Path tmp)
      throws Exception {
    Path app = shared.resolve("app-" + damage.name());
    Path archive = installArchive(app);
    damage(damage, archive, installArchive(shared.resolve("app-other")));

    Map<String, String> storeEnv = Map.of("HALCYON_STORAGE_DIR", store.toString());
    Map<String, String> deployer =
        with(
            machine(tmp.resolve("deployer"), storeEnv),
            "HALCYON_NO_BUILD",
            "1",
            "HALCYON_NO_UPLOAD",
            "1");
    CliProcess.Result refused = CliProcess.run(deployer, tmp, "install", app.toString());
    String last = BuildAndDeployIT.lastLine(refused.err());
    TABLE.put(damage.name(), refused.exit() + " | " + last.replace(store.toString(), "STORE"));
    assertThat(refused.exit()).as(refused.toString()).isEqualTo(1);
    assertThat(last)
        .as(refused.toString())
        .startsWith("halcyon: error: the install archive ")
        .contains(store.relativize(archive).toString())
        .contains("rebuild it on a build machine");
    assertThat(Machines.installed(tmp.resolve("deployer"))).doesNotExist();
    assertThat(Invariants.litter(tmp.resolve("deployer"))).isEmpty();

    // install, not build: build checks only the recorded size and digest (which bit rot keeps),
    // never the bytes.
    CliProcess.Result rebuilt =
        CliProcess.run(machine(tmp.resolve("builder"), storeEnv), tmp, "install", app.toString());
    assertThat(rebuilt.exit()).as(rebuilt.toString()).isZero();
    assertThat(rebuilt.err()).containsPattern("install\\s+built");

    CliProcess.Result deployed = CliProcess.run(deployer, tmp, "install", app.toString());
    assertThat(deployed.exit()).as(deployed.toString()).isZero();
    assertThat(BuildAndDeployIT.run(Machines.installed(tmp.resolve("deployer"))))
        .isEqualTo("greeting 1.0\nhello from version " + damage.name() + "\n");
  }

  private static Path installArchive(Path app) throws Exception {
    CliProcess.Result tag =
        CliProcess.run(machine(shared.resolve("tagger"), Map.of()), shared, "tag", app.toString());
    assertThat(tag.exit()).as(tag.toString()).isZero();
    DirectoryLayerStore s = new DirectoryLayerStore(store);
    for (ObjectInfo info : s.list("")) {
      if (info.key().endsWith(".tar.zst")
          && info.key().contains("/halcyon-install-")
          && tag.out().contains(info.key())) {
        return store.resolve(info.key());
      }
    }
    throw new AssertionError(
        "no install archive of " + app + " in " + s.list("") + "; tag says " + tag.out());
  }

  private static void damage(Damage damage, Path archive, Path other) throws Exception {
    FileTime mtime = Files.getLastModifiedTime(archive);
    switch (damage) {
      case BIT_ROT_HEADER -> flip(archive, 2);
      case BIT_ROT_END -> flip(archive, Files.size(archive) - 1);
      case TRUNCATED_HALF -> truncate(archive, Files.size(archive) / 2);
      case TRUNCATED_ONE_BYTE -> truncate(archive, Files.size(archive) - 1);
      case APPENDED ->
          Files.write(archive, new byte[] {1, 2, 3, 4}, java.nio.file.StandardOpenOption.APPEND);
      case SWAPPED_THROUGH_STORE ->
          new DirectoryLayerStore(store)
              .put(
                  store.relativize(archive).toString(),
                  Files.readAllBytes(other),
                  PutMode.OVERWRITE);
      case SWAPPED_BY_COPY -> Files.copy(other, archive, StandardCopyOption.REPLACE_EXISTING);
      case EMPTY -> truncate(archive, 0);
    }
    if (damage == Damage.BIT_ROT_HEADER
        || damage == Damage.BIT_ROT_END
        || damage == Damage.TRUNCATED_ONE_BYTE) {
      Files.setLastModifiedTime(archive, mtime);
    }
  }

  private static void flip(Path file, long at) throws Exception {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.seek(at);
      int b = f.read();
      f.seek(at);
      f.write(b ^ 0x10);
    }
  }

  private static void truncate(Path file, long length) throws Exception {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.setLength(length);
    }
  }
}
