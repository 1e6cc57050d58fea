package dev.halcyon.engine;

import dev.halcyon.archive.Archives;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.function.Predicate;

/** File-tree helpers the engine needs: crash recovery, deletes and copies. */
final class Directories {
  private Directories() {}

  /**
   * Repairs what a killed run left beside {@code target}: if the target is missing while an old
   * copy moved aside by {@link Archives#extract} lies beside it, puts it back; removes unfinished
   * extractions.
   */
  static void recover(Path target) throws IOException {
    Path parent = target.toAbsolutePath().getParent();
    if (parent == null || !Files.isDirectory(parent)) {
      return;
    }
    String old = "." + target.getFileName() + ".old-";
    String extracting = "." + target.getFileName() + ".extract-";
    try (var entries = Files.list(parent)) {
      for (Path p : (Iterable<Path>) entries::iterator) {
        String name = p.getFileName().toString();
        if (name.startsWith(old) && !Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
          Files.move(p, target, StandardCopyOption.ATOMIC_MOVE);
        } else if (name.startsWith(old) || name.startsWith(extracting)) {
          deleteTree(p);
        }
      }
    }
  }

  /** Deletes a tree without following symlinks; a missing tree is fine. */
  static void deleteTree(Path root) throws IOException {
    Archives.deleteTree(root);
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
            if (Files.isSymbolicLink(target)
                || Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)) {
              Files.delete(target);
            }
            Files.createDirectories(target);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
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
