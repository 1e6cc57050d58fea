package dev.halcyon.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Deletes finished staging trees on daemon threads of their own, so their many unlinks overlap the
 * upload instead of preceding the end of the run. The run calls {@link #awaitAll} before it lets go
 * of the work directory. Used from the run's thread only.
 *
 * <p>Why the run waits rather than leave the rest to the next run: tried (the next run sweeping the
 * trash in the background, waiting only for earlier runs' trees), the whole {@code halcyon build}
 * of a 338 MB tree of real jars got slower, 11.3 s against 8.5 s (bench/run upload, two
 * repetitions, load 9, 2 cores): the carried-over unlinks then run under the next run's archiving
 * and linking, which need the CPU and the inode allocator, instead of under the upload, which does
 * not; and since deleting is bounded by its own throughput, the wait moves between runs rather than
 * going away.
 */
final class BackgroundDeleter {
  private final EngineListener listener;
  private final Map<Path, Deletion> started = new LinkedHashMap<>();

  BackgroundDeleter(EngineListener listener) {
    this.listener = listener;
  }

  /**
   * Moves {@code dir} aside (into its own parent, which the next run empties if this one is killed)
   * and starts deleting it.
   */
  void delete(Path dir) throws IOException {
    Path trash = dir.resolveSibling(".trash-" + UUID.randomUUID());
    Files.move(dir, trash, StandardCopyOption.ATOMIC_MOVE);
    IOException[] failure = new IOException[1];
    Thread deleter =
        new Thread(
            () -> {
              try {
                Directories.deleteTree(trash);
              } catch (IOException e) {
                failure[0] = e;
              }
            },
            "halcyon-delete-" + dir.getFileName());
    deleter.setDaemon(true);
    started.put(dir, new Deletion(trash, deleter, failure));
    deleter.start();
  }

  /** Whether {@code dir} was handed to {@link #delete} (and so is no longer the caller's). */
  boolean took(Path dir) {
    return started.containsKey(dir);
  }

  @SuppressWarnings("ArrayRecordComponent") // a private carrier, never compared or hashed
  private record Deletion(Path trash, Thread thread, IOException[] failure) {}

  /**
   * Waits for the deletions started (before the run lets go of the work directory, so the next run
   * never deletes the same tree at the same time). A deletion that failed only leaves a tree the
   * next run removes; it is reported as a warning. An interrupt does not cut the wait short: it is
   * restored for the caller.
   */
  void awaitAll() {
    boolean interrupted = false;
    for (Deletion d : started.values()) {
      while (true) {
        try {
          d.thread().join();
          break;
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      // join() makes the thread's write of the failure visible here.
      if (d.failure()[0] != null) {
        listener.warning(
            "could not delete the staging directory "
                + d.trash()
                + " ("
                + d.failure()[0].getMessage()
                + "); the next run removes it");
      }
    }
    started.clear();
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
