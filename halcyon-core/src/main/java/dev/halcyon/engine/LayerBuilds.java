package dev.halcyon.engine;

import dev.halcyon.archive.ArchiveSummary;
import dev.halcyon.layer.IgnoreRules;
import dev.halcyon.layer.LayerKind;
import dev.halcyon.layer.LayerTag;
import dev.halcyon.recipe.BuildContext;
import dev.halcyon.recipe.DependencyConstraints;
import dev.halcyon.recipe.LayerSpec;
import dev.halcyon.store.PutMode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Obtains each layer a run needs: the directory in place when its tag is current, else a restored
 * archive, else a build (incremental for the build layer) that is archived and published. Owns the
 * {@link BackgroundDeleter} of the install layer's staging trees; the run calls {@link
 * #awaitBackground} before it lets go of the work directory. Confined to the run's thread.
 */
final class LayerBuilds {
  private final EngineConfig config;
  private final RunLedger ledger;
  private final TieredRestore restore;
  private final ArchivePublisher publisher;
  private final Path sourceDir;
  private final IgnoreRules sourceIgnore;
  private final BackgroundDeleter deleter;
  private final PendingArchives pending;
  private final PartialExtension partial;

  LayerBuilds(
      EngineConfig config,
      RunLedger ledger,
      TieredRestore restore,
      ArchivePublisher publisher,
      Path sourceDir,
      IgnoreRules sourceIgnore) {
    this.config = config;
    this.sourceIgnore = sourceIgnore;
    this.ledger = ledger;
    this.restore = restore;
    this.publisher = publisher;
    this.sourceDir = sourceDir;
    this.deleter = new BackgroundDeleter(config.listener());
    this.pending = new PendingArchives(config.layout());
    this.partial = new PartialExtension(config, restore, sourceDir);
  }

  /**
   * A toolchain or dependencies layer: in place, restored, extended from the closest stored one
   * (when {@code constraints} has the list), or built in place.
   */
  LayerOutcome obtain(
      LayerSpec spec,
      Path dir,
      boolean mayBuild,
      Map<LayerKind, Path> dirs,
      List<String> builtOn,
      DependencyConstraints constraints)
      throws IOException, InterruptedException, BuildForbiddenException {
    LayerTag tag = spec.tag();
    String key = config.key(tag);
    EngineListener listener = config.listener();
    listener.layerStarted(tag.kind());
    Directories.recover(dir);
    if (TagFiles.matches(dir, tag)) {
      return inPlace(dir, tag, PutMode.IF_ABSENT, builtOn);
    }
    Optional<LayerOutcome> restored = restore.restoreExact(tag, dir);
    if (restored.isPresent()) {
      pending.clear(dir);
      publisher.ensureUploaded(restored.get());
      return restored.get();
    }
    if (!mayBuild) {
      throw new BuildForbiddenException(
          tag.kind(),
          "build required but forbidden: no "
              + tag.kind().id()
              + " archive "
              + key
              + " in "
              + config.describeStores());
    }
    Instant t0 = config.clock().instant();
    pending.mark(dir, tag);
    Directories.deleteTree(dir);
    ArchivePublisher.ManifestExtras extras =
        new ArchivePublisher.ManifestExtras(constraints.declared(), Optional.empty());
    if (constraints.declared().isPresent() && tag.kind() == LayerKind.DEPENDENCIES) {
      Optional<ExtendedFrom> from =
          partial.extend(spec, dir, dirs, constraints.declared().get(), constraints.rule());
      if (from.isPresent()) {
        TagFiles.write(dir, tag);
        ArchiveSummary summary =
            publisher.archiveAndStore(
                dir,
                tag,
                PutMode.IF_ABSENT,
                builtOn,
                new ArchivePublisher.ManifestExtras(
                    constraints.declared(), Optional.of(from.get().key())));
        pending.clear(dir);
        return new LayerOutcome(
            tag,
            LayerSource.EXTENDED,
            key,
            summary.size(),
            Duration.between(t0, config.clock().instant()),
            Optional.empty(),
            from);
      }
    }
    Files.createDirectories(dir);
    listener.step("building " + tag.kind().id() + " layer " + key);
    spec.builder().build(new BuildContext(tag, dir, sourceDir, dirs));
    TagFiles.write(dir, tag);
    ArchiveSummary summary =
        publisher.archiveAndStore(dir, tag, PutMode.IF_ABSENT, builtOn, extras);
    pending.clear(dir);
    return built(tag, summary, t0);
  }

