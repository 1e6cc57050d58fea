package dev.halcyon.engine;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import dev.halcyon.archive.Compression;
import dev.halcyon.layer.LayerKind;
import dev.halcyon.layer.LayerTag;
import dev.halcyon.naming.ArchiveNamer;
import dev.halcyon.naming.DefaultArchiveNamer;
import dev.halcyon.recipe.AppRecipe;
import dev.halcyon.store.LayerStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
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
  private final EngineConfig config;

  private Engine(EngineConfig config) {
    this.config = config;
  }

  /** This engine's configuration, for tests of its workers. */
  EngineConfig config() {
    return config;
  }

  /**
   * A builder with defaults: zstd, the default namer, no private or public storage.
   *
   * @return a new builder; {@link Builder#cache} and {@link Builder#workDir} are required
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Installs the app into {@code installDir} (usually {@code ROOT/PREFIX}) atomically: restores the
   * install archive if any store has it, else builds every missing layer. Then runs the
   * post-install step.
   *
   * @param recipe the app's layers
   * @param installDir the directory to install into; it must end with the install layer's prefix
   * @return what the run did, with {@link RunReport#installedAt()} set
   * @throws BuildForbiddenException if something had to be built but building is off; nothing was
   *     changed
   * @throws InterruptedException if the thread was interrupted; the message says what the run was
   *     doing. A run interrupted (or killed) at any point leaves nothing the next run takes as done
   *     that is not: a layer built but not yet archived and uploaded is archived and uploaded by
   *     the next run
   * @throws IOException if a store, the cache or the disk fails, a restored archive is corrupt, or
   *     a layer's builder fails; a run that fails before the install leaves the installed app as it
   *     was, and a failed post-install step is run again by the next run
   */
  public RunReport install(AppRecipe recipe, Path installDir)
      throws IOException, InterruptedException, BuildForbiddenException {
    return install(recipe, installDir, EngineListener.NONE);
  }

  /**
   * Like {@link #install(AppRecipe, Path)}, telling {@code listener} (besides the engine's own)
   * what this run does.
   *
   * @param recipe the app's layers
   * @param installDir the directory to install into; it must end with the install layer's prefix
   * @param listener hears this run's events as well as the engine's listener; {@link
   *     EngineListener#NONE} for none
   * @return what the run did, with {@link RunReport#installedAt()} set
   * @throws IllegalArgumentException if {@code installDir} does not end with the install layer's
   *     prefix: what was built for one prefix may refer to it, so it is installed there only
   * @throws IOException if a store, the cache or the disk fails, a restored archive is corrupt, or
   *     a layer's builder fails; a run that fails before the install leaves the installed app as it
   *     was, and a failed post-install step is run again by the next run
   * @throws InterruptedException if the thread was interrupted; see {@link #install(AppRecipe,
   *     Path)}
   * @throws BuildForbiddenException if something had to be built but building is off; nothing was
   *     changed
   */
  public RunReport install(AppRecipe recipe, Path installDir, EngineListener listener)
      throws IOException, InterruptedException, BuildForbiddenException {
    checkNotNull(recipe, "recipe");
    checkNotNull(installDir, "installDir");
    Path dir = installDir.toAbsolutePath().normalize();
    checkPrefix(recipe, dir);
    return run(recipe, Optional.of(dir), listener);
  }

  /**
   * Makes sure the app's install archive exists (in the cache and, unless uploads are off, in
   * private storage), building what is missing, without installing it.
   *
   * @param recipe the app's layers
   * @return what the run did; {@link RunReport#installedAt()} is empty
   * @throws InterruptedException if the thread was interrupted; see {@link #install}
   * @throws IOException if a store, the cache or the disk fails, a restored archive is corrupt, or
   *     a layer's builder fails
   * @throws BuildForbiddenException if something had to be built but building is off; nothing was
   *     changed
   */
  public RunReport build(AppRecipe recipe)
      throws IOException, InterruptedException, BuildForbiddenException {
    return build(recipe, EngineListener.NONE);
  }

  /**
   * Like {@link #build(AppRecipe)}, telling {@code listener} (besides the engine's own) what this
   * run does.
   *
   * @param recipe the app's layers
   * @param listener hears this run's events as well as the engine's listener; {@link
   *     EngineListener#NONE} for none
   * @return what the run did; {@link RunReport#installedAt()} is empty
   * @throws IOException if a store, the cache or the disk fails, a restored archive is corrupt, or
   *     a layer's builder fails
   * @throws InterruptedException if the thread was interrupted; see {@link #install(AppRecipe,
   *     Path)}
   * @throws BuildForbiddenException if something had to be built but building is off; nothing was
   *     changed
   */
  public RunReport build(AppRecipe recipe, EngineListener listener)
      throws IOException, InterruptedException, BuildForbiddenException {
    return run(recipe, Optional.empty(), listener);
  }

  /**
   * What {@link #build} would do with {@code recipe}: per layer its key, the tier that has it or
   * that it would be built, and for a layer to build the inputs that differ from the closest stored
   * tag. Each step also lists every store that holds the layer's key (with what the manifest beside
   * it records), the stored manifests of its kind and label when none does, and for a missing
   * dependencies layer with a declared list the layers a build could extend — what {@code halcyon
   * explain} prints. Writes nothing and takes no lock (a run in progress may change the answer);
   * costs a {@code head} per layer and tier and a manifest read per copy found, and for a layer
   * stored nowhere or to be built a listing and the manifests of its kind and label.
   *
   * @param recipe the app's layers; while its constraints source is pending the dependencies and
   *     build layers have no step (name them first with {@link #nameDependencies})
   * @return one step per layer named, in run order
   * @throws IOException if a store fails to answer, list or read a manifest
   */
  public Plan plan(AppRecipe recipe) throws IOException {
    checkNotNull(recipe, "recipe");
    return new Planner(config).plan(recipe, Optional.empty());
  }

  /**
   * What {@link #install} into {@code installDir} would do; like {@link #plan(AppRecipe)}, with the
   * install layer {@link LayerSource#EXISTING} when {@code installDir} already holds it.
   *
   * @param recipe the app's layers
   * @param installDir the directory an install would go to
   * @return one step per layer, in run order
   * @throws IOException if a store fails to answer, list or read a manifest
   */
  public Plan plan(AppRecipe recipe, Path installDir) throws IOException {
    checkNotNull(recipe, "recipe");
    checkNotNull(installDir, "installDir");
    return new Planner(config).plan(recipe, Optional.of(installDir.toAbsolutePath().normalize()));
  }

  private static void checkPrefix(AppRecipe recipe, Path installDir) {
    String prefix = recipe.install().tag().input(LayerTag.PREFIX);
    if (prefix.isEmpty()) {
      return;
    }
    Path relative = Path.of(prefix.substring(prefix.startsWith("/") ? 1 : 0));
    checkArgument(
        relative.getNameCount() == 0 || installDir.endsWith(relative),
        "cannot install %s into %s: its install layer was made for prefix %s, so install it into"
            + " ROOT%s (a directory ending in %s)",
        recipe.label(),
        installDir,
        prefix,
        prefix,
        prefix);
  }

  /**
   * {@code recipe} with its dependencies and build layers named, for tools that show names without
   * building ({@code halcyon explain}): runs its constraints source (a build-machine step) with the
   * toolchain layer in place in the work directory. A recipe with nothing pending is returned as it
   * is.
   *
   * @param recipe the app's layers
   * @return the recipe with every tag complete; {@code recipe} itself if nothing was pending
   * @throws IOException one line when the toolchain layer is not in place here or the source fails
   * @throws InterruptedException if the thread was interrupted while the constraints source ran
   */
  public AppRecipe nameDependencies(AppRecipe recipe) throws IOException, InterruptedException {
    checkNotNull(recipe, "recipe");
    if (!recipe.constraintsPending() || recipe.dependencies().isEmpty()) {
      return recipe;
    }
    Map<LayerKind, Path> dirs = new EnumMap<>(LayerKind.class);
    if (recipe.toolchain().isPresent()) {
      LayerTag tag = recipe.toolchain().get().tag();
      Path dir = config.layout().layerDir(tag);
      if (!TagFiles.matches(dir, tag)) {
        throw new IOException(
            "the dependencies layer is named after the constraints hook's output, which needs the"
                + " toolchain layer "
                + config.key(tag)
                + " in place in "
                + dir
                + "; it is not, so run halcyon build here first");
      }
      dirs.put(LayerKind.TOOLCHAIN, dir);
    }
    return ConstraintsRun.resolve(
        config.listener(), recipe, dirs, Path.of(System.getProperty("java.io.tmpdir")));
  }

  /**
   * The key of the archive that holds {@code tag} under this engine's namer and codec.
   *
   * @param tag a layer's identity
   * @return the object key, e.g. {@code
   *     linux-debian-12-x86_64/jdk-17.0.15/halcyon-install-b90bb47-shop-1.4.2.tar.zst} with the
   *     default namer
   */
  public String archiveKey(LayerTag tag) {
    return config.key(tag);
  }

  @SuppressWarnings("try") // the lock is held for the body, never read
  private RunReport run(AppRecipe recipe, Optional<Path> installDir, EngineListener runListener)
      throws IOException, InterruptedException, BuildForbiddenException {
    checkNotNull(recipe, "recipe");
    checkNotNull(runListener, "listener");
    EngineListener listener = EngineListener.both(config.listener(), runListener);
    Instant start = config.clock().instant();
    WorkDirLayout layout = config.layout();
    Files.createDirectories(layout.root());
    try (WorkLock lock = WorkLock.acquire(layout, listener)) {
      // Under the lock no other run uses the work directory: what a killed run left is garbage.
      Directories.deleteTree(layout.tmp());
      Directories.deleteTree(layout.installStaging());
      StepRecorder steps = new StepRecorder(listener);
      EngineRun run = new EngineRun(config.withListener(steps), recipe, start);
      try {
        return run.execute(installDir).withWarnings(steps.warnings());
      } catch (IOException | RuntimeException e) {
        // A file channel closed by the interrupt (ClosedByInterruptException) says nothing to the
        // caller; the documented InterruptedException does, and clears the flag before unlocking.
        Optional<InterruptedException> interrupt = Interrupts.asInterrupt(e, steps.lastStep());
        if (interrupt.isPresent()) {
          throw interrupt.get();
        }
        throw e;
      } finally {
        // The staging tree of the install layer is deleted while the run goes on; the next run
        // must not find that deletion still running when it takes the lock.
        run.awaitBackground();
      }
    }
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
     *
     * @param store the private storage the run uploaded to; not closed
     * @param recipe the recipe of the run
     * @return a one-line summary, e.g. how many archives were deleted
     * @throws IOException if listing or deleting fails; the run then fails with it, after its
     *     uploads (what was uploaded stays)
     */
    String prune(LayerStore store, AppRecipe recipe) throws IOException;
  }

  /** Builds an {@link Engine}. Not thread-safe. */
  public static final class Builder {
    private LayerStore cache;
    private Optional<LayerStore> privateStore = Optional.empty();
    private Optional<LayerStore> publicStore = Optional.empty();
    private ArchiveNamer namer = new DefaultArchiveNamer();
    private Compression compression = Compression.ZSTD;
    private Path workDir;
    private boolean noBuild;
    private boolean noBuildDependencies;
    private boolean noUpload;
    private boolean noCleanCache;
    private boolean cleanCacheAcrossApps;
    private boolean noMirror;
    private Optional<Pruner> pruner = Optional.empty();
    private EngineListener listener = EngineListener.NONE;
    private Clock clock = Clock.systemUTC();
    private Duration cacheGrace = Duration.ZERO;
    private OptionalLong cacheMaxSize = OptionalLong.empty();
    private boolean deltaRestore = true;

    private Builder() {}

    /**
     * The local cache (required): archives restored or built on this machine.
     *
     * @param cache a store on local disk, e.g. a {@link dev.halcyon.store.DirectoryLayerStore}; not
     *     closed by the engine
     * @return this builder
     */
    public Builder cache(LayerStore cache) {
      this.cache = checkNotNull(cache, "cache");
      return this;
    }

    /**
     * Private storage shared by all machines, e.g. an S3 bucket.
     *
     * @param store the store, not closed by the engine
     * @return this builder
     */
    public Builder privateStore(LayerStore store) {
      this.privateStore = Optional.of(store);
      return this;
    }

    /**
     * Read-only public storage tried after private storage.
     *
     * @param store the store, only read from; not closed by the engine
     * @return this builder
     */
    public Builder publicStore(LayerStore store) {
      this.publicStore = Optional.of(store);
      return this;
    }

    /**
     * How archives and their sidecars are named in the stores; {@link
     * dev.halcyon.naming.DefaultArchiveNamer} (the original Halcyon's layout) by default.
     *
     * @param namer turns tags into keys and back
     * @return this builder
     */
    public Builder namer(ArchiveNamer namer) {
      this.namer = checkNotNull(namer, "namer");
      return this;
    }

    /**
     * How new archives are compressed; {@link Compression#ZSTD} by default. Restoring reads any
     * codec, whatever this says.
     *
     * @param compression the codec of the archives this engine writes
     * @return this builder
     */
    public Builder compression(Compression compression) {
      this.compression = checkNotNull(compression, "compression");
      return this;
    }

    /**
     * Where layer directories live (HALCYON_BASE): {@code toolchain/<id>}, {@code
     * dependencies/<toolchain>/<label>}, {@code build/<toolchain>/<label>}, plus temporary files.
     * Required.
     *
     * @param workDir the work directory; created on the first run if missing
     * @return this builder
     */
    public Builder workDir(Path workDir) {
      this.workDir = checkNotNull(workDir, "workDir").toAbsolutePath().normalize();
      return this;
    }

    /**
     * Forbid building anything: a missing install archive ends the run (exit status 2).
     *
     * @param noBuild true on deploy machines
     * @return this builder
     */
    public Builder noBuild(boolean noBuild) {
      this.noBuild = noBuild;
      return this;
    }

    /**
     * Forbid building any layer but the app's own build and install layers.
     *
     * @param noBuildDependencies true to build only the app's own layers
     * @return this builder
     */
    public Builder noBuildDependencies(boolean noBuildDependencies) {
      this.noBuildDependencies = noBuildDependencies;
      return this;
    }

    /**
     * Upload nothing to private storage (and so prune nothing).
     *
     * @param noUpload true to keep what is built in the local cache only
     * @return this builder
     */
    public Builder noUpload(boolean noUpload) {
      this.noUpload = noUpload;
      return this;
    }

    /**
     * Keep archives in the local cache that this run did not use. By default a run deletes its own
     * app's unused archives (those of other sources and constraints, under the recipe's label) once
     * older than {@link #cacheGrace}; see {@link #cleanCacheAcrossApps} for the others.
     *
     * @param noCleanCache true to delete nothing from the cache (the size cap still applies)
     * @return this builder
     */
    public Builder noCleanCache(boolean noCleanCache) {
      this.noCleanCache = noCleanCache;
      return this;
    }

    /**
     * Let cleaning delete every archive in the local cache this run did not use, other apps' and
     * toolchain archives included (default off: a cache shared by several apps keeps each app's
     * archives, and only {@link #cacheMaxSize} evicts across apps, least recently used first). For
     * a cache that serves one app only.
     *
     * @param acrossApps true for a cache that serves one app only
     * @return this builder
     */
    public Builder cleanCacheAcrossApps(boolean acrossApps) {
      this.cleanCacheAcrossApps = acrossApps;
      return this;
    }

    /**
     * Do not copy archives restored from public storage into private storage.
     *
     * @param noMirror true to leave private storage as it is after a restore from public storage
     * @return this builder
     */
    public Builder noMirror(boolean noMirror) {
      this.noMirror = noMirror;
      return this;
    }

    /**
     * Prunes private storage after a run uploaded an archive.
     *
     * @param pruner called once per run that uploaded, after the uploads
     * @return this builder
     */
    public Builder pruner(Pruner pruner) {
      this.pruner = Optional.of(pruner);
      return this;
    }

    /**
     * Receives the progress and outcome events of every run of this engine, besides any listener
     * given to the run itself; {@link EngineListener#NONE} by default.
     *
     * @param listener called on the run's threads; must not block
     * @return this builder
     */
    public Builder listener(EngineListener listener) {
      this.listener = checkNotNull(listener, "listener");
      return this;
    }

    /**
     * The time source for manifests' creation times, timings and the cache's last-use records; the
     * system clock in UTC by default. Tests pass a fixed clock.
     *
     * @param clock the time source
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = checkNotNull(clock, "clock");
      return this;
    }

    /**
     * How old an unused cache entry must be before cleaning deletes it (default zero: anything
     * older than this run). A longer grace protects entries another run on the machine is using.
     *
     * @param grace zero or positive
     * @return this builder
     */
    public Builder cacheGrace(Duration grace) {
      checkArgument(!grace.isNegative(), "grace must not be negative");
      this.cacheGrace = grace;
      return this;
    }

    /**
     * Caps the local cache at {@code bytes} after every successful run: the least recently used
     * archives go first (use times are kept in {@code cache-uses} under the work directory; an
     * archive never recorded counts as used when it was written), and never one this run used, so
     * the cache may stay above the cap when this run alone needs more.
     *
     * @param bytes the cap in bytes, zero or positive
     * @return this builder
     */
    public Builder cacheMaxSize(long bytes) {
      checkArgument(bytes >= 0, "cache max size must not be negative, got %s", bytes);
      this.cacheMaxSize = OptionalLong.of(bytes);
      return this;
    }

    /**
     * Whether an install archive restored from private or public storage onto a machine that has an
     * earlier version installed is restored by delta (default true): only the files the machine
     * lacks are fetched, by ranged reads; see the README's "Redeploys". False restores by one full
     * download, as before.
     *
     * @param deltaRestore false to always download the whole install archive
     * @return this builder
     */
    public Builder deltaRestore(boolean deltaRestore) {
      this.deltaRestore = deltaRestore;
      return this;
    }

    /**
     * Creates the engine. Nothing is read or written until a run.
     *
     * @return the engine, immutable and shareable
     * @throws IllegalStateException when the cache or the work directory was not given
     */
    public Engine build() {
      checkState(cache != null, "an engine needs a local cache");
      checkState(workDir != null, "an engine needs a work directory (Builder.workDir)");
      return new Engine(
          new EngineConfig(
              cache,
              privateStore,
              publicStore,
              namer,
              compression,
              new WorkDirLayout(workDir),
              noBuild,
              noBuildDependencies,
              noUpload,
              noCleanCache,
              cleanCacheAcrossApps,
              noMirror,
              pruner,
              listener,
              clock,
              cacheGrace,
              cacheMaxSize,
              deltaRestore));
    }
  }
}
