package dev.halcyon.store;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;

/**
 * Removes what crashed writers of a {@link DirectoryLayerStore} left behind: temporary files,
 * staged files and orphaned digest records, once they are old enough; objects are never removed.
 * Thread-safe; a live writer touches its temporary file continually, so an age the caller picks
 * generously (an hour or more) never disturbs one.
 */
final class StaleFileSweeper {
  private final DirectoryLayout layout;
  private final DigestRecords records;
  private final DirectoryStoreErrors errors;

  StaleFileSweeper(DirectoryLayout layout, DigestRecords records, DirectoryStoreErrors errors) {
    this.layout = layout;
    this.records = records;
    this.errors = errors;
  }

  /** Removes leftovers last changed more than {@code olderThan} ago; how many it removed. */
  int sweep(Duration olderThan) throws IOException {
    FileTime cutoff = FileTime.from(Instant.now().minus(olderThan));
    int[] removed = {0};
    try {
      Files.walkFileTree(
          layout.root(),
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
                throws IOException {
              if (attrs.lastModifiedTime().compareTo(cutoff) >= 0) {
                return FileVisitResult.CONTINUE;
              }
              boolean stale =
                  DirectoryLayout.isTemporary(file)
                      || layout.isStaged(file)
                      || (records.holds(file) && records.isOrphan(file));
              if (stale && Files.deleteIfExists(file)) {
                removed[0]++;
              }
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
              if (e instanceof NoSuchFileException) {
                return FileVisitResult.CONTINUE;
              }
              throw e;
            }
          });
    } catch (IOException e) {
      throw errors.failure("clean up temporary files in", "", e);
    }
    return removed[0];
  }
}