  /**
   * The build layer: in place if current; restored if an archive for exactly this source exists;
   * else built incrementally over the previous build of the same label (in place or restored).
   */
  LayerOutcome obtainBuild(
      LayerSpec spec, Path dir, Map<LayerKind, Path> dirs, List<String> builtOn)
      throws IOException, InterruptedException {
    LayerTag tag = spec.tag();
    EngineListener listener = config.listener();
    listener.layerStarted(LayerKind.BUILD);
    Directories.recover(dir);
    if (TagFiles.matches(dir, tag)) {
      return inPlace(dir, tag, PutMode.OVERWRITE, builtOn);
    }
    Instant t0 = config.clock().instant();
    Predicate<LayerTag> sameLabel =
        t ->
            t.kind() == LayerKind.BUILD
                && t.label().equals(tag.label())
                && t.toolchain().equals(tag.toolchain());
    boolean previousInPlace = TagFiles.read(dir).filter(sameLabel).isPresent();
    if (!previousInPlace) {
      Optional<LayerOutcome> restored = restore.restore(tag, dir, sameLabel);
      if (restored.isPresent() && restored.get().tag().equals(tag)) {
        pending.clear(dir);
        publisher.ensureUploaded(restored.get());
        return restored.get();
      }
      if (restored.isPresent()) {
        listener.step("building incrementally over the previous build of " + tag.label());
      }
    } else {
      listener.step("building incrementally in " + dir);
    }
    pending.mark(dir, tag);
    Files.createDirectories(dir);
    Files.deleteIfExists(dir.resolve(LayerTag.FILE_NAME));
    Directories.copyOver(sourceDir, dir, sourceIgnore.asFilter());
    listener.step("building " + tag.label());
    spec.builder().build(new BuildContext(tag, dir, sourceDir, dirs));
    return archive(dir, tag, PutMode.OVERWRITE, builtOn, t0);
  }

  /**
   * A directory whose tag matches: done, unless a run built it and stopped (killed or interrupted)
   * before its archive was stored and uploaded; then it is archived now.
   */
  private LayerOutcome inPlace(Path dir, LayerTag tag, PutMode mode, List<String> builtOn)
      throws IOException {
    String key = config.key(tag);
    if (!pending.isMarked(dir)) {
      ledger.used(key);
      return new LayerOutcome(tag, LayerSource.EXISTING, key, 0, Duration.ZERO);
    }
    config
        .listener()
        .step("the run that built " + key + " stopped before storing its archive: archiving it");
    return archive(dir, tag, mode, builtOn, config.clock().instant());
  }

  /**
   * Tags the built {@code dir}, archives it into the cache and private storage, and only then
   * clears its pending record: a run stopped anywhere before leaves the record for the next run.
   */
  private LayerOutcome archive(
      Path dir, LayerTag tag, PutMode mode, List<String> builtOn, Instant t0) throws IOException {
    TagFiles.write(dir, tag);
    ArchiveSummary summary = publisher.archiveAndStore(dir, tag, mode, builtOn);
    pending.clear(dir);
    return built(tag, summary, t0);
  }

  /** Runs the install step into a fresh staging directory and archives it. */
  LayerOutcome buildInstall(LayerSpec spec, Map<LayerKind, Path> dirs, List<String> builtOn)
      throws IOException, InterruptedException {
    LayerTag tag = spec.tag();
    String key = config.key(tag);
    Instant t0 = config.clock().instant();
    Path stage = config.layout().newInstallStage(tag.label());
    Files.createDirectories(stage);
    boolean handedOver = false;
    try {
      config.listener().step("preparing install layer " + key);
      spec.builder().build(new BuildContext(tag, stage, sourceDir, dirs));
      TagFiles.write(stage, tag);
      ArchiveSummary summary =
          publisher.archiveAndStore(
              stage,
              tag,
              ledger.isCorrupt(key) ? PutMode.OVERWRITE : PutMode.IF_ABSENT,
              builtOn,
              () -> deleter.delete(stage));
      handedOver = true;
      return built(tag, summary, t0);
    } finally {
      if (!handedOver && !deleter.took(stage)) {
        Directories.deleteTree(stage);
      }
    }
  }

  /** Waits for the staging trees being deleted in the background; see {@link BackgroundDeleter}. */
  void awaitBackground() {
    deleter.awaitAll();
  }

  private LayerOutcome built(LayerTag tag, ArchiveSummary summary, Instant t0) {
    return new LayerOutcome(
        tag,
        LayerSource.BUILT,
        config.key(tag),
        summary.size(),
        Duration.between(t0, config.clock().instant()));
  }
}
