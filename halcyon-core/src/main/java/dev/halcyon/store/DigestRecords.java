package dev.halcyon.store;

import dev.halcyon.layer.Digest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * The digest records of a {@link DirectoryLayerStore}: one small file per stored version, named
 * {@code <sha256 of key>.<versionId>} and holding {@code sha256:<hex> <size> <mtime> <key>}. A
 * record is written before its version becomes visible and removed only after the version has left
 * the path, which is what lets readers pair an object with its digest without locks.
 */
final class DigestRecords {
  private final DirectoryLayout layout;

  DigestRecords(DirectoryLayout layout) {
    this.layout = layout;
  }

  /** Whether {@code file} lies where records are kept (in a subfolder of the records folder). */
  boolean holds(Path file) {
    Path parent = file.getParent();
    return parent != null && layout.records().equals(parent.getParent());
  }

  void write(String key, FileVersion file, Digest digest) throws IOException {
    Path record = recordPath(key, file.versionId());
    Files.createDirectories(record.getParent());
    Path temp = DirectoryLayout.temporaryBeside(record);
    try {
      Files.write(
          temp,
          (digest + " " + file.size() + " " + file.lastModified() + " " + key + "\n")
              .getBytes(StandardCharsets.UTF_8),
          StandardOpenOption.CREATE_NEW);
      // Replacing atomically matters only when an inode number is reused: the new record must
      // never be seen half-written.
      Files.move(temp, record, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      DirectoryLayout.deleteQuietly(temp);
    }
  }

  /**
   * The recorded digest of the file {@code version} of {@code key}. The record must also agree on
   * size and modification time, so a record left for a deleted file whose inode number was reused
   * does not apply to the new file.
   */
  Optional<Digest> read(String key, FileVersion version) throws IOException {
    return parse(recordPath(key, version.versionId()))
        .filter(r -> r.describes(key, version))
        .map(DigestRecord::digest);
  }

  void delete(String key, String versionId) {
    DirectoryLayout.deleteQuietly(recordPath(key, versionId));
  }

  /** Whether {@code record} is unreadable or describes a version no longer stored. */
  boolean isOrphan(Path record) throws IOException {
    Optional<DigestRecord> parsed = parse(record);
    if (parsed.isEmpty() || DirectoryLayout.keyProblem(parsed.get().key()) != null) {
      return true;
    }
    String name = record.getFileName().toString();
    String versionId = name.substring(name.indexOf('.') + 1);
    Optional<FileVersion> current = FileVersion.stat(layout.objectPath(parsed.get().key()));
    return current.isEmpty()
        || !current.get().versionId().equals(versionId)
        || !parsed.get().describes(parsed.get().key(), current.get());
  }

  private Path recordPath(String key, String versionId) {
    String keyHash = Digest.sha256(key).hex();
    return layout.records().resolve(keyHash.substring(0, 2)).resolve(keyHash + "." + versionId);
  }

  private static Optional<DigestRecord> parse(Path record) throws IOException {
    String text;
    try {
      text = Files.readString(record, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
    // A record torn by a crash is worth nothing: treat the object as one without a digest.
    if (!text.endsWith("\n")) {
      return Optional.empty();
    }
    String[] parts = text.substring(0, text.length() - 1).split(" ", 4);
    if (parts.length != 4) {
      return Optional.empty();
    }
    try {
      return Optional.of(
          new DigestRecord(
              Digest.parse(parts[0]), Long.parseLong(parts[1]), Instant.parse(parts[2]), parts[3]));
    } catch (IllegalArgumentException | DateTimeParseException e) {
      return Optional.empty();
    }
  }

  /** The contents of a digest record. */
  private record DigestRecord(Digest digest, long size, Instant modified, String key) {
    boolean describes(String key, FileVersion file) {
      return this.key.equals(key) && size == file.size() && modified.equals(file.lastModified());
    }
  }
}
