package dev.halcyon.engine;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.halcyon.layer.LayerKind;
import dev.halcyon.layer.TreeHashes;

/**
 * Hears what an {@link Engine} run does, for progress output. Every method has a no-op default;
 * implementations must return quickly and must not throw. Called from the thread running the
 * engine, except {@link #progress} (and {@link #transferred}) which may be called from transfer
 * threads. A listener is given to the engine's builder (every run) or to one run ({@link
 * Engine#install(dev.halcyon.recipe.AppRecipe, java.nio.file.Path, EngineListener)}, {@link
 * Engine#build(dev.halcyon.recipe.AppRecipe, EngineListener)}); then both hear it.
 */
public interface EngineListener {
  /** A listener that ignores everything. */
  EngineListener NONE = new EngineListener() {};

  /**
   * A line worth showing a person, e.g. "building dependencies layer with .halcyon/…".
   *
   * @param message one line, without a line break
   */
  default void step(String message) {}

  /**
   * Work on a layer kind starts.
   *
   * @param kind the kind of the layer about to be obtained
   */
  default void layerStarted(LayerKind kind) {}

  /**
   * A layer is finished: {@link LayerOutcome#source()} says where it came from, {@link
   * LayerOutcome#archiveBytes()} how big its archive is.
   *
   * @param outcome where the layer came from, its key, archive size and time taken
   */
  default void layerReady(LayerOutcome outcome) {}

  /**
   * Archiving, uploading or downloading an archive got further. The default hands downloads and
   * uploads to {@link #transferred}, so a listener written against that method keeps working.
   *
   * @param progress the phase, the archive's key (for hashing: the tree's path) and the bytes done
   *     and in all
   */
  default void progress(Progress progress) {
    if (progress.phase() == Progress.Phase.UPLOADING
        || progress.phase() == Progress.Phase.DOWNLOADING) {
      transferred(progress.key(), progress.done(), progress.total());
    }
  }

  /**
   * Bytes of an archive moved so far, {@code total} or -1 when unknown; see {@link #progress},
   * which carries the phase too.
   *
   * @param key the archive's key in the stores
   * @param bytes bytes moved so far
   * @param total the archive's size, or -1 when not known
   */
  default void transferred(String key, long bytes, long total) {}

  /**
   * A warning that does not stop the run (e.g. a restored tag did not match).
   *
   * @param message one line, without a line break
   */
  default void warning(String message) {}

  /**
   * A {@link TreeHashes.Listener} that reports to this listener's {@link #progress} as {@link
   * Progress.Phase#HASHING} events keyed by {@code tree}: hand it to {@link
   * dev.halcyon.recipe.RecipeBuilder#hashListener} (or {@link TreeHashes#hash(java.nio.file.Path,
   * dev.halcyon.layer.IgnoreRules, TreeHashes.Listener)}) to see a large source tree being hashed.
   *
   * @param tree the tree's path as the events should name it, e.g. {@code sourceDir.toString()}
   * @return a hash listener that turns files and bytes into {@link Progress.Phase#HASHING} events;
   *     the file count is not passed on
   */
  default TreeHashes.Listener hashing(String tree) {
    checkNotNull(tree, "tree");
    EngineListener self = this;
    return new TreeHashes.Listener() {
      @Override
      public void hashed(long files, long bytes) {
        self.progress(new Progress(Progress.Phase.HASHING, tree, bytes, -1));
      }

      @Override
      public void finished(long files, long bytes) {
        self.progress(new Progress(Progress.Phase.HASHING, tree, bytes, bytes));
      }
    };
  }

  /**
   * A listener that tells {@code first}, then {@code second}, everything.
   *
   * @param first told first; {@link #NONE} is skipped
   * @param second told second; {@link #NONE} is skipped
   * @return a listener calling both, or the other one when either is {@link #NONE}
   */
  static EngineListener both(EngineListener first, EngineListener second) {
    checkNotNull(first, "first");
    checkNotNull(second, "second");
    if (first == NONE) {
      return second;
    }
    if (second == NONE) {
      return first;
    }
    return new EngineListener() {
      @Override
      public void step(String message) {
        first.step(message);
        second.step(message);
      }

      @Override
      public void layerStarted(LayerKind kind) {
        first.layerStarted(kind);
        second.layerStarted(kind);
      }

      @Override
      public void layerReady(LayerOutcome outcome) {
        first.layerReady(outcome);
        second.layerReady(outcome);
      }

      @Override
      public void progress(Progress progress) {
        first.progress(progress);
        second.progress(progress);
      }

      @Override
      public void transferred(String key, long bytes, long total) {
        first.transferred(key, bytes, total);
        second.transferred(key, bytes, total);
      }

      @Override
      public void warning(String message) {
        first.warning(message);
        second.warning(message);
      }
    };
  }
}
