package dev.halcyon.cli;

import dev.halcyon.engine.Engine;
import dev.halcyon.engine.EngineListener;
import dev.halcyon.naming.ArchiveNamer;
import dev.halcyon.recipe.AppRecipe;
import dev.halcyon.recipe.MagicRecipes;
import dev.halcyon.recipe.RecipeSettings;
import dev.halcyon.setup.Settings;
import dev.halcyon.setup.Setup;
import dev.halcyon.store.LayerStore;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The objects one CLI invocation works with, made from the merged settings: configuration,
 * platform, namer, stores and the engine — the public {@link Setup} a build tool uses too, plus the
 * {@code .halcyon} recipe. Closes the stores it opened.
 */
final class Session implements Closeable {
  final Settings config;
  final String platform;
  final ArchiveNamer namer;
  final Setup setup;

  private Session(Setup setup) {
    this.setup = setup;
    this.config = setup.settings();
    this.platform = setup.platform();
    this.namer = setup.namer();
  }

  static Session open(Map<String, String> values) {
    return open(values, line -> {});
  }

  /** A session whose S3 store tells {@code notices} how it adapted to its service. */
  static Session open(Map<String, String> values, Consumer<String> notices) {
    return new Session(Setup.open(values, notices));
  }

  LayerStore cache() throws IOException {
    return setup.cache();
  }

  /** Private storage: the S3 bucket, else the storage directory, else none. */
  Optional<LayerStore> privateStore() throws IOException {
    return setup.privateStore();
  }

  Optional<LayerStore> publicStore() {
    return setup.publicStore();
  }

  /** The store that {@code ls} and {@code gc} look at: private storage, else the cache. */
  LayerStore inspected() throws IOException {
    Optional<LayerStore> p = privateStore();
    return p.isPresent() ? p.get() : cache();
  }

  /** The engine the settings describe, pruning after uploads unless deletes or uploads are off. */
  Engine engine(EngineListener listener) throws IOException {
    return setup.engineBuilder().listener(listener).build();
  }

  RecipeSettings recipeSettings(Path appDir, OutputStream hookOutput) throws IOException {
    String prefix = config.prefix().or(() -> magicPrefix(appDir)).orElse("/app");
    return new RecipeSettings(
        platform, prefix, config.root(), config.label(), config.toolchain(), hookOutput);
  }

  AppRecipe recipe(Path appDir, OutputStream hookOutput) throws IOException {
    return MagicRecipes.load(appDir, recipeSettings(appDir, hookOutput));
  }

  /** Like {@link #recipe(Path, OutputStream)}, telling {@code listener} how hashing goes. */
  AppRecipe recipe(Path appDir, OutputStream hookOutput, EngineListener listener)
      throws IOException {
    return MagicRecipes.load(
        appDir, recipeSettings(appDir, hookOutput), listener.hashing(appDir.toString()));
  }

  private static Optional<String> magicPrefix(Path appDir) {
    try {
      return MagicRecipes.magicSetting(appDir, "prefix");
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  @Override
  public void close() throws IOException {
    setup.close();
  }
}
