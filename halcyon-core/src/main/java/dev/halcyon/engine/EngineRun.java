package dev.halcyon.engine;

import dev.halcyon.layer.LayerKind;
import dev.halcyon.layer.LayerTag;
import dev.halcyon.recipe.AppRecipe;
import dev.halcyon.recipe.BuildContext;
import dev.halcyon.recipe.DependencyConstraints;
import dev.halcyon.recipe.LayerSpec;
import dev.halcyon.store.CorruptObjectException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The state of one run of an {@link Engine}: obtains the layers in order and installs the app. */
final class EngineRun {
  private final EngineConfig config;
  private final EngineListener listener;
  private final AppRecipe recipe;
  private final LayerTag installTag;
  private final Instant start;
  private final List<LayerOutcome> outcomes = new ArrayList<>();
  private final Map<LayerKind, Path> dirs = new EnumMap<>(LayerKind.class);
  private final LayerRun layers;
  private Optional<String> pruned = Optional.empty();

  EngineRun(EngineConfig config, AppRecipe recipe, Instant start) {
    this.config = config;
    this.listener = config.listener();
    this.recipe = recipe;
    this.installTag = recipe.install().tag();
    this.start = start;
    this.layers = new LayerRun(config, recipe.sourceDir(), recipe.sourceIgnore());
  }

  /** Waits for the run's background deletions, so the next run never finds one still going. */
  void awaitBackground() {
    layers.awaitBackground();
  }

  RunReport execute(Optional<Path> installDir)
      throws IOException, InterruptedException, BuildForbiddenException {
    if (installDir.isPresent() && alreadyInstalled(installDir.get())) {
      return report(installDir, true);
    }
    // The deploy fast path: the install archive alone, nothing else.
    if (restoreInstallArchive(installDir)) {
      finish(installDir);
      return report(installDir, false);
    }
    checkMayBuild();
    obtainEveryLayer();
    if (installDir.isPresent()) {
      layers.installFromCache(installTag, installDir.get());
    }
    finish(installDir);
    return report(installDir, false);
  }

  /**
   * Whether {@code dir} already holds this source's install layer (then an unfinished post-install
   * is run again); otherwise checks that installing may replace {@code dir}.
   */
  private boolean alreadyInstalled(Path dir) throws IOException, InterruptedException {
    Directories.recover(dir);
    if (!layers.tagMatches(dir, installTag)) {
      layers.checkInstallTarget(dir);
      return false;
    }
    listener.step(
        "already installed: " + dir + " holds " + recipe.label() + " with this source hash");
    if (Files.exists(config.layout().postInstallPending(dir))) {
      // The install landed but its post-install failed or was killed: a retry must run it.
      listener.step("the last post-install in " + dir + " did not complete: running it again");
      finish(Optional.of(dir));
    }
    return true;
  }

  /**
   * Restores the install archive into {@code installDir} or, for a build without installing, finds
   * it in the cache or private storage.
   */
  private boolean restoreInstallArchive(Optional<Path> installDir) throws IOException {
    listener.layerStarted(LayerKind.INSTALL);
    Optional<LayerOutcome> restored =
        installDir.isPresent()
            ? layers.restoreInstall(installTag, installDir.get())
            : layers.findArchive(installTag);
    if (restored.isEmpty()) {
      return false;
    }
    add(restored.get());
    if (restored.get().source() == LayerSource.PUBLIC) {
      layers.mirror(restored.get());
    }
    return true;
  }

  /** Fails before anything is built when the settings forbid building what is missing. */
  private void checkMayBuild() throws IOException, BuildForbiddenException {
    if (config.noBuild()) {
      String key = config.key(installTag);
      Optional<IOException> damaged = layers.corruption(key);
      if (damaged.isPresent()) {
        throw new CorruptObjectException(
            "the install archive "
                + key
                + " is damaged ("
                + damaged.get().getMessage()
                + "); rebuild it on a build machine (it replaces the damaged copy), then retry",
            damaged.get());
      }
      throw new BuildForbiddenException(
          LayerKind.INSTALL,
          "build required but forbidden: no install archive "
              + key
              + " in "
              + config.describeStores()
              + " (building is off here; build this source where building is on, then retry)");
    }
    if (config.noBuildDependencies()) {
      layers.checkAvailable(recipe.toolchain());
      if (!recipe.constraintsPending()) {
        // A pending list is named only once its source has run; obtaining the layer checks then.
        layers.checkAvailable(recipe.dependencies());
      }
    }
  }

