package dev.halcyon.engine;

import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Checks, before any work, that the directory which is to hold an installed app can be created and
 * written: the install lands beside it and is renamed into place, so a user who may not write there
 * (a non-root user and the default {@code ROOT=/}) would otherwise build everything and only then
 * fail. Stateless; thread-safe.
 */
final class WritableTarget {
  private static final String PROBE_PREFIX = ".halcyon-write-check-";

  private WritableTarget() {}

  /**
   * Throws a one-line {@link IOException} naming {@code installDir}, the directory that refused,
   * and the fix, unless the parent of {@code installDir} exists and is writable or can be created.
   * Leaves nothing behind, and removes what a killed run's check left.
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
      probe = Files.createTempDirectory(existing, PROBE_PREFIX);
    } catch (IOException e) {
      throw refused(
          installDir,
          existing + " is not writable by user '" + System.getProperty("user.name") + "'");
    }
    // deleteIfExists: a concurrent run's sweep may have taken it already.
    Files.deleteIfExists(probe);
    sweepProbes(existing);
  }

  /**
   * Removes the empty probe directories that killed runs left in {@code dir}. A concurrent run's
   * probe may go too; its own {@code deleteIfExists} tolerates that.
   */
  private static void sweepProbes(Path dir) throws IOException {
    try (DirectoryStream<Path> probes = Files.newDirectoryStream(dir, PROBE_PREFIX + "*")) {
      for (Path stale : probes) {
        try {
          Files.deleteIfExists(stale);
        } catch (DirectoryNotEmptyException e) {
          // Not one of ours after all: someone put something in it. Leave it.
        }
      }
    }
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
