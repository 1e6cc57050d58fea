package dev.halcyon.engine;

import dev.halcyon.layer.Constraints;
import dev.halcyon.layer.LayerKind;
import dev.halcyon.layer.LayerTag;
import dev.halcyon.recipe.BuildContext;
import dev.halcyon.recipe.LayerSpec;
import dev.halcyon.recipe.PartialMatchRule;
import dev.halcyon.store.LayerStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Makes a missing dependencies layer by extending the closest stored one: picks candidates with
 * {@link PartialMatches} from private and public storage (the cache holds no manifests, as the
 * original listed only remote storage), restores the best into the layer directory, and runs the
 * layer's hook on top. A candidate that vanished (deleted by gc after it was chosen), fails its
 * digest or holds another tag than its manifest says is skipped for the next; a hook that fails on
 * top of a partial layer leaves the directory empty for a build from nothing. Either way one line
 * says so. Confined to the run's thread.
 */
final class PartialExtension {
  private final EngineConfig config;
  private final TieredRestore restore;
  private final Path sourceDir;

  PartialExtension(EngineConfig config, TieredRestore restore, Path sourceDir) {
    this.config = config;
    this.restore = restore;
    this.sourceDir = sourceDir;
  }

  /**
   * Fills {@code dir} (marked pending by the caller) with the layer {@code spec} built on top of
   * the best candidate, without its tag file; empty when no candidate served, with {@code dir} then
   * empty.
   */
  Optional<ExtendedFrom> extend(
      LayerSpec spec,
      Path dir,
      Map<LayerKind, Path> dirs,
      Constraints needed,
      PartialMatchRule rule)
      throws IOException, InterruptedException {
    LayerTag tag = spec.tag();
    EngineListener listener = config.listener();
    List<LayerStore> stores = new ArrayList<>();
    config.privateStore().ifPresent(stores::add);
    config.publicStore().ifPresent(stores::add);
    if (stores.isEmpty()) {
      return Optional.empty();
    }
    List<PartialMatches.Candidate> candidates =
        PartialMatches.find(
                stores, config.namer(), config.compression().extension(), tag, needed, rule)
            .stream()
            .filter(PartialMatches.Candidate::qualifies)
            .toList();
    if (candidates.isEmpty()) {
      listener.step(
          "no stored dependencies layer qualifies for a partial match ("
              + rule.id()
              + " rule); building from nothing");
      return Optional.empty();
    }
    for (PartialMatches.Candidate candidate : candidates) {
      Directories.deleteTree(dir);
      Optional<LayerOutcome> restored =
          restore.restoreKey(candidate.archiveKey(), tag, dir, t -> candidate.accepts(t, tag));
      if (restored.isEmpty()) {
        listener.warning(
            "the partial match "
                + candidate.archiveKey()
                + " could not be restored (gone, damaged, or not what its manifest says);"
                + " trying the next candidate");
        Directories.deleteTree(dir);
        continue;
      }
      ExtendedFrom from =
          new ExtendedFrom(candidate.archiveKey(), candidate.overlap(), needed.size());
      Files.deleteIfExists(dir.resolve(LayerTag.FILE_NAME));
      listener.step(
          "extending "
              + from
              + ": running the "
              + tag.kind().id()
              + " hook on top to add "
              + candidate.missing().size()
              + " missing");
      try {
        spec.builder().build(new BuildContext(tag, dir, sourceDir, dirs));
      } catch (IOException | RuntimeException e) {
        // The hook may have half-changed the restored layer: nothing of it is archived.
        listener.warning(
            "the "
                + tag.kind().id()
                + " hook failed on top of the partial match "
                + candidate.archiveKey()
                + " ("
                + e.getMessage()
                + "); building from nothing");
        Directories.deleteTree(dir);
        return Optional.empty();
      }
      return Optional.of(from);
    }
    return Optional.empty();
  }
}
