package dev.halcyon.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Checks, before any work, that the directory which is to hold an installed app can be created and
 * written: the install lands beside it and is renamed into place, so a user who may not write there
 * (a non-root user and the default {@code ROOT=/}) would otherwise build everything and only then
 * fail. Stateless; thread-safe.
 */
final class WritableTarget {
  private WritableTarget() {}

  /**
   * Throws a one-line {@link IOException} naming {@code installDir}, the directory that refused,
   * and the fix, unless the parent of {@code installDir} exists and is writable or can be created.
   * Leaves nothing behind.
   */
  static void check(Path installDir) throws IOException {
    Path holder = installDir.toAbsolutePath().normalize().getParent();
    if (holder == null) {
      throw refused(installDir, installDir + " has no parent directory");
    }
    Path existing = holder;
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    if (existing == null) {
      throw refused(installDir, "no part of " + holder + " exists");
    }
    if (!Files.isDirectory(existing)) {
      throw refused(installDir, existing + " is not a directory");
    }
    // Files.isWritable asks access(2), which says yes to root even on a read-only mount and no
    // about ACLs it cannot see; creating (and removing) a directory is the real question.
    Path probe;
    try {
      probe = Files.createTempDirectory(existing, ".halcyon-write-check-");
    } catch (IOException e) {
      throw refused(
          installDir,
          existing + " is not writable by user '" + System.getProperty("user.name") + "'");
    }
    Files.delete(probe);
  }

  private static IOException refused(Path installDir, String why) {
    return new IOException(
        "cannot install into "
            + installDir
            + ": "
            + why
            + "; give a directory you may write as --root DIR (HALCYON_ROOT), or run as root");
  }
}
