package dev.halcyon.engine;

import dev.halcyon.store.GrowingFile;
import dev.halcyon.store.LayerStore;
import dev.halcyon.store.PutMode;
import dev.halcyon.store.PutResult;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * One archive's upload to private storage running on its own thread while the run's thread is still
 * writing the archive ({@link LayerStore#putWhileWriting}). The run's thread reports the final
 * bytes through {@link #file()}, then either {@link #await}s the upload or {@link #abandon}s it.
 * Confined to the run's thread, except the upload itself and its progress events.
 */
final class OverlappedUpload {
  private final GrowingFile file;
  private final UploadProgress progress;
  private final FutureTask<PutResult> task;

  private OverlappedUpload(
      LayerStore store, String key, Path path, PutMode mode, EngineListener listener) {
    this.file = new GrowingFile(path);
    this.progress = new UploadProgress(listener, key, -1);
    this.task = new FutureTask<>(() -> store.putWhileWriting(key, file, mode, progress));
  }

  /** Starts uploading {@code path}, which the caller is about to write, to {@code key}. */
  static OverlappedUpload start(
      LayerStore store, String key, Path path, PutMode mode, EngineListener listener) {
    OverlappedUpload upload = new OverlappedUpload(store, key, path, mode, listener);
    Thread thread = new Thread(upload.task, "halcyon-upload");
    thread.setDaemon(true);
    thread.start();
    return upload;
  }

  /** The file being written, for the writer's reports. */
  GrowingFile file() {
    return file;
  }

  /**
   * Waits for the upload, which the writer has {@link GrowingFile#finish}ed, and reports its end
   * ({@code size} bytes).
   */
  PutResult await(long size) throws IOException {
    PutResult result = join();
    progress.finished(size);
    return result;
  }

  /**
   * The writer gave up with {@code cause}: the upload fails, removing what it sent; waits for it
   * and adds its failure to {@code cause} if it says more.
   */
  void abandon(Throwable cause) {
    file.fail(cause);
    try {
      join();
    } catch (IOException | RuntimeException e) {
      if (!causedBy(e, cause)) {
        cause.addSuppressed(e);
      }
    }
  }

  /** Whether {@code e} only repeats {@code cause} (the store failing because the writer did). */
  private static boolean causedBy(Throwable e, Throwable cause) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t == cause) {
        return true;
      }
    }
    return false;
  }

  private PutResult join() throws IOException {
    try {
      return task.get();
    } catch (InterruptedException e) {
      file.fail(e);
      task.cancel(true);
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while uploading " + file.path());
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof IOException io) {
        throw io;
      }
      if (cause instanceof UncheckedIOException io) {
        throw io.getCause();
      }
      if (cause instanceof RuntimeException r) {
        throw r;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw new IOException("the upload of " + file.path() + " failed: " + cause, cause);
    }
  }
}
