package dev.halcyon.engine;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

/**
 * How far one piece of a run's work on an archive has got, for {@link
 * EngineListener#progress(Progress)}.
 *
 * <p>Downloads report as the bytes stream in; archiving reports when it starts ({@code done} 0),
 * every few megabytes of archive written (with {@code total} -1: the archive's size is known only
 * at its end) and when it ends ({@code done == total}); uploading reports when it starts ({@code
 * done} 0), every few megabytes the store reports sent ({@link
 * dev.halcyon.store.LayerStore#put(String, java.nio.file.Path, dev.halcyon.layer.Digest,
 * dev.halcyon.store.PutMode, java.util.function.LongConsumer)}; a store that reports nothing in
 * between shows only the ends) and when it ends ({@code done == total}).
 *
 * @param phase what is being done
 * @param key the archive's key in the stores
 * @param done bytes done so far
 * @param total the bytes there are in all, or -1 when not known yet (an archive being written)
 */
public record Progress(Phase phase, String key, long done, long total) {
  /** What a {@link Progress} event measures. */
  public enum Phase {
    /**
     * Hashing a tree to name a layer ({@code key} is the tree's path, bytes of file content read;
     * {@code total} is -1 until the last event, which has {@code done == total}).
     */
    HASHING,
    /** Writing a layer directory into an archive (bytes of archive written). */
    ARCHIVING,
    /** Uploading an archive to private storage (bytes the store reports sent, of the archive). */
    UPLOADING,
    /** Downloading (or reading from the cache) an archive being restored. */
    DOWNLOADING
  }

  /**
   * Checks the counts.
   *
   * @param phase what is being done
   * @param key the archive's key (for {@link Phase#HASHING}, the tree's path)
   * @param done bytes done so far, not negative
   * @param total the bytes in all, or -1 when not known yet
   * @throws IllegalArgumentException if {@code done} is negative or {@code total} is below -1
   */
  public Progress {
    checkNotNull(phase, "phase");
    checkNotNull(key, "key");
    checkArgument(done >= 0, "done must not be negative, got %s", done);
    checkArgument(total >= -1, "total must be -1 (unknown) or a size, got %s", total);
  }

  /**
   * Whether this phase is finished: {@code done} reached a known {@code total}.
   *
   * @return true once {@code total} is known and {@code done} has reached it
   */
  public boolean finished() {
    return total >= 0 && done >= total;
  }
}
