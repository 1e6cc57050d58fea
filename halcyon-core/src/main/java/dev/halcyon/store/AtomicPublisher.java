package dev.halcyon.store;

import dev.halcyon.layer.Digest;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * Makes a finished temporary file the object under a key of a {@link DirectoryLayerStore} with one
 * atomic call: {@code rename} for {@link PutMode#OVERWRITE}, a hard link (which fails if the key
 * exists) for {@link PutMode#IF_ABSENT}, after writing the digest record for the file's own
 * version. Thread-safe; the only state is whether hard links work here.
 */
final class AtomicPublisher {
  /** How often a key may be created and deleted under an IF_ABSENT writer before it gives up. */
  private static final int ATTEMPTS = 5;

  /** Fills a temporary file that does not exist yet. */
  @FunctionalInterface
  interface TempWriter {
    /** Creates and fills {@code temp}; false if it declined, leaving nothing there. */
    boolean writeTo(Path temp) throws IOException;
  }

  /** What is stored under a key now, as {@link LayerStore#head} says. */
  @FunctionalInterface
  interface Lookup {
    Optional<ObjectInfo> head(String key) throws IOException;
  }

  private final DirectoryLayout layout;
  private final DigestRecords records;
  private final DirectoryStoreErrors errors;
  private final Lookup lookup;
  private volatile boolean hardLinks;

  AtomicPublisher(
      DirectoryLayout layout,
      DigestRecords records,
      DirectoryStoreErrors errors,
      Lookup lookup,
      boolean hardLinks) {
    this.layout = layout;
    this.records = records;
    this.errors = errors;
    this.lookup = lookup;
    this.hardLinks = hardLinks;
  }

  /**
   * Makes the folders of {@code key}, lets {@code writer} fill a fresh temporary file beside its
   * path, and publishes that file with {@code digest}; the temporary file is gone when this
   * returns, whatever happens. Empty if the writer declined.
   */
  Optional<PutResult> publishNew(String key, Digest digest, PutMode mode, TempWriter writer)
      throws IOException {
    Path target = layout.objectPath(key);
    Path temp = null;
    try {
      createParents(key, target.getParent());
      temp = DirectoryLayout.temporaryBeside(target);
      if (!writer.writeTo(temp)) {
        return Optional.empty();
      }
      return Optional.of(publish(key, target, temp, digest, mode));
    } finally {
      if (temp != null) {
        DirectoryLayout.deleteQuietly(temp);
      }
    }
  }

  /**
   * Records the digest of the finished temporary file {@code temp} (beside {@code target}) and
   * publishes it under {@code key}.
   */
  private PutResult publish(String key, Path target, Path temp, Digest digest, PutMode mode)
      throws IOException {
    FileVersion written =
        FileVersion.stat(temp).orElseThrow(() -> DirectoryStoreErrors.vanished(temp));
    String versionId = written.versionId();
    records.write(key, written, digest);
    ObjectInfo info =
        new ObjectInfo(key, written.size(), Optional.of(digest), written.lastModified());
    if (mode == PutMode.OVERWRITE) {
      return overwrite(key, target, temp, versionId, info);
    }
    return createIfAbsent(key, target, temp, versionId, info);
  }

  private PutResult overwrite(String key, Path target, Path temp, String versionId, ObjectInfo info)
      throws IOException {
    refuseFolder(key, target);
    Optional<FileVersion> replaced = FileVersion.stat(target);
    Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
    // The version we replaced is unreachable now; drop its record unless (through inode reuse) it
    // is somehow current again. Any record missed here is swept by removeStaleTemporaryFiles.
    if (replaced.isPresent() && !replaced.get().versionId().equals(versionId)) {
      String old = replaced.get().versionId();
      Optional<FileVersion> now = FileVersion.stat(target);
      if (now.isEmpty() || !now.get().versionId().equals(old)) {
        records.delete(key, old);
      }
    }
    return new PutResult(info, true);
  }

  private PutResult createIfAbsent(
      String key, Path target, Path temp, String versionId, ObjectInfo info) throws IOException {
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      if (publishIfAbsent(target, temp)) {
        return new PutResult(info, true);
      }
      Optional<ObjectInfo> existing = lookup.head(key);
      if (existing.isPresent()) {
        records.delete(key, versionId);
        return new PutResult(existing.get(), false);
      }
      refuseFolder(key, target);
      // The existing object was deleted between our attempt and the look-up: try again.
    }
    records.delete(key, versionId);
    throw errors.createdAndDeleted(key, ATTEMPTS);
  }

  /** Publishes {@code temp} as {@code target} if nothing is there; false if something is. */
  private boolean publishIfAbsent(Path target, Path temp) throws IOException {
    if (hardLinks) {
      try {
        Files.createLink(target, temp);
        return true;
      } catch (FileAlreadyExistsException e) {
        return false;
      } catch (UnsupportedOperationException e) {
        hardLinks = false;
      } catch (AccessDeniedException | NoSuchFileException e) {
        throw e;
      } catch (FileSystemException e) {
        // EPERM and similar from filesystems (FAT, some network shares) that refuse hard links.
        hardLinks = false;
      }
    }
    // Not atomic against another writer of the same key; see docs/directory-store.md.
    if (Files.exists(target)) {
      return false;
    }
    Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
    return true;
  }

  private void createParents(String key, Path dir) throws IOException {
    try {
      Files.createDirectories(dir);
    } catch (FileAlreadyExistsException e) {
      throw keyBelowKey(key, e);
    } catch (FileSystemException e) {
      if (!Files.isDirectory(dir)) {
        throw keyBelowKey(key, e);
      }
      throw e;
    }
  }

  private StoreException keyBelowKey(String key, IOException cause) {
    String blocking = key;
    Path p = layout.root();
    for (String part : key.split("/")) {
      p = p.resolve(part);
      if (Files.exists(p) && !Files.isDirectory(p)) {
        blocking = layout.keyOf(p);
        break;
      }
    }
    return errors.keyBelowKey(key, blocking, cause);
  }

  private void refuseFolder(String key, Path target) throws StoreException {
    if (Files.isDirectory(target)) {
      throw errors.keyIsAFolder(key);
    }
  }
}
