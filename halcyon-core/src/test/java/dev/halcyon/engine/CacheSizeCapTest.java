package dev.halcyon.engine;

import static dev.halcyon.engine.TestRecipes.write;
import static org.assertj.core.api.Assertions.assertThat;

import dev.halcyon.layer.Digest;
import dev.halcyon.recipe.AppRecipe;
import dev.halcyon.recipe.LayerSpec;
import dev.halcyon.store.DirectoryLayerStore;
import dev.halcyon.store.InMemoryLayerStore;
import dev.halcyon.store.LayerStore;
import dev.halcyon.store.ObjectInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local cache size cap: least recently used archives go first, never one the current run used.
 * The cache is a real {@link DirectoryLayerStore}; the engine's clock runs a day ahead of the
 * files' times and advances an hour per run, so recorded use times decide the order.
 */
class CacheSizeCapTest {
  @TempDir Path tmp;
  private DirectoryLayerStore cache;
  private final InMemoryLayerStore bucket = new InMemoryLayerStore();
  private final List<String> warnings = new ArrayList<>();
  private Instant now = Instant.now().plus(Duration.ofDays(1));

  @BeforeEach
  void openCache() throws Exception {
    cache = new DirectoryLayerStore(tmp.resolve("cache"));
  }

  private AppRecipe recipe(String version) throws Exception {
    Path src = TestRecipes.sources(tmp.resolve("src-" + version), "source " + version);
    Digest sourceHash = Digest.sha256(version);
    return new AppRecipe(
        src,
        Optional.of(
            new LayerSpec(
                TestRecipes.toolchain(),
                c -> write(c.layerDir().resolve("bin/javac"), "toolchain"))),
        Optional.of(
            new LayerSpec(
                TestRecipes.dependencies(),
                c -> write(c.layerDir().resolve("repo/guava.jar"), "dependencies"))),
        new LayerSpec(
            TestRecipes.build(sourceHash),
            c ->
                write(
                    c.layerDir().resolve("out/app.txt"),
                    Files.readString(c.layerDir().resolve("Main.txt")))),
        new LayerSpec(
            TestRecipes.install(sourceHash),
            c -> write(c.layerDir().resolve("lib/app.txt"), "installed " + version)),
        Optional.empty());
  }

  /** A builder whose runs each happen an hour after the previous one. */
  private Engine.Builder engine() {
    now = now.plus(Duration.ofHours(1));
    return Engine.builder()
        .cache(cache)
        .privateStore(bucket)
        .workDir(tmp.resolve("base"))
        .noCleanCache(true)
        .clock(Clock.fixed(now, ZoneOffset.UTC))
        .listener(
            new EngineListener() {
              @Override
              public void warning(String message) {
                warnings.add(message);
              }
            });
  }

  private String installKey(String version) throws Exception {
    return Engine.builder()
        .cache(cache)
        .workDir(tmp.resolve("base"))
        .build()
        .archiveKey(recipe(version).install().tag());
  }

  private static Set<String> keys(LayerStore store) throws Exception {
    return store.list("").stream().map(ObjectInfo::key).collect(Collectors.toSet());
  }

  private static long total(LayerStore store) throws Exception {
    return store.list("").stream().mapToLong(ObjectInfo::size).sum();
  }

  @Test
  void build_overTheCap_evictsTheLeastRecentlyUsedArchiveOnly() throws Exception {
    Path app = tmp.resolve("root/app");
    engine().build().install(recipe("v1"), app);
    engine().build().install(recipe("v2"), app);
    engine().build().install(recipe("v3"), app);
    engine().build().install(recipe("v1"), app); // v1 restored from the cache: used after v2 and v3
    engine().build().install(recipe("v4"), app);
    Set<String> before = keys(cache);
    assertThat(before)
        .contains(installKey("v1"), installKey("v2"), installKey("v3"), installKey("v4"));
    long size = total(cache);

    engine().cacheMaxSize(size - 1).build().build(recipe("v4"));

    Set<String> expected = new java.util.HashSet<>(before);
    expected.remove(installKey("v2"));
    assertThat(keys(cache)).isEqualTo(expected);
    assertThat(warnings).isEmpty();
    assertThat(Files.readString(tmp.resolve("base").resolve(WorkDirLayout.CACHE_USES_FILE)))
        .contains(installKey("v1"))
        .doesNotContain(installKey("v2"));
  }

  @Test
  void build_capBelowWhatTheRunUsed_keepsTheRunsArchivesAndWarns() throws Exception {
    Path app = tmp.resolve("root/app");
    engine().build().install(recipe("v1"), app);
    engine().build().install(recipe("v2"), app);

    engine().cacheMaxSize(0).build().build(recipe("v2"));

    assertThat(keys(cache)).containsExactly(installKey("v2"));
    assertThat(warnings)
        .singleElement()
        .asString()
        .contains("over HALCYON_CACHE_MAX_SIZE (0 bytes)")
        .contains("archives this run used");
  }

  @Test
  void install_noCap_evictsNothing() throws Exception {
    Path app = tmp.resolve("root/app");
    engine().build().install(recipe("v1"), app);
    engine().build().install(recipe("v2"), app);

    assertThat(keys(cache)).contains(installKey("v1"), installKey("v2")).hasSize(5);
    assertThat(tmp.resolve("base").resolve(WorkDirLayout.CACHE_USES_FILE))
        .content()
        .contains(installKey("v1"));
  }
}
