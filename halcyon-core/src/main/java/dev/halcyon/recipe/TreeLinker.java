package dev.halcyon.recipe;

import dev.halcyon.layer.LayerTag;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Fills an empty directory with hard links to the files of an existing tree, so an install layer
 * that is already on disk (the build's output) is not copied byte by byte. Directories are created
 * and symbolic links recreated (same target); a file that cannot be linked (another file system,
 * {@code fs.protected_hardlinks}) is copied instead. The archive is the same either way: the tar
 * writer reads contents, names and the executable bit, never inode numbers or link counts.
 *
 * <p>The linked files share their inodes with the tree: whoever writes into the filled directory in
 * place writes into the tree. The engine writes only the layer's tag file there, so a tag file at
 * the tree's top is left out (the engine writes its own). Not thread-safe; one call per directory.
 */
final class TreeLinker {
  private TreeLinker() {}

  /** What {@link #link} did: files linked and files copied. */
  record Result(long linked, long copied) {}

  /**
   * Links the tree {@code from} into the existing, empty directory {@code to}.
   *
   * @throws IOException if {@code from} holds something other than files, directories and symbolic
   *     links, or a file can be neither linked nor copied
   */
  static Result link(Path from, Path to) throws IOException {
    Path root = from.toRealPath();
    boolean sameStore = Files.getFileStore(root).equals(Files.getFileStore(to));
    long[] counts = new long[2];
    Files.walkFileTree(
        root,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs)
              throws IOException {
            if (!dir.equals(root)) {
              Files.createDirectory(target(dir));
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            Path target = target(file);
            if (attrs.isSymbolicLink()) {
              Files.createSymbolicLink(target, Files.readSymbolicLink(file));
            } else if (attrs.isRegularFile()) {
              if (file.getParent().equals(root)
                  && file.getFileName().toString().equals(LayerTag.FILE_NAME)) {
                return FileVisitResult.CONTINUE;
              }
              if (sameStore && tryLink(target, file)) {
                counts[0]++;
              } else {
                Files.copy(
                    file, target, StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
                counts[1]++;
              }
            } else {
              throw new IOException(
                  "cannot install "
                      + file
                      + ": it is neither a file, a directory nor a symbolic link; remove it from "
                      + root);
            }
            return FileVisitResult.CONTINUE;
          }

          private boolean tryLink(Path target, Path file) throws IOException {
            try {
              Files.createLink(target, file);
              return true;
            } catch (FileSystemException e) {
              if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                throw e;
              }
              // Not permitted for this file (protected_hardlinks: someone else's file), or the
              // tree spans file systems: copy this one and keep trying the next.
              return false;
            }
          }

          private Path target(Path p) {
            return to.resolve(root.relativize(p).toString());
          }
        });
    return new Result(counts[0], counts[1]);
  }
}
