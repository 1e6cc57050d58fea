package dev.halcyon.store;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Every path of a {@link DirectoryLayerStore}: objects at {@code <root>/<key>}, digest records
 * under {@code <root>/.halcyon/records/}, staged files in {@code <root>/.halcyon/staging/}, and
 * temporary files named {@code .halcyon-tmp-*} beside the object being written. See {@code
 * docs/directory-store.md}.
 */
record DirectoryLayout(Path root) {
  /** Names starting with this are the store's own: the metadata folder and temporary files. */
  static final String RESERVED_PREFIX = ".halcyon";

  static final String METADATA_DIR = ".halcyon";
  static final String TEMP_PREFIX = ".halcyon-tmp-";
  private static final String RECORDS_DIR = "records";
  private static final String STAGING_DIR = "staging";
  private static final Pattern NFS_SILLY_RENAME = Pattern.compile("\\.nfs[0-9a-f]{24}");

  DirectoryLayout {
    checkNotNull(root, "root");
    root = root.toAbsolutePath().normalize();
  }

  /** The folder of digest records, one subfolder per first two hex digits of the key's hash. */
  Path records() {
    return root.resolve(METADATA_DIR).resolve(RECORDS_DIR);
  }

  /** Where callers put files for {@link DirectoryLayerStore#putMoving} to adopt. */
  Path staging() {
    return root.resolve(METADATA_DIR).resolve(STAGING_DIR);
  }

  Path objectPath(String key) {
    return root.resolve(key);
  }

  /** The key of the object at {@code file}, which lies under the root. */
  String keyOf(Path file) {
    Path relative = root.relativize(file);
    StringBuilder key = new StringBuilder();
    for (Path part : relative) {
      if (key.length() > 0) {
        key.append('/');
      }
      key.append(part);
    }
    return key.toString();
  }

  /** A fresh, unused temporary name in the folder of {@code file}. */
  static Path temporaryBeside(Path file) {
    return file.resolveSibling(TEMP_PREFIX + UUID.randomUUID());
  }

  /** A fresh temporary name in the folder of {@code file} to move it to while deleting it. */
  static Path doomedBeside(Path file) {
    return file.resolveSibling(TEMP_PREFIX + "deleted-" + UUID.randomUUID());
  }

  static boolean isTemporary(Path file) {
    return file.getFileName().toString().startsWith(TEMP_PREFIX);
  }

  boolean isStaged(Path file) {
    return staging().equals(file.getParent());
  }

  static boolean isReserved(Path file) {
    return file.getFileName().toString().startsWith(RESERVED_PREFIX);
  }

  /** An NFS client's stand-in for a file deleted while open ("silly rename"); not an object. */
  static boolean isNfsSillyRename(Path file) {
    return NFS_SILLY_RENAME.matcher(file.getFileName().toString()).matches();
  }

  static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      // Leftovers are harmless and removeStaleTemporaryFiles sweeps them.
    }
  }

  static void checkKey(String key) {
    checkNotNull(key, "key");
    String problem = keyProblem(key);
    checkArgument(
        problem == null, "key '%s' cannot be stored in a folder: %s", printable(key), problem);
  }

  /** Why {@code key} cannot name a file under the root, or null if it can. */
  static String keyProblem(String key) {
    if (key.isEmpty()) {
      return "it is empty";
    }
    if (key.indexOf('\0') >= 0) {
      return "it contains a NUL character";
    }
    if (key.indexOf('\\') >= 0) {
      return "it contains a backslash; separate folders with '/'";
    }
    if (key.startsWith("/")) {
      return "it starts with '/'; keys are relative to the store";
    }
    for (String part : key.split("/", -1)) {
      if (part.isEmpty()) {
        return "it has an empty component (a trailing '/' or '//')";
      }
      if (part.equals(".") || part.equals("..")) {
        return "it has a '" + part + "' component; keys must stay inside the store";
      }
      if (part.startsWith(RESERVED_PREFIX)) {
        return "component '"
            + part
            + "' starts with '"
            + RESERVED_PREFIX
            + "', which is reserved for the store's metadata and temporary files";
      }
    }
    return null;
  }

  private static String printable(String text) {
    return text.replace("\0", "\\0");
  }
}
