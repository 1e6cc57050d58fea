package dev.halcyon.engine;

import dev.halcyon.layer.IgnoreRules;
import dev.halcyon.layer.LayerKind;
import dev.halcyon.layer.LayerTag;
import dev.halcyon.recipe.AppRecipe;
import dev.halcyon.recipe.DependencyConstraints;
import dev.halcyon.recipe.LayerSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The layer work of one run of the {@link Engine}, in front of its workers: {@link TieredRestore}
 * restores, {@link LayerBuilds} obtains or builds, {@link ArchivePublisher} archives and uploads,
 * {@link CacheUsage} keeps the cache in bounds, and all of them share one {@link RunLedger}.
 * Confined to the run's thread; {@link #awaitBackground} must be called before the run lets go of
 * the work directory.
 */
final class LayerRun {
  private final EngineConfig config;
  private final RunLedger ledger = new RunLedger();
  private final TieredRestore restore;
  private final ArchivePublisher publisher;
  private final LayerBuilds builds;
  private final CacheUsage cacheUsage;

  LayerRun(EngineConfig config, Path sourceDir, IgnoreRules sourceIgnore) {
    this.config = config;
    ScratchDir scratch = new ScratchDir(config.layout(), config.cache());
    this.restore = new TieredRestore(config, ledger, scratch);
    this.publisher = new ArchivePublisher(config, ledger, scratch);
    this.builds = new LayerBuilds(config, ledger, restore, publisher, sourceDir, sourceIgnore);
    this.cacheUsage = new CacheUsage(config, ledger);
  }

  // ---- the installed app

  /** Whether {@code dir} holds exactly {@code tag}. */
  boolean tagMatches(Path dir, LayerTag tag) {
    return TagFiles.matches(dir, tag);
  }

