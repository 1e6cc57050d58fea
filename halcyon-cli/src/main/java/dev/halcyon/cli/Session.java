package dev.halcyon.cli;

import dev.halcyon.engine.Engine;
import dev.halcyon.engine.EngineListener;
import dev.halcyon.layer.Platforms;
import dev.halcyon.naming.ArchiveNamer;
import dev.halcyon.naming.DefaultArchiveNamer;
import dev.halcyon.naming.OriginalHalcyonNamer;
import dev.halcyon.recipe.AppRecipe;
import dev.halcyon.recipe.MagicRecipes;
import dev.halcyon.recipe.RecipeSettings;
import dev.halcyon.s3.S3LayerStore;
import dev.halcyon.s3.S3Settings;
import dev.halcyon.store.DirectoryLayerStore;
import dev.halcyon.store.HttpLayerStore;
import dev.halcyon.store.LayerStore;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The objects one CLI invocation works with, made from the merged settings: configuration,
 * platform, namer, stores and the engine. Closes the stores it opened.
 */
final class Session implements Closeable {
  final Config config;
  final String platform;
  final ArchiveNamer namer;
  private final List<LayerStore> opened = new ArrayList<>();
  private LayerStore cache;
  private Optional<LayerStore> privateStore;
  private Optional<LayerStore> publicStore;
  private final Consumer<String> notices;

  private Session(Config config, Consumer<String> notices) {
    this.config = config;
    this.notices = notices;
    this.platform = config.platform().orElseGet(Platforms::detect);
    this.namer =
        config.naming().equals("original") ? new OriginalHalcyonNamer() : new DefaultArchiveNamer();
  }

  static Session open(Map<String, String> values) {
    return open(values, line -> {});
  }

  /** A session whose S3 store tells {@code notices} how it adapted to its service. */
  static Session open(Map<String, String> values, Consumer<String> notices) {
    String home = values.getOrDefault("HOME", System.getProperty("user.home"));
    return new Session(Config.from(values, Path.of(home)), notices);
  }

  LayerStore cache() throws IOException {
    if (cache == null) {
      cache = remember(new DirectoryLayerStore(config.cache()));
    }
    return cache;
  }

  /** Private storage: the S3 bucket, else the storage directory, else none. */
  Optional<LayerStore> privateStore() throws IOException {
    if (privateStore == null) {
      if (!config.hasPrivateStorage()) {
        privateStore = Optional.empty();
      } else if (config.s3Bucket().isPresent()) {
        S3Settings s3 = S3Settings.fromEnvironment(config.values());
        privateStore =
            Optional.of(
                remember(
                    new LazyLayerStore(
                        () -> S3LayerStore.builder().settings(s3).notices(notices).build(),
                        s3.describe())));
      } else {
        privateStore = Optional.of(remember(new DirectoryLayerStore(config.storageDir().get())));
      }
    }
    return privateStore;
  }

  Optional<LayerStore> publicStore() {
    if (publicStore == null) {
      publicStore = config.publicStorageUrl().map(u -> remember(new HttpLayerStore(u)));
    }
    return publicStore;
  }

  /** The store that {@code ls} and {@code gc} look at: private storage, else the cache. */
  LayerStore inspected() throws IOException {
    Optional<LayerStore> p = privateStore();
    return p.isPresent() ? p.get() : cache();
  }

  Engine engine(EngineListener listener, Optional<Engine.Pruner> pruner) throws IOException {
    if (config.purgeCache()) {
      LayerStore c = cache();
      c.deleteAll(c.list("").stream().map(i -> i.key()).toList());
    }
    Engine.Builder b =
        Engine.builder()
            .cache(cache())
            .namer(namer)
            .compression(config.compression())
            .workDir(config.base())
            .noBuild(config.noBuild())
            .noBuildDependencies(config.noBuildDependencies())
            .noUpload(config.noUpload())
            .noCleanCache(config.noCleanCache())
            .deltaRestore(config.deltaRestore())
            .listener(listener);
    config.cacheMaxSize().ifPresent(b::cacheMaxSize);
    privateStore().ifPresent(b::privateStore);
    publicStore().ifPresent(b::publicStore);
    if (!config.noDelete() && !config.noUpload()) {
      pruner.ifPresent(b::pruner);
    }
    return b.build();
  }

  RecipeSettings recipeSettings(Path appDir, OutputStream hookOutput) throws IOException {
    String prefix = config.prefix().or(() -> magicPrefix(appDir)).orElse("/app");
    return new RecipeSettings(
        platform, prefix, config.root(), config.label(), config.toolchain(), hookOutput);
  }

  AppRecipe recipe(Path appDir, OutputStream hookOutput) throws IOException {
    return MagicRecipes.load(appDir, recipeSettings(appDir, hookOutput));
  }

  private static Optional<String> magicPrefix(Path appDir) {
    try {
      return MagicRecipes.magicSetting(appDir, "prefix");
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private <T extends LayerStore> T remember(T store) {
    opened.add(store);
    return store;
  }

  @Override
  public void close() throws IOException {
    // Temporary files of writers killed mid-write, in the cache and in a storage folder; an hour
    // never touches a live writer's file.
    for (LayerStore s : opened) {
      if (s instanceof DirectoryLayerStore directory) {
        directory.removeStaleTemporaryFiles(Duration.ofHours(1));
      }
    }
    IOException first = null;
    for (LayerStore s : opened) {
      try {
        s.close();
      } catch (IOException e) {
        first = first == null ? e : first;
      }
    }
    if (first != null) {
      throw first;
    }
  }
}
