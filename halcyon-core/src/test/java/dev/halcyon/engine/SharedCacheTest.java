package dev.halcyon.engine;

import static dev.halcyon.engine.TestRecipes.write;
import static org.assertj.core.api.Assertions.assertThat;

import dev.halcyon.layer.Digest;
import dev.halcyon.layer.LayerKind;
import dev.halcyon.layer.LayerTag;
import dev.halcyon.recipe.AppRecipe;
import dev.halcyon.recipe.LayerSpec;
import dev.halcyon.store.DirectoryLayerStore;
import dev.halcyon.store.InMemoryLayerStore;
import dev.halcyon.store.ObjectInfo;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two apps ({@code shop-1.0} on jdk-17, {@code blog-2.0} on jdk-21) deployed on one machine share
 * its cache directory and work directory: one app's run cleans only its own unused archives, unless
 * the engine is told to clean across apps; the size cap evicts across apps, least recently used
 * first. The engine's clock runs a day ahead of the files' times and an hour per run.
 */
class SharedCacheTest {
  @TempDir Path tmp;
  private DirectoryLayerStore cache;
  private final InMemoryLayerStore bucket = new InMemoryLayerStore();
  private Instant now = Instant.now().plus(Duration.ofDays(1));

  @BeforeEach
  void openCache() throws Exception {
    cache = new DirectoryLayerStore(tmp.resolve("cache"));
  }

  private AppRecipe recipe(String label, String jdk, String version) throws Exception {
    Path src = TestRecipes.sources(tmp.resolve("src-" + label), label + " " + version);
    Digest sourceHash = Digest.sha256(label + version);
    String platform = TestRecipes.PLATFORM;
    LayerTag build =
        LayerTag.of(LayerKind.BUILD, platform, jdk, label)
            .with(LayerTag.SOURCE_HASH, sourceHash.toString());
    return new AppRecipe(
        src,
        Optional.of(
            new LayerSpec(
                LayerTag.of(LayerKind.TOOLCHAIN, platform, jdk, ""),
                c -> write(c.layerDir().resolve("bin/javac"), jdk))),
        Optional.of(
            new LayerSpec(
                LayerTag.of(LayerKind.DEPENDENCIES, platform, jdk, label)
                    .with(LayerTag.CONSTRAINTS_HASH, Digest.sha256(label).toString()),
                c -> write(c.layerDir().resolve("repo/lib.jar"), label))),
        new LayerSpec(build, c -> write(c.layerDir().resolve("out/app.txt"), version)),
        new LayerSpec(
            LayerTag.of(LayerKind.INSTALL, platform, jdk, label)
                .with(LayerTag.SOURCE_HASH, sourceHash.toString())
                .with(LayerTag.PREFIX, "/" + label),
            c -> write(c.layerDir().resolve("lib/app.txt"), version)),
        Optional.empty());
  }

  private Engine.Builder engine() {
    now = now.plus(Duration.ofHours(1));
    return Engine.builder()
        .cache(cache)
        .privateStore(bucket)
        .workDir(tmp.resolve("base"))
        .clock(Clock.fixed(now, ZoneOffset.UTC));
  }

  private RunReport install(Engine.Builder engine, AppRecipe recipe) throws Exception {
    return engine.build().install(recipe, tmp.resolve("root").resolve(recipe.label()));
  }

  private Set<String> cached() throws Exception {
    return cache.list("").stream().map(ObjectInfo::key).collect(Collectors.toSet());
  }

  private static Set<String> keys(RunReport report) {
    return report.layers().stream().map(LayerOutcome::key).collect(Collectors.toSet());
  }

  @Test
  void install_secondAppSharesTheCache_firstAppsArchivesStay() throws Exception {
    Set<String> shop = keys(install(engine(), recipe("shop-1.0", "jdk-17", "v1")));
    Set<String> blog = keys(install(engine(), recipe("blog-2.0", "jdk-21", "v1")));

    assertThat(shop).hasSize(4);
    assertThat(cached()).containsAll(shop).containsAll(blog).hasSize(8);

    // shop's next run (a new source) reuses its toolchain and dependencies from the work directory:
    // the run uses neither cache entry, and they stay too.
    Set<String> shop2 = keys(install(engine(), recipe("shop-1.0", "jdk-17", "v2")));
    Set<String> shopOld =
        shop.stream().filter(k -> k.contains("halcyon-install-")).collect(Collectors.toSet());
    assertThat(shopOld).hasSize(1);
    assertThat(shop2).doesNotContainAnyElementsOf(shopOld);
    assertThat(cached())
        .as("shop's own archives of the old source are cleaned; blog's and the toolchains stay")
        .containsAll(blog)
        .containsAll(shop2)
        .doesNotContainAnyElementsOf(shopOld);
    bucket.assertNoOpenStreams();
  }

  @Test
  void install_cleanCacheAcrossApps_secondAppsRunEvictsTheFirstOnes() throws Exception {
    Set<String> shop = keys(install(engine(), recipe("shop-1.0", "jdk-17", "v1")));
    Set<String> blog =
        keys(install(engine().cleanCacheAcrossApps(true), recipe("blog-2.0", "jdk-21", "v1")));

    assertThat(cached())
        .containsExactlyInAnyOrderElementsOf(blog)
        .doesNotContainAnyElementsOf(shop);
  }

  @Test
  void build_sizeCapOnASharedCache_evictsTheLeastRecentlyUsedArchivesAcrossApps() throws Exception {
    AppRecipe shop = recipe("shop-1.0", "jdk-17", "v1");
    install(engine(), shop);
    Set<String> blog = keys(install(engine(), recipe("blog-2.0", "jdk-21", "v1")));
    String shopInstall = engine().build().archiveKey(shop.install().tag());
    long cap =
        cache.list("").stream()
            .filter(i -> blog.contains(i.key()) || i.key().equals(shopInstall))
            .mapToLong(ObjectInfo::size)
            .sum();

    // shop's next build finds its install archive in the cache and uses nothing else; the cap
    // leaves room for blog's archives and that one: shop's other archives, used longest ago, go.
    engine().cacheMaxSize(cap).build().build(shop);

    assertThat(cached()).containsExactlyInAnyOrderElementsOf(union(blog, Set.of(shopInstall)));
  }

  private static Set<String> union(Set<String> a, Set<String> b) {
    return java.util.stream.Stream.concat(a.stream(), b.stream()).collect(Collectors.toSet());
  }
}
