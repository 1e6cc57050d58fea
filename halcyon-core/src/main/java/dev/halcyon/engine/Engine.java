package dev.halcyon.engine;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import dev.halcyon.archive.Compression;
import dev.halcyon.layer.LayerKind;
import dev.halcyon.layer.LayerTag;
import dev.halcyon.naming.ArchiveNamer;
import dev.halcyon.naming.DefaultArchiveNamer;
import dev.halcyon.store.LayerStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The restore-or-build engine: obtains every layer of an app from the first place that has it (the
 * directory in place, the local cache, private storage, public storage) or builds it, and installs
 * the app.
 *
 * <p>A deploy machine ({@link Builder#noBuild}) restores just the install archive — one GET after a
 * cache miss — and fails with {@link BuildForbiddenException} before downloading anything else when
 * it is missing. A build machine builds what is missing, archives it into the local cache and
 * uploads it to private storage.
 *
 * <p>Runs on one machine that share a work directory are serialised by a file lock, so concurrent
 * runs never corrupt the layer directories, the cache or the installed app. An engine is immutable
 * and may be shared; it does not own the stores handed to it (the caller closes them).
 */
public final class Engine {
  private final Settings settings;

  private Engine(Settings settings) {
    this.settings = settings;
  }

  /** A builder with defaults: zstd, the default namer, no private or public storage. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Installs the app into {@code installDir} (usually {@code ROOT/PREFIX}) atomically: restores the
   * install archive if any store has it, else builds every missing layer. Then runs the
   * post-install step.
   *
   * @throws BuildForbiddenException if something had to be built but building is off; nothing was
   *     changed
   */
  public RunReport install(AppRecipe recipe, Path installDir)
      throws IOException, InterruptedException, BuildForbiddenException {
    checkNotNull(installDir, "installDir");
    return run(recipe, Optional.of(installDir.toAbsolutePath().normalize()));
  }

  /**
   * Makes sure the app's install archive exists (in the cache and, unless uploads are off, in
   * private storage), building what is missing, without installing it.
   */
  public RunReport build(AppRecipe recipe)
      throws IOException, InterruptedException, BuildForbiddenException {
    return run(recipe, Optional.empty());
  }

  /** The key of the archive that holds {@code tag} under this engine's namer and codec. */
  public String archiveKey(LayerTag tag) {
    return settings.namer.key(tag, settings.compression.extension());
  }

  private RunReport run(AppRecipe recipe, Optional<Path> installDir)
      throws IOException, InterruptedException, BuildForbiddenException {
    checkNotNull(recipe, "recipe");
    Instant start = settings.clock.instant();
    Files.createDirectories(settings.workDir);
    try (WorkLock lock = WorkLock.acquire(settings.workDir, settings.listener)) {
      // Under the lock no other run uses the work directory: what a killed run left is garbage.
      Directories.deleteTree(settings.workDir.resolve("tmp"));
      Directories.deleteTree(settings.workDir.resolve("install"));
      Run run = new Run(settings, recipe, start);
      try {
        return run.execute(installDir);
      } finally {
        // The staging tree of the install layer is deleted while the run goes on; the next run
        // must not find that deletion still running when it takes the lock.
        run.layers.awaitBackground();
      }
    }
  }

  /** Configuration of an engine; see {@link Builder}. */
  static final class Settings {
    LayerStore cache;
    Optional<LayerStore> privateStore = Optional.empty();
    Optional<LayerStore> publicStore = Optional.empty();
    ArchiveNamer namer = new DefaultArchiveNamer();
    Compression compression = Compression.ZSTD;
    Path workDir;
    boolean noBuild;
    boolean noBuildDependencies;
    boolean noUpload;
    boolean noCleanCache;
    boolean noMirror;
    Optional<Pruner> pruner = Optional.empty();
    EngineListener listener = EngineListener.NONE;
    Clock clock = Clock.systemUTC();
    Duration cacheGrace = Duration.ZERO;
    OptionalLong cacheMaxSize = OptionalLong.empty();
  }

  /**
   * Deletes out-of-date archives from private storage after a run uploaded something. The retention
   * package provides the standard implementation; it is an interface here so the engine does not
   * depend on a policy.
   */
  @FunctionalInterface
  public interface Pruner {
    /**
     * Prunes {@code store} after a run of {@code recipe} uploaded something; returns a one-line
     * summary for the run's output.
     */
    String prune(LayerStore store, AppRecipe recipe) throws IOException;
  }

  /** Builds an {@link Engine}. Not thread-safe. */
  public static final class Builder {
    private final Settings s = new Settings();

    private Builder() {}

    /** The local cache (required): archives restored or built on this machine. */
    public Builder cache(LayerStore cache) {
      s.cache = checkNotNull(cache, "cache");
      return this;
    }

    /** Private storage shared by all machines, e.g. an S3 bucket. */
    public Builder privateStore(LayerStore store) {
      s.privateStore = Optional.of(store);
      return this;
    }

    /** Read-only public storage tried after private storage. */
    public Builder publicStore(LayerStore store) {
      s.publicStore = Optional.of(store);
      return this;
    }

    public Builder namer(ArchiveNamer namer) {
      s.namer = checkNotNull(namer, "namer");
      return this;
    }

    public Builder compression(Compression compression) {
      s.compression = checkNotNull(compression, "compression");
      return this;
    }

    /**
     * Where layer directories live (HALCYON_BASE): {@code toolchain/<id>}, {@code
     * dependencies/<toolchain>/<label>}, {@code build/<toolchain>/<label>}, plus temporary files.
     * Required.
     */
    public Builder workDir(Path workDir) {
      s.workDir = checkNotNull(workDir, "workDir").toAbsolutePath().normalize();
      return this;
    }

    /** Forbid building anything: a missing install archive ends the run (exit status 2). */
    public Builder noBuild(boolean noBuild) {
      s.noBuild = noBuild;
      return this;
    }

    /** Forbid building any layer but the app's own build and install layers. */
    public Builder noBuildDependencies(boolean noBuildDependencies) {
      s.noBuildDependencies = noBuildDependencies;
      return this;
    }

    /** Upload nothing to private storage (and so prune nothing). */
    public Builder noUpload(boolean noUpload) {
      s.noUpload = noUpload;
      return this;
    }

    /** Keep archives in the local cache that this run did not use. */
    public Builder noCleanCache(boolean noCleanCache) {
      s.noCleanCache = noCleanCache;
      return this;
    }

    /** Do not copy archives restored from public storage into private storage. */
    public Builder noMirror(boolean noMirror) {
      s.noMirror = noMirror;
      return this;
    }

    /** Prunes private storage after a run uploaded an archive. */
    public Builder pruner(Pruner pruner) {
      s.pruner = Optional.of(pruner);
      return this;
    }

    public Builder listener(EngineListener listener) {
      s.listener = checkNotNull(listener, "listener");
      return this;
    }

    public Builder clock(Clock clock) {
      s.clock = checkNotNull(clock, "clock");
      return this;
    }

    /**
     * How old an unused cache entry must be before cleaning deletes it (default zero: anything
     * older than this run). A longer grace protects entries another run on the machine is using.
     */
    public Builder cacheGrace(Duration grace) {
      checkArgument(!grace.isNegative(), "grace must not be negative");
      s.cacheGrace = grace;
      return this;
    }

    /**
     * Caps the local cache at {@code bytes} after every successful run: the least recently used
     * archives go first (use times are kept in {@code cache-uses} under the work directory; an
     * archive never recorded counts as used when it was written), and never one this run used, so
     * the cache may stay above the cap when this run alone needs more.
     */
    public Builder cacheMaxSize(long bytes) {
      checkArgument(bytes >= 0, "cache max size must not be negative, got %s", bytes);
      s.cacheMaxSize = OptionalLong.of(bytes);
      return this;
    }

    public Engine build() {
      checkState(s.cache != null, "an engine needs a local cache");
      checkState(s.workDir != null, "an engine needs a work directory (HALCYON_BASE)");
      return new Engine(s);
    }
  }

  /** The state of one run. */
  private static final class Run {
    private final Settings s;
    private final AppRecipe recipe;
    private final Instant start;
    private final List<LayerOutcome> outcomes = new ArrayList<>();
    private final Map<LayerKind, Path> dirs = new EnumMap<>(LayerKind.class);
    private final Layers layers;

    Run(Settings s, AppRecipe recipe, Instant start) {
      this.s = s;
      this.recipe = recipe;
      this.start = start;
      this.layers = new Layers(s, recipe.sourceDir());
    }

    RunReport execute(Optional<Path> installDir)
        throws IOException, InterruptedException, BuildForbiddenException {
      LayerTag installTag = recipe.install().tag();
      if (installDir.isPresent()) {
        Path dir = installDir.get();
        Directories.recover(dir);
        if (layers.tagMatches(dir, installTag)) {
          s.listener.step(
              "already installed: " + dir + " holds " + recipe.label() + " with this source hash");
          if (Files.exists(postInstallPending(dir))) {
            // The install landed but its post-install failed or was killed: a retry must run it.
            s.listener.step(
                "the last post-install in " + dir + " did not complete: running it again");
            finish(installDir);
          }
          return report(installDir, true);
        }
        layers.checkInstallTarget(dir);
      }

      // The deploy fast path: the install archive alone, nothing else.
      s.listener.layerStarted(LayerKind.INSTALL);
      Optional<Path> target = installDir;
      Optional<LayerOutcome> restored =
          target.isPresent()
              ? layers.restoreExact(installTag, target.get())
              : layers.findArchive(installTag);
      if (restored.isPresent()) {
        outcomes.add(restored.get());
        s.listener.layerReady(restored.get());
        uploadIfMissing(restored.get());
        finish(installDir);
        return report(installDir, false);
      }
      if (s.noBuild) {
        Optional<IOException> damaged = layers.corruption(layers.key(installTag));
        if (damaged.isPresent()) {
          throw new dev.halcyon.store.CorruptObjectException(
              "the install archive "
                  + layers.key(installTag)
                  + " is damaged ("
                  + damaged.get().getMessage()
                  + "); rebuild it on a build machine (it replaces the damaged copy), then retry",
              damaged.get());
        }
        throw new BuildForbiddenException(
            LayerKind.INSTALL,
            "build required but forbidden: no install archive "
                + layers.key(installTag)
                + " in "
                + layers.describeStores()
                + " (HALCYON_NO_BUILD is set; build this source on a build machine, then retry)");
      }
      if (s.noBuildDependencies) {
        layers.checkAvailable(recipe.toolchain());
        layers.checkAvailable(recipe.dependencies());
      }

      if (recipe.toolchain().isPresent()) {
        LayerSpec spec = recipe.toolchain().get();
        Path dir = layers.layerDir(spec.tag());
        dirs.put(LayerKind.TOOLCHAIN, dir);
        add(layers.obtain(spec, dir, !s.noBuildDependencies, dirs, List.of()));
      }
      if (recipe.dependencies().isPresent()) {
        LayerSpec spec = recipe.dependencies().get();
        Path dir = layers.layerDir(spec.tag());
        dirs.put(LayerKind.DEPENDENCIES, dir);
        add(layers.obtain(spec, dir, !s.noBuildDependencies, dirs, keysSoFar()));
      }
      Path buildDir = layers.layerDir(recipe.build().tag());
      dirs.put(LayerKind.BUILD, buildDir);
      add(layers.obtainBuild(recipe.build(), buildDir, dirs, keysSoFar()));
      s.listener.layerStarted(LayerKind.INSTALL);
      add(layers.buildInstall(recipe.install(), dirs, keysSoFar()));
      if (installDir.isPresent()) {
        layers.installFromCache(installTag, installDir.get());
      }
      finish(installDir);
      return report(installDir, false);
    }

    private void add(LayerOutcome outcome) {
      outcomes.add(outcome);
      s.listener.layerReady(outcome);
    }

    private List<String> keysSoFar() {
      return outcomes.stream().map(LayerOutcome::key).toList();
    }

    private void uploadIfMissing(LayerOutcome outcome) throws IOException {
      if (outcome.source() == LayerSource.PUBLIC) {
        layers.mirror(outcome);
      }
    }

    private void finish(Optional<Path> installDir) throws IOException, InterruptedException {
      if (installDir.isPresent() && recipe.postInstall().isPresent()) {
        s.listener.step("running post-install for " + installDir.get());
        Path pending = postInstallPending(installDir.get());
        Files.createDirectories(pending.getParent());
        Files.writeString(pending, installDir.get().toString());
        recipe
            .postInstall()
            .get()
            .build(
                new BuildContext(
                    recipe.install().tag(), installDir.get(), recipe.sourceDir(), dirs));
        Files.delete(pending);
      }
      if (layers.uploadedAnything() && s.pruner.isPresent() && s.privateStore.isPresent()) {
        s.listener.step(s.pruner.get().prune(s.privateStore.get(), recipe));
      }
      if (!s.noCleanCache) {
        layers.cleanCache(start.minus(s.cacheGrace));
      }
      layers.recordCacheUseAndCap(s.cacheMaxSize);
    }

    /** Present while the post-install of {@code installDir} has not completed. */
    private Path postInstallPending(Path installDir) {
      String id =
          com.google.common.hash.Hashing.sha256()
              .hashString(
                  installDir.toAbsolutePath().normalize().toString(), StandardCharsets.UTF_8)
              .toString()
              .substring(0, 16);
      return s.workDir.resolve("post-install-pending").resolve(id);
    }

    private RunReport report(Optional<Path> installDir, boolean alreadyInstalled) {
      return new RunReport(
          outcomes, installDir, alreadyInstalled, Duration.between(start, s.clock.instant()));
    }
  }
}
