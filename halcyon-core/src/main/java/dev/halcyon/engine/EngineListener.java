package dev.halcyon.engine;

import dev.halcyon.layer.LayerKind;

/**
 * Hears what an {@link Engine} run does, for progress output. Every method has a no-op default;
 * implementations must return quickly and must not throw. Called from the thread running the
 * engine, except {@link #transferred} which may be called from transfer threads.
 */
public interface EngineListener {
  /** A listener that ignores everything. */
  EngineListener NONE = new EngineListener() {};

  /** A line worth showing a person, e.g. "building dependencies layer with .halcyon/…". */
  default void step(String message) {}

  /** Work on a layer kind starts. */
  default void layerStarted(LayerKind kind) {}

  /** A layer is ready. */
  default void layerReady(LayerOutcome outcome) {}

  /** Bytes of an archive moved so far, {@code total} or -1 when unknown. */
  default void transferred(String key, long bytes, long total) {}

  /** A warning that does not stop the run (e.g. a restored tag did not match). */
  default void warning(String message) {}
}
