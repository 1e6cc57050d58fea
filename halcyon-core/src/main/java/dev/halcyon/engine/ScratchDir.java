package dev.halcyon.engine;

import dev.halcyon.store.DirectoryLayerStore;
import dev.halcyon.store.LayerStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

/**
 * Where one run writes downloads and new archives before the cache takes them: the work directory's
 * {@code tmp}, unless the cache is a folder on another file system, where the cache's staging
 * folder lets it rename them into place rather than copy them. Chosen once, on first use. Confined
 * to the run's thread.
 */
final class ScratchDir {
  private final WorkDirLayout layout;
  private final LayerStore cache;
  private Path dir;

  ScratchDir(WorkDirLayout layout, LayerStore cache) {
    this.layout = layout;
    this.cache = cache;
  }

  /** A new file name for the archive {@code key}; the caller deletes the file. */
  Path newFile(String key) throws IOException {
    String name = key.substring(key.lastIndexOf('/') + 1);
    return dir().resolve(UUID.randomUUID().toString().substring(0, 8) + "-" + name);
  }

  private Path dir() throws IOException {
    if (dir == null) {
      Path tmp = layout.tmp();
      Files.createDirectories(tmp);
      if (cache instanceof DirectoryLayerStore folder) {
        Path staging = folder.stagingFolder();
        if (!Files.getFileStore(tmp).equals(Files.getFileStore(staging))) {
          tmp = staging;
        }
      }
      dir = tmp;
    }
    return dir;
  }

  static void deleteQuietly(Path file) {
    if (file != null) {
      try {
        Files.deleteIfExists(file);
      } catch (IOException ignored) {
        // a leftover temp file is removed with the tmp folder later
      }
    }
  }
}