  /** Toolchain, dependencies, build, install: each in place, restored or built. */
  private void obtainEveryLayer()
      throws IOException, InterruptedException, BuildForbiddenException {
    boolean mayBuildDependencies = !config.noBuildDependencies();
    if (recipe.toolchain().isPresent()) {
      LayerSpec spec = recipe.toolchain().get();
      Path dir = layerDir(LayerKind.TOOLCHAIN, spec);
      add(
          layers.obtain(
              spec, dir, mayBuildDependencies, dirs, List.of(), DependencyConstraints.NONE));
    }
    // The dependencies and build layers are named after the list; the install layer is not.
    AppRecipe named =
        recipe.constraintsPending() && recipe.dependencies().isPresent()
            ? layers.resolveConstraints(recipe, dirs)
            : recipe;
    if (named.dependencies().isPresent()) {
      LayerSpec spec = named.dependencies().get();
      Path dir = layerDir(LayerKind.DEPENDENCIES, spec);
      add(layers.obtain(spec, dir, mayBuildDependencies, dirs, keysSoFar(), named.constraints()));
    }
    if (named.buildLayer().isPresent()) {
      Path buildDir = layerDir(LayerKind.BUILD, named.build());
      add(layers.obtainBuild(named.build(), buildDir, dirs, keysSoFar()));
    }
    listener.layerStarted(LayerKind.INSTALL);
    add(layers.buildInstall(recipe.install(), dirs, keysSoFar()));
  }

  private Path layerDir(LayerKind kind, LayerSpec spec) {
    Path dir = config.layout().layerDir(spec.tag());
    dirs.put(kind, dir);
    return dir;
  }

  private void add(LayerOutcome outcome) {
    outcomes.add(outcome);
    listener.layerReady(outcome);
  }

  private List<String> keysSoFar() {
    return outcomes.stream().map(LayerOutcome::key).toList();
  }

  /** Runs the post-install, prunes private storage and keeps the cache in bounds. */
  private void finish(Optional<Path> installDir) throws IOException, InterruptedException {
    if (installDir.isPresent() && recipe.postInstall().isPresent()) {
      listener.step("running post-install for " + installDir.get());
      Path pending = config.layout().postInstallPending(installDir.get());
      Files.createDirectories(pending.getParent());
      Files.writeString(pending, installDir.get().toString());
      recipe
          .postInstall()
          .get()
          .build(new BuildContext(installTag, installDir.get(), recipe.sourceDir(), dirs));
      Files.delete(pending);
    }
    if (installDir.isPresent() && config.deltaRestore()) {
      try {
        layers.recordInstall(installDir.get(), recipe.postInstall().isPresent());
      } catch (IOException e) {
        // Without a record the next delta restore hashes the files it would reuse: slower, sound.
        listener.warning(
            "could not record the installed files of " + installDir.get() + ": " + e.getMessage());
      }
    }
    if (layers.uploadedAnything()
        && config.pruner().isPresent()
        && config.privateStore().isPresent()) {
      String summary = config.pruner().get().prune(config.privateStore().get(), recipe);
      pruned = Optional.of(summary);
      listener.step(summary);
    }
    if (!config.noCleanCache()) {
      layers.cleanCache(start.minus(config.cacheGrace()), recipe.label());
    }
    layers.recordCacheUseAndCap();
  }

  private RunReport report(Optional<Path> installDir, boolean alreadyInstalled) {
    return new RunReport(
        outcomes,
        installDir,
        alreadyInstalled,
        Duration.between(start, config.clock().instant()),
        layers.uploadedKeys(),
        layers.evictedKeys(),
        pruned,
        List.of(),
        config.key(installTag));
  }
}
