package dev.halcyon.engine;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.UUID;
import java.util.function.Predicate;

/** File-tree helpers the engine needs: staging siblings, swaps, deletes and copies. */
final class Directories {
  private Directories() {}

  /** A fresh, not yet existing path beside {@code target}, hidden, for staging or trash. */
  static Path sibling(Path target, String purpose) {
    Path parent = target.toAbsolutePath().getParent();
    return parent.resolve("." + target.getFileName() + ".halcyon-" + purpose + "-" + UUID.randomUUID().toString().substring(0, 8));
  }

  /**
   * Puts {@code staging} in place of {@code target}: the old target (if any) is renamed aside, the
   * staging directory renamed in, and the old one deleted. Between the two renames {@code target}
   * is briefly absent, never half-written; {@link #recover} puts an old copy back after a crash
   * in that window.
   */
  static void swap(Path staging, Path target) throws IOException {
    Files.createDirectories(target.toAbsolutePath().getParent());
    Path trash = null;
    if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
      trash = sibling(target, "old");
      move(target, trash);
    }
    try {
      move(staging, target);
    } catch (IOException e) {
      if (trash != null) {
        move(trash, target);
      }
      throw e;
    }
    if (trash != null) {
      deleteTree(trash);
    }
  }

  /**
   * After a crash between the two renames of {@link #swap}, {@code target} is missing and an old
   * copy lies beside it: put it back. Also removes stale staging directories.
   */
  static void recover(Path target) throws IOException {
    Path parent = target.toAbsolutePath().getParent();
    if (parent == null || !Files.isDirectory(parent)) {
      return;
    }
    String base = "." + target.getFileName() + ".halcyon-";
    try (var entries = Files.list(parent)) {
      for (Path p : (Iterable<Path>) entries::iterator) {
        String name = p.getFileName().toString();
        // "." + base: the extractor's own temporary directory beside a staging sibling, left when
        // a run is killed mid-extraction.
        if (!name.startsWith(base) && !name.startsWith("." + base)) {
          continue;
        }
        if (name.startsWith(base + "old-") && !Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
          move(p, target);
        } else {
          deleteTree(p);
        }
      }
    }
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      throw new IOException(
          "cannot rename " + from + " to " + to + " atomically; put both on one filesystem", e);
    }
  }

  /** Deletes a tree without following symlinks; a missing tree is fine. */
  static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    Files.walkFileTree(
        root,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
            Files.delete(file);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
            if (exc != null) {
              throw exc;
            }
            Files.delete(dir);
            return FileVisitResult.CONTINUE;
          }
        });
  }

  /**
   * Copies every file, directory and symlink of {@code from} whose relative path passes {@code
   * include} over {@code to}, replacing files that exist. Symlinks are copied as links.
   */
  static void copyOver(Path from, Path to, Predicate<String> include) throws IOException {
    Files.createDirectories(to);
    Files.walkFileTree(
        from,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs)
              throws IOException {
            String rel = relative(from, dir);
            if (!rel.isEmpty() && !include.test(rel)) {
              return FileVisitResult.SKIP_SUBTREE;
            }
            Path target = to.resolve(rel);
            if (Files.isSymbolicLink(target) || Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)) {
              Files.delete(target);
            }
            Files.createDirectories(target);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
            String rel = relative(from, file);
            if (!include.test(rel)) {
              return FileVisitResult.CONTINUE;
            }
            Path target = to.resolve(rel);
            if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
              deleteTree(target);
            }
            Files.copy(
                file,
                target,
                StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.COPY_ATTRIBUTES,
                LinkOption.NOFOLLOW_LINKS);
            return FileVisitResult.CONTINUE;
          }
        });
  }

  private static String relative(Path root, Path p) {
    return root.relativize(p).toString().replace('\\', '/');
  }
}
