package dev.halcyon.engine;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Deletes finished staging trees on daemon threads of their own, so their many unlinks overlap the
 * upload, and a run never waits for the deletion of its own tree: what is left of it when the run
 * ends is finished by the next run, in the background, over that run's whole length. A run ends by
 * waiting only for the deletions begun before it ({@link #finish}), so at most one run's tree is
 * ever outstanding, however slow deleting is. A tree is first moved aside into a {@code .trash-}
 * directory of its own parent (one rename), so a run killed mid-deletion leaves only trash, which
 * the next run's {@link #sweep} deletes in turn.
 *
 * <p>Which trees are being deleted is kept for the whole JVM, so a later run in the same JVM never
 * deletes a tree a thread is still deleting; a deletion that finds files already gone (another
 * process's run deleting the same trash) carries on. Thread-safe.
 */
final class BackgroundDeleter {
  static final String TRASH_PREFIX = ".trash-";

  /**
   * Deletions started in this JVM and not finished, or finished with a failure not yet reported.
   */
  private static final Map<Path, Deletion> STARTED = new ConcurrentHashMap<>();

  private final EngineListener listener;
  private final Set<Path> own = ConcurrentHashMap.newKeySet();

  BackgroundDeleter(EngineListener listener) {
    this.listener = listener;
  }

  /**
   * Moves {@code dir} aside (into its own parent, which a later run sweeps if this one is killed)
   * and starts deleting it.
   */
  void delete(Path dir) throws IOException {
    Path trash = moveAside(dir);
    own.add(trash);
    start(trash);
  }

  /**
   * Starts deleting, in the background, everything below {@code root} that is not already being
   * deleted in this JVM: trash of earlier runs and staging trees of runs that were killed. The
   * caller holds the work directory's lock, so no other run is using a staging tree there.
   */
  static void sweep(Path root) throws IOException {
    if (!Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    List<Path> leftovers = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(root)) {
      entries.forEach(leftovers::add);
    }
    for (Path p : leftovers) {
      if (STARTED.containsKey(p)) {
        continue;
      }
      boolean trash = p.getFileName().toString().startsWith(TRASH_PREFIX);
      start(trash || !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) ? p : moveAside(p));
    }
  }

  /**
   * Waits for the deletions begun before this deleter's own (earlier runs' trees, in this JVM or
   * swept from the trash they left), never for its own, then reports the failed ones. An interrupt
   * does not cut the wait short: it is restored for the caller.
   */
  void finish() {
    boolean interrupted = false;
    for (Map.Entry<Path, Deletion> e : List.copyOf(STARTED.entrySet())) {
      if (own.contains(e.getKey())) {
        continue;
      }
      while (true) {
        try {
          e.getValue().thread().join();
          break;
        } catch (InterruptedException ie) {
          interrupted = true;
        }
      }
    }
    reportFailures();
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Reports, as warnings, the deletions that failed since the last report (the next sweep tries
   * them again). Never waits for the deletions still running.
   */
  void reportFailures() {
    // A copy: the deleter threads remove their own entries meanwhile.
    for (Map.Entry<Path, Deletion> e : List.copyOf(STARTED.entrySet())) {
      IOException failure = e.getValue().failure();
      if (failure != null && STARTED.remove(e.getKey(), e.getValue())) {
        listener.warning(
            "could not delete the staging directory "
                + e.getKey()
                + " ("
                + failure.getMessage()
                + "); the next run removes it");
      }
    }
  }

  /** For tests: waits for every deletion started in this JVM. */
  static void awaitAllForTests() throws InterruptedException {
    for (Deletion d : List.copyOf(STARTED.values())) {
      d.thread().join();
    }
  }

  private static Path moveAside(Path dir) throws IOException {
    Path trash = dir.resolveSibling(TRASH_PREFIX + UUID.randomUUID());
    Files.move(dir, trash, StandardCopyOption.ATOMIC_MOVE);
    return trash;
  }

  private static void start(Path trash) {
    Deletion d = new Deletion(trash);
    STARTED.put(trash, d);
    d.thread().start();
  }

  /** One tree being deleted; the thread records its failure, or removes the entry when done. */
  private static final class Deletion {
    private final Thread thread;
    private volatile IOException failure;

    Deletion(Path trash) {
      this.thread =
          new Thread(
              () -> {
                try {
                  deleteTree(trash);
                  STARTED.remove(trash, this);
                } catch (IOException | RuntimeException e) {
                  failure = e instanceof IOException io ? io : new IOException(e.toString(), e);
                }
              },
              "halcyon-delete-" + trash.getFileName());
      thread.setDaemon(true);
    }

    Thread thread() {
      return thread;
    }

    IOException failure() {
      return failure;
    }
  }

  /**
   * Deletes {@code root} and everything below it, never following symlinks, making read-only
   * directories writable first; files and directories that vanish meanwhile are taken as deleted.
   */
  static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    Files.walkFileTree(
        root,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs)
              throws IOException {
            try {
              Set<PosixFilePermission> p = Files.getPosixFilePermissions(dir);
              if (!p.contains(PosixFilePermission.OWNER_WRITE)
                  || !p.contains(PosixFilePermission.OWNER_EXECUTE)) {
                Set<PosixFilePermission> fixed = EnumSet.copyOf(p);
                fixed.add(PosixFilePermission.OWNER_WRITE);
                fixed.add(PosixFilePermission.OWNER_EXECUTE);
                fixed.add(PosixFilePermission.OWNER_READ);
                Files.setPosixFilePermissions(dir, fixed);
              }
            } catch (NoSuchFileException gone) {
              return FileVisitResult.SKIP_SUBTREE;
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            Files.deleteIfExists(file);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
            if (e instanceof NoSuchFileException) {
              return FileVisitResult.CONTINUE;
            }
            throw e;
          }

          @Override
          public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
            if (e != null && !(e instanceof NoSuchFileException)) {
              throw e;
            }
            Files.deleteIfExists(dir);
            return FileVisitResult.CONTINUE;
          }
        });
  }
}
