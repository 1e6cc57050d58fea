package dev.halcyon.engine;

import java.util.function.LongConsumer;

/**
 * The {@code sent} callback of one upload ({@link dev.halcyon.store.LayerStore#put(String,
 * java.nio.file.Path, dev.halcyon.layer.Digest, dev.halcyon.store.PutMode, LongConsumer)}), turned
 * into {@link Progress.Phase#UPLOADING} events: one when the upload starts ({@code done} 0), one
 * every {@link ProgressOutputStream#STEP} bytes sent, as archiving reports, and one when it ends
 * ({@code done == total}), however the store reported. The store calls it one call at a time, maybe
 * from its own threads; the listener must not block (its contract). An upload that overlaps the
 * archiving starts with {@code total} -1 (the archive's size is known only at its end) and reports
 * the size in {@link #finished(long)}.
 */
final class UploadProgress implements LongConsumer {
  private final EngineListener listener;
  private final String key;
  private final long total;
  // Written by whichever store thread calls; the store's calls happen-before one another.
  private long next = ProgressOutputStream.STEP;
  private long done;

  /** Reports the start at once; {@code total} is -1 while the archive is still being written. */
  UploadProgress(EngineListener listener, String key, long total) {
    this.listener = listener;
    this.key = key;
    this.total = total;
    listener.progress(new Progress(Progress.Phase.UPLOADING, key, 0, total));
  }

  @Override
  public void accept(long sent) {
    if (sent > done) {
      done = total < 0 ? sent : Math.min(sent, total);
    }
    if (done >= next && (total < 0 || done < total)) {
      next = done + ProgressOutputStream.STEP;
      listener.progress(new Progress(Progress.Phase.UPLOADING, key, done, total));
    }
  }

  /** Reports the end, {@code done == total}; call once the store's put has returned. */
  void finished() {
    finished(total);
  }

  /** Reports the end of an upload of {@code size} bytes; call once the store's put has returned. */
  void finished(long size) {
    listener.progress(new Progress(Progress.Phase.UPLOADING, key, size, size));
  }
}
