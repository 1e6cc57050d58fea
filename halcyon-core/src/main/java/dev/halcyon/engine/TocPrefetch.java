package dev.halcyon.engine;

import dev.halcyon.archive.ArchiveToc;
import dev.halcyon.archive.TocFooter;
import dev.halcyon.store.LayerStore;
import dev.halcyon.store.ObjectInfo;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * The table of contents of an archive being restored in full, read and parsed on a thread of its
 * own while the archive streams and is extracted, instead of after: recording the install takes the
 * files' digests from it (see {@link DeltaRestore#snapshotAfterFullRestore}), and on a fresh
 * machine reading it afterwards was a tenth of the whole restore (a 20,000-file tree: 0.4 s of a
 * 3.1 s run). It comes from the store the archive is restored from, by ranged reads; it is used
 * only if its footer equals the footer of the archive the extraction verified in whole, so the
 * table is one whose digest that verified footer records.
 *
 * <p>Confined to the run's thread, except the reading itself; {@link #close} cancels a read still
 * running.
 */
final class TocPrefetch implements AutoCloseable {
  private final FutureTask<TocReader.Read> task;

  private TocPrefetch(FutureTask<TocReader.Read> task) {
    this.task = task;
  }

  /** Nothing read: {@link #tocMatching} is always empty. */
  static TocPrefetch none() {
    return new TocPrefetch(null);
  }

  /** Starts reading the table of contents of {@code info}, one object of {@code store}. */
  static TocPrefetch start(LayerStore store, ObjectInfo info) {
    FutureTask<TocReader.Read> task = new FutureTask<>(() -> TocReader.read(store, info));
    Thread thread = new Thread(task, "halcyon-toc");
    thread.setDaemon(true);
    thread.start();
    return new TocPrefetch(task);
  }

  /**
   * The table read, once read, if it was read whole and verified and {@code verified} (the footer
   * of the archive as the extraction read and verified it) is its footer; else empty, and the
   * caller reads the table from that archive.
   */
  Optional<ArchiveToc> tocMatching(TocFooter verified) {
    if (task == null) {
      return Optional.empty();
    }
    try {
      TocReader.Read read = task.get();
      return read.footer().equals(verified) ? Optional.of(read.toc()) : Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    } catch (ExecutionException e) {
      return Optional.empty(); // no table, a failed read: read it from the verified archive
    }
  }

  @Override
  public void close() {
    if (task != null) {
      task.cancel(true);
    }
  }

  /** The footer of {@code info} in {@code store}, or empty if it has none or it cannot be read. */
  static Optional<TocFooter> footerOf(LayerStore store, ObjectInfo info) {
    try {
      return Optional.of(TocReader.footer(store, info));
    } catch (TocReader.NoToc | IOException | RuntimeException e) {
      return Optional.empty();
    }
  }
}
