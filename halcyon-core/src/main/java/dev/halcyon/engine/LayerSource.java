package dev.halcyon.engine;

/** Where a layer came from in one run, in the order they are tried. */
public enum LayerSource {
  /** The directory already in place had the right tag. */
  EXISTING,
  /** Restored from the local cache. */
  CACHE,
  /** Restored from private storage (the shared bucket). */
  PRIVATE,
  /** Restored from public storage (a read-only HTTP mirror). */
  PUBLIC,
  /**
   * Restored from private or public storage by a delta restore: the files the machine already had
   * were reused, the others fetched by ranged reads ({@link LayerOutcome#delta}).
   */
  DELTA,
  /** Built by its hook (and archived, and uploaded unless uploads are off). */
  BUILT,
  /**
   * A dependencies layer built by restoring the closest stored one and running its hook on top
   * ({@link LayerOutcome#extendedFrom()} says which); archived and uploaded like {@link #BUILT}.
   */
  EXTENDED
}
