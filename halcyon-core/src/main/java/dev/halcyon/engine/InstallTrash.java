package dev.halcyon.engine;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The replaced install trees a delta restore has not deleted yet: after the swap the old tree is
 * renamed to a hidden sibling of the install directory, {@code .<name>.trash-<random>}, and left
 * there, so that the swap's run does not pay for unlinking its names. The next restore into the
 * same directory deletes it, on a thread of its own, once it has proven the installed files by
 * their fingerprints (deleting a name of a file hard-linked into the installed tree changes that
 * file's ctime, which would make its fingerprint fail) and before it takes the fingerprints of its
 * own tree; see {@link InstallRecord}. A trash tree is never installed: the installed tree is the
 * one named {@code <name>}, and a tree becomes trash only by the rename that follows the swap. A
 * tree a killed run left half-deleted is finished the same way (and {@code .<name>.old-*}, which a
 * run killed between the swap and that rename leaves, is trash too).
 *
 * <p>Holding the trash costs little disk: its files are either hard-linked into the installed tree
 * or were moved into the {@link FileCache}; only files a person or a post-install added to the
 * replaced tree, or changed in it, take space of their own until the next restore.
 *
 * <p>Confined to the run's thread, which holds the work-directory lock.
 */
final class InstallTrash {
  private final Path live;

  /** The trash of the install directory {@code installDir}. */
  InstallTrash(Path installDir) {
    this.live = installDir.toAbsolutePath().normalize();
  }

  /**
   * Renames the replaced tree {@code aside} (a sibling of the install directory) into the trash.
   */
  void take(Path aside) throws IOException {
    Path trash = live.resolveSibling("." + live.getFileName() + ".trash-" + UUID.randomUUID());
    Files.move(aside, trash, StandardCopyOption.ATOMIC_MOVE);
  }

  /** The trees waiting to be deleted. */
  List<Path> pending() throws IOException {
    Path parent = live.getParent();
    List<Path> found = new ArrayList<>();
    if (parent == null || !Files.isDirectory(parent, LinkOption.NOFOLLOW_LINKS)) {
      return found;
    }
    String name = live.getFileName().toString();
    try (DirectoryStream<Path> s =
        Files.newDirectoryStream(
            parent,
            p -> {
              String n = p.getFileName().toString();
              return n.startsWith("." + name + ".trash-") || n.startsWith("." + name + ".old-");
            })) {
      for (Path p : s) {
        found.add(p);
      }
    }
    return found;
  }

  /** Deletes every pending tree now. */
  void deleteNow() throws IOException {
    for (Path p : pending()) {
      Directories.deleteTree(p);
    }
  }

  /**
   * Starts deleting every pending tree on a daemon thread of its own; {@link Deletion#close} waits
   * for it.
   */
  Deletion startDeleting() throws IOException {
    List<Path> trees = pending();
    if (trees.isEmpty()) {
      return new Deletion(null);
    }
    Thread t =
        new Thread(
            () -> {
              for (Path p : trees) {
                try {
                  Directories.deleteTree(p);
                } catch (IOException e) {
                  // Left for the next run, which tries again.
                }
              }
            },
            "halcyon-delete-trash");
    t.setDaemon(true);
    t.start();
    return new Deletion(t);
  }

  /** A deletion in progress. */
  static final class Deletion implements AutoCloseable {
    private final Thread thread;

    private Deletion(Thread thread) {
      this.thread = thread;
    }

    /**
     * Waits for the deletion to end. An interrupt does not cut the wait short (the files' ctimes
     * must have settled before fingerprints are taken): it is restored for the caller.
     */
    @Override
    public void close() {
      if (thread == null) {
        return;
      }
      boolean interrupted = false;
      while (true) {
        try {
          thread.join();
          break;
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
