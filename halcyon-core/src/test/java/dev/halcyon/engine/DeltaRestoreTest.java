package dev.halcyon.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.halcyon.archive.Archives;
import dev.halcyon.archive.ExtractLimits;
import dev.halcyon.hash.Digests;
import dev.halcyon.layer.Digest;
import dev.halcyon.recipe.AppRecipe;
import dev.halcyon.store.InMemoryLayerStore;
import dev.halcyon.store.LayerStore;
import dev.halcyon.store.StoredObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Delta restores of install archives through {@link Engine#install}: a builder machine builds
 * versions into a shared store, a deploy machine moves between them.
 */
class DeltaRestoreTest {
  private static final int JARS = 20;

  @TempDir Path tmp;

  /**
   * An install tree of {@code JARS} incompressible 100 KiB "jars", small class files, a symlink and
   * an executable; {@code changed} names the jars whose content differs in this version.
   */
  private AppRecipe recipe(String version, int... changed) throws IOException {
    Path src = TestRecipes.sources(tmp.resolve("src-" + version), version);
    return TestRecipes.buildAndInstall(
        src,
        Digest.sha256(version),
        c -> TestRecipes.write(c.layerDir().resolve("out.txt"), version),
        c -> {
          Path lib = c.layerDir().resolve("lib");
          Files.createDirectories(lib);
          for (int i = 0; i < JARS; i++) {
            int salt = 0;
            for (int j : changed) {
              if (j == i) {
                salt = version.hashCode();
              }
            }
            Files.write(lib.resolve("dep-" + i + ".jar"), bytes(i * 31 + salt, 100 << 10));
          }
          for (int i = 0; i < 40; i++) {
            TestRecipes.write(
                c.layerDir().resolve("classes/app/C" + i + ".class"),
                "class " + i + (changed.length > 0 && i == 0 ? version : ""));
          }
          Path bin = c.layerDir().resolve("bin/run");
          TestRecipes.write(bin, "#!/bin/sh\necho " + version + "\n");
          Files.setPosixFilePermissions(bin, PosixFilePermissions.fromString("rwxr-xr-x"));
          Files.createSymbolicLink(c.layerDir().resolve("lib/current.jar"), Path.of("dep-0.jar"));
        });
  }

  private static byte[] bytes(long seed, int n) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  private final InMemoryLayerStore bucket = new InMemoryLayerStore();
  private final List<String> steps = new ArrayList<>();

  private Engine engine(String machine, boolean delta) {
    return Engine.builder()
        .cache(new InMemoryLayerStore())
        .privateStore(bucket)
        .workDir(tmp.resolve(machine).resolve("base"))
        .noBuild(machine.equals("deployer"))
        .deltaRestore(delta)
        .listener(
            new EngineListener() {
              @Override
              public void step(String message) {
                steps.add(message);
              }
            })
        .build();
  }

  private Engine deployer() {
    return engine("deployer", true);
  }

  private LayerOutcome install(Engine engine, AppRecipe recipe, Path app) throws Exception {
    return engine.install(recipe, app).layers().get(0);
  }

  @Test
  void install_redeployOfOneChangedJar_fetchesOnlyThatJarAndEqualsAFullExtraction()
      throws Exception {
    AppRecipe v1 = recipe("v1");
    AppRecipe v2 = recipe("v2", 7);
    engine("builder", true).install(v1, tmp.resolve("builder/app"));
    engine("builder", true).install(v2, tmp.resolve("builder/app"));
    Path app = tmp.resolve("deployer/root/app");

    LayerOutcome first = install(deployer(), v1, app);
    assertThat(first.source()).isEqualTo(LayerSource.PRIVATE);
    assertThat(steps).anyMatch(s -> s.startsWith("install  full  nothing installed at"));

    LayerOutcome second = install(deployer(), v2, app);

    assertThat(second.source()).isEqualTo(LayerSource.DELTA);
    DeltaPlan plan = second.delta().orElseThrow();
    // The jar, the first class, the launcher script and the layer's tag file differ.
    assertThat(plan.fetched()).isEqualTo(4);
    assertThat(plan.reused()).isEqualTo(plan.files() - 4);
    assertThat(plan.bytesFetched()).isLessThan(second.archiveBytes() / 10);
    assertThat(plan.linked()).isGreaterThan(JARS - 2);
    assertThat(tree(app)).isEqualTo(tree(fullExtraction(deployer(), v2)));
    bucket.assertNoOpenStreams();
  }

  @Test
  void install_rollbackToThePreviousVersion_isADeltaFromTheFileCache() throws Exception {
    AppRecipe v1 = recipe("v1");
    AppRecipe v2 = recipe("v2", 3);
    engine("builder", true).install(v1, tmp.resolve("builder/app"));
    engine("builder", true).install(v2, tmp.resolve("builder/app"));
    Path app = tmp.resolve("deployer/root/app");
    install(deployer(), v1, app);
    install(deployer(), v2, app);

    LayerOutcome back = install(deployer(), v1, app);

    assertThat(back.source()).isEqualTo(LayerSource.DELTA);
    assertThat(back.delta().orElseThrow().fetched()).isZero();
    assertThat(tree(app)).isEqualTo(tree(fullExtraction(deployer(), v1)));
  }

  @Test
  void install_locallyModifiedFile_isNotReused() throws Exception {
    AppRecipe v1 = recipe("v1");
    AppRecipe v2 = recipe("v2", 7);
    engine("builder", true).install(v1, tmp.resolve("builder/app"));
    engine("builder", true).install(v2, tmp.resolve("builder/app"));
    Path app = tmp.resolve("deployer/root/app");
    install(deployer(), v1, app);
    // Same size, other bytes, the old mtime put back: only ctime and the content tell.
    Path jar = app.resolve("lib/dep-2.jar");
    var mtime = Files.getLastModifiedTime(jar);
    Files.write(jar, bytes(999, 100 << 10));
    Files.setLastModifiedTime(jar, mtime);

    LayerOutcome second = install(deployer(), v2, app);

    assertThat(second.delta().orElseThrow().fetched()).isEqualTo(4 + 1);
    assertThat(tree(app)).isEqualTo(tree(fullExtraction(deployer(), v2)));
  }

  @Test
  void install_changingTheNewTreeAfterADelta_neverReachesTheFileCache() throws Exception {
    AppRecipe v1 = recipe("v1");
    AppRecipe v2 = recipe("v2", 5);
    engine("builder", true).install(v1, tmp.resolve("builder/app"));
    engine("builder", true).install(v2, tmp.resolve("builder/app"));
    Path app = tmp.resolve("deployer/root/app");
    install(deployer(), v1, app);
    install(deployer(), v2, app);
    install(deployer(), v1, app); // dep-5 of v1 copied back from the file cache

    Files.write(app.resolve("lib/dep-5.jar"), bytes(1, 10));
    Files.write(app.resolve("lib/dep-6.jar"), bytes(2, 10));

    Path cache = tmp.resolve("deployer/base/files/sha256");
    List<Path> cached;
    try (Stream<Path> s = Files.walk(cache)) {
      cached = s.filter(Files::isRegularFile).toList();
    }
    assertThat(cached).isNotEmpty();
    for (Path f : cached) {
      assertThat(Digests.sha256(f).hex()).isEqualTo(f.getFileName().toString());
    }
  }

  @Test
  void install_deltaTurnedOff_restoresByFullDownload() throws Exception {
    AppRecipe v1 = recipe("v1");
    AppRecipe v2 = recipe("v2", 7);
    engine("builder", true).install(v1, tmp.resolve("builder/app"));
    engine("builder", true).install(v2, tmp.resolve("builder/app"));
    Path app = tmp.resolve("deployer/root/app");
    install(engine("deployer", false), v1, app);

    LayerOutcome second = install(engine("deployer", false), v2, app);

    assertThat(second.source()).isEqualTo(LayerSource.PRIVATE);
    assertThat(second.delta()).isEmpty();
  }

  /** The tree a full extraction of {@code recipe}'s install archive gives. */
  private Path fullExtraction(Engine engine, AppRecipe recipe) throws Exception {
    String key = engine.archiveKey(recipe.install().tag());
    Path out = tmp.resolve("full-" + key.hashCode());
    try (StoredObject o = bucket.get(key).orElseThrow()) {
      Archives.extract(
          o.stream(), dev.halcyon.archive.Compression.ZSTD, out, ExtractLimits.DEFAULT);
    }
    return out;
  }

  /** Every path with its kind, mode and content digest or link target. */
  static TreeMap<String, String> tree(Path root) throws IOException {
    TreeMap<String, String> t = new TreeMap<>();
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        String rel = root.relativize(p).toString();
        String mode =
            PosixFilePermissions.toString(
                Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
        if (Files.isSymbolicLink(p)) {
          t.put(rel, "link " + Files.readSymbolicLink(p));
        } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
          t.put(rel, "dir " + mode);
        } else {
          t.put(rel, "file " + mode + " " + Digests.sha256(p));
        }
      }
    }
    return t;
  }

  static String text(LayerStore store, String key) throws IOException {
    try (StoredObject o = store.get(key).orElseThrow()) {
      return new String(o.stream().readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
