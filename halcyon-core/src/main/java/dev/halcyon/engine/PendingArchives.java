package dev.halcyon.engine;

import dev.halcyon.layer.LayerTag;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Records which layer directories were built but not yet archived into the cache and uploaded, so
 * that a run killed or interrupted between writing a layer's tag and storing its archive does not
 * leave a directory the next run takes as done: the next run finds the record and archives the
 * directory again. The records live under the work directory ({@link
 * WorkDirLayout#archivePending}), outside the layer directories, so they are never archived.
 * Confined to the run's thread (runs sharing a work directory are serialised by its lock).
 */
final class PendingArchives {
  private final WorkDirLayout layout;

  PendingArchives(WorkDirLayout layout) {
    this.layout = layout;
  }

  /** Records, before anything in {@code dir} changes, that {@code tag}'s archive is not stored. */
  void mark(Path dir, LayerTag tag) throws IOException {
    Path record = layout.archivePending(dir);
    Files.createDirectories(record.getParent());
    // Only the file's existence counts; the text says what it is for to a person looking.
    Files.writeString(record, dir + "\n" + tag.format(), StandardCharsets.UTF_8);
  }

  /** Whether a run changed {@code dir} and stopped before its archive was stored. */
  boolean isMarked(Path dir) {
    return Files.exists(layout.archivePending(dir));
  }

  /** Records that {@code dir}'s archive is stored (or the directory holds a restored archive). */
  void clear(Path dir) throws IOException {
    Files.deleteIfExists(layout.archivePending(dir));
  }
}
