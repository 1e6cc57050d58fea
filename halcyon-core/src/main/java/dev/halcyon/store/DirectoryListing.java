package dev.halcyon.store;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * Lists the objects of a {@link DirectoryLayerStore} under a key prefix by walking only the folders
 * that can hold matching keys, skipping the store's own files. Thread-safe; it holds no state but
 * the layout.
 */
final class DirectoryListing {

  /** The version now stored under a key, as the front reads it, errors unwrapped. */
  @FunctionalInterface
  interface Lookup {
    Optional<ObjectInfo> current(String key) throws IOException;
  }

  private final DirectoryLayout layout;
  private final DirectoryStoreErrors errors;
  private final Lookup lookup;

  DirectoryListing(DirectoryLayout layout, DirectoryStoreErrors errors, Lookup lookup) {
    this.layout = layout;
    this.errors = errors;
    this.lookup = lookup;
  }

  /** As {@link DirectoryLayerStore#list}: sorted by key, unmodifiable. */
  List<ObjectInfo> list(String prefix) throws IOException {
    int slash = prefix.lastIndexOf('/');
    String folder = slash < 0 ? "" : prefix.substring(0, slash);
    // A prefix no valid key can start with (e.g. "../", "/a", "a\\b") matches nothing.
    if (prefix.startsWith("/")
        || (!folder.isEmpty() && DirectoryLayout.keyProblem(folder) != null)) {
      return List.of();
    }
    Path root = layout.root();
    Path start = folder.isEmpty() ? root : root.resolve(folder);
    List<String> keys = new ArrayList<>();
    try {
      if (!Files.isDirectory(start)) {
        return List.of();
      }
      Files.walkFileTree(
          start,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
              if (dir.equals(start)) {
                return FileVisitResult.CONTINUE;
              }
              // Enter only folders that can hold matching keys: "a/b" enters a/b/ and a/bc/.
              String folderKey = layout.keyOf(dir) + "/";
              boolean mayMatch = folderKey.startsWith(prefix) || prefix.startsWith(folderKey);
              return mayMatch && !DirectoryLayout.isReserved(dir)
                  ? FileVisitResult.CONTINUE
                  : FileVisitResult.SKIP_SUBTREE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
              if (!attrs.isDirectory()
                  && !DirectoryLayout.isReserved(file)
                  && !DirectoryLayout.isNfsSillyRename(file)) {
                String key = layout.keyOf(file);
                if (key.startsWith(prefix)) {
                  keys.add(key);
                }
              }
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
              if (e instanceof NoSuchFileException) {
                return FileVisitResult.CONTINUE; // deleted while we walked
              }
              throw e;
            }
          });
      Collections.sort(keys);
      List<ObjectInfo> result = new ArrayList<>(keys.size());
      for (String key : keys) {
        lookup.current(key).ifPresent(result::add);
      }
      return Collections.unmodifiableList(result);
    } catch (IOException e) {
      throw errors.failure("list", prefix, e);
    }
  }
}
