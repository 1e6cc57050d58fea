package dev.halcyon.store;

import dev.halcyon.layer.Digest;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** The one-line messages of a {@link DirectoryLayerStore}, each naming the key and the folder. */
final class DirectoryStoreErrors {
  private final Path root;

  DirectoryStoreErrors(Path root) {
    this.root = root;
  }

  /**
   * {@code e}, met while trying to {@code action} {@code key} (or "" for none), as a store error.
   */
  StoreException failure(String action, String key, IOException e) {
    if (e instanceof StoreException se) {
      return se;
    }
    String what = key.isEmpty() ? "" : " '" + key + "'";
    if (e instanceof AccessDeniedException denied) {
      return new StoreAccessException(
          "cannot "
              + action
              + what
              + " in folder store "
              + root
              + ": permission denied on "
              + denied.getFile()
              + "; give this user read and write access to the folder",
          e);
    }
    return new StoreException(
        "cannot "
            + action
            + what
            + " in folder store "
            + root
            + ": "
            + (e instanceof FileSystemException f && f.getFile() != null
                ? f.getFile() + ": " + f.getReason()
                : e.getMessage())
            + "; check the folder and free disk space",
        e);
  }

  StoreConfigurationException rootIsAFile() {
    return new StoreConfigurationException(
        "store folder " + root + " is a file; point the store at a folder");
  }

  TransientStoreException replacedWhileOpened(String key, int attempts) {
    return new TransientStoreException(
        "cannot read '"
            + key
            + "' from "
            + root
            + ": it was replaced "
            + attempts
            + " times while being opened; retry");
  }

  TransientStoreException createdAndDeleted(String key, int attempts) {
    return new TransientStoreException(
        "cannot store '"
            + key
            + "' in "
            + root
            + ": it was created and deleted "
            + attempts
            + " times while we tried; retry");
  }

  CorruptObjectException digestMismatch(String key, String source, Digest actual, Digest given) {
    return StoreErrors.digestMismatch(key, root.toString(), source, actual, given);
  }

  /** {@code blocking}, an object, stands where a folder of {@code key} would have to be. */
  StoreException keyBelowKey(String key, String blocking, IOException cause) {
    return new StoreException(
        "cannot store '"
            + key
            + "' in "
            + root
            + ": '"
            + blocking
            + "' is an object, and a folder"
            + " store cannot hold keys below another key; delete it or choose another key",
        cause);
  }

  StoreException keyIsAFolder(String key) {
    return new StoreException(
        "cannot store '"
            + key
            + "' in "
            + root
            + ": it is a folder holding keys '"
            + key
            + "/...', and a folder store cannot hold a key that is also a folder; choose another"
            + " key");
  }

  static NoSuchFileException sourceMissing(Path source, String key) {
    return new NoSuchFileException(
        source.toString(), null, "cannot store '" + key + "': the source file does not exist");
  }

  static NoSuchFileException vanished(Path file) {
    return new NoSuchFileException(
        file.toString(), null, "was removed while being written; is another cleanup running?");
  }
}