  /**
   * Refuses an install target the user may not write, or a directory that halcyon did not install.
   */
  void checkInstallTarget(Path dir) throws IOException {
    WritableTarget.check(dir);
    if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      throw new IOException(
          dir + " exists and is not a directory; choose another HALCYON_ROOT/HALCYON_PREFIX");
    }
    boolean empty;
    try (var entries = Files.list(dir)) {
      empty = entries.findAny().isEmpty();
    }
    if (!empty && TagFiles.read(dir).isEmpty()) {
      throw new IOException(
          dir
              + " is not empty and was not installed by halcyon (no "
              + LayerTag.FILE_NAME
              + "); installing replaces it whole, so empty it or choose another HALCYON_PREFIX");
    }
  }

  /** Restores exactly {@code tag} into {@code dir} from the first store that has it. */
  Optional<LayerOutcome> restoreExact(LayerTag tag, Path dir) throws IOException {
    return restore.restoreExact(tag, dir);
  }

  /** Restores the install layer {@code tag} into {@code dir}, by delta where it can. */
  Optional<LayerOutcome> restoreInstall(LayerTag tag, Path dir) throws IOException {
    return restore.restoreInstall(tag, dir);
  }

  /**
   * Records the fingerprints of the files now in {@code installDir} (after its post-install), so
   * that the next delta restore reuses them without reading them: digests known from this run's
   * restore (a delta's, or a full restore's table of contents) are kept for files unchanged since,
   * every other file is hashed. When {@code touched} is false (no post-install ran since the
   * restore), what the restore knew is recorded as it is, without looking at the tree again.
   */
  void recordInstall(Path installDir, boolean touched) throws IOException {
    Path file = config.layout().installRecord(installDir.toAbsolutePath().normalize());
    Optional<InstallRecord.Snapshot> known = restore.lastSnapshot();
    if (known.isPresent() && !touched) {
      InstallRecord.write(file, installDir, known.get());
      return;
    }
    InstallRecord.write(
        file,
        installDir,
        known.map(InstallRecord.Snapshot::entries).orElse(Map.of()),
        known.map(InstallRecord.Snapshot::asOfNs).orElse(Long.MIN_VALUE),
        known.map(InstallRecord.Snapshot::relinked).orElse(Set.of()));
  }

  /** Installs the just-built install archive from the cache. */
  void installFromCache(LayerTag tag, Path installDir) throws IOException {
    restore.installFromCache(tag, installDir);
  }

  // ---- obtaining layers

  /** For {@link Engine#build}: is the archive for {@code tag} already stored somewhere? */
  Optional<LayerOutcome> findArchive(LayerTag tag) throws IOException {
    return publisher.findArchive(tag);
  }

  /**
   * Fails with {@link BuildForbiddenException} unless {@code spec}'s layer can be had without
   * building.
   */
  void checkAvailable(Optional<LayerSpec> spec) throws IOException, BuildForbiddenException {
    if (spec.isEmpty()) {
      return;
    }
    LayerTag tag = spec.get().tag();
    String key = config.key(tag);
    if (restore.anyTierHas(key) || TagFiles.matches(config.layout().layerDir(tag), tag)) {
      return;
    }
    throw new BuildForbiddenException(
        tag.kind(),
        "build required but forbidden: the "
            + tag.kind().id()
            + " layer "
            + key
            + " is in none of "
            + config.describeStores()
            + " (building dependencies is off here)");
  }

  /** A toolchain or dependencies layer: in place, restored, extended, or built in place. */
  LayerOutcome obtain(
      LayerSpec spec,
      Path dir,
      boolean mayBuild,
      Map<LayerKind, Path> dirs,
      List<String> builtOn,
      DependencyConstraints constraints)
      throws IOException, InterruptedException, BuildForbiddenException {
    return builds.obtain(spec, dir, mayBuild, dirs, builtOn, constraints);
  }

  /**
   * Runs {@code recipe}'s constraints source in a scratch directory (deleted afterwards), with the
   * layers obtained so far in {@code dirs}, and returns the recipe named after its list.
   */
  AppRecipe resolveConstraints(AppRecipe recipe, Map<LayerKind, Path> dirs)
      throws IOException, InterruptedException {
    Files.createDirectories(config.layout().tmp());
    return ConstraintsRun.resolve(config.listener(), recipe, dirs, config.layout().tmp());
  }

  /** The build layer: in place, restored, or built incrementally. */
  LayerOutcome obtainBuild(
      LayerSpec spec, Path dir, Map<LayerKind, Path> dirs, List<String> builtOn)
      throws IOException, InterruptedException {
    return builds.obtainBuild(spec, dir, dirs, builtOn);
  }

  /** Runs the install step into a fresh directory and archives it. */
  LayerOutcome buildInstall(LayerSpec spec, Map<LayerKind, Path> dirs, List<String> builtOn)
      throws IOException, InterruptedException {
    return builds.buildInstall(spec, dirs, builtOn);
  }

  /**
   * Copies an archive restored from public storage into private storage, unless mirroring is off.
   */
  void mirror(LayerOutcome outcome) throws IOException {
    publisher.mirror(outcome);
  }

  // ---- what the run learnt, and the end of the run

  /** The first corruption seen for {@code key} in this run, if any. */
  Optional<IOException> corruption(String key) {
    return ledger.corruption(key);
  }

  boolean uploadedAnything() {
    return ledger.uploadedAnything();
  }

  /** The keys this run uploaded to private storage. */
  List<String> uploadedKeys() {
    return ledger.uploadedKeys();
  }

  /** The keys this run deleted from the local cache. */
  List<String> evictedKeys() {
    return ledger.evictedKeys();
  }

  /**
   * Deletes cache entries of the app {@code label} (of every app when the engine is told to) that
   * this run did not use and that are older than {@code before}.
   */
  void cleanCache(Instant before, String label) throws IOException {
    cacheUsage.cleanCache(before, label, config.cleanCacheAcrossApps());
  }

  /** Records this run's cache use and applies the cache size cap, if one is set. */
  void recordCacheUseAndCap() throws IOException {
    cacheUsage.recordCacheUseAndCap(config.cacheMaxSize());
  }

  /** Waits for the staging trees being deleted in the background. */
  void awaitBackground() {
    builds.awaitBackground();
  }
}
