package dev.halcyon.store;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * What one {@code stat} of a path says: the inode, size, modification time and type of the file
 * there. Filesystems without inode numbers (Windows) give {@code "x"} as the inode.
 */
record FileVersion(String inode, long size, Instant lastModified, boolean regularFile) {
  private static final boolean UNIX_ATTRIBUTES =
      FileSystems.getDefault().supportedFileAttributeViews().contains("unix");

  /** One {@code stat} of {@code path}; empty if nothing is there. */
  static Optional<FileVersion> stat(Path path) throws IOException {
    try {
      if (UNIX_ATTRIBUTES) {
        Map<String, Object> a =
            Files.readAttributes(path, "unix:ino,size,lastModifiedTime,isRegularFile");
        return Optional.of(
            new FileVersion(
                "i" + a.get("ino"),
                (Long) a.get("size"),
                ((FileTime) a.get("lastModifiedTime")).toInstant(),
                (Boolean) a.get("isRegularFile")));
      }
      BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class);
      Instant modified = a.lastModifiedTime().toInstant();
      return Optional.of(new FileVersion("x", a.size(), modified, a.isRegularFile()));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (FileSystemException e) {
      // ENOTDIR: a parent "folder" is a file, so nothing can be stored at this path.
      if (!(e instanceof AccessDeniedException) && hasFileAncestor(path)) {
        return Optional.empty();
      }
      throw e;
    }
  }

  private static boolean hasFileAncestor(Path path) {
    for (Path p = path.getParent(); p != null; p = p.getParent()) {
      if (Files.exists(p)) {
        return !Files.isDirectory(p);
      }
    }
    return false;
  }

  /**
   * Names this very version of a file: inode numbers are reused as soon as a file is deleted, so
   * the modification time and size are part of the name. Renaming or linking changes none of it.
   */
  String versionId() {
    return inode + "-" + lastModified.getEpochSecond() + "." + lastModified.getNano() + "-" + size;
  }

  boolean sameVersion(FileVersion other) {
    return versionId().equals(other.versionId());
  }
}
