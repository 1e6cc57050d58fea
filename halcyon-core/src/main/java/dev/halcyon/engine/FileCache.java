package dev.halcyon.engine;

import dev.halcyon.layer.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The delta restore's content-addressed store of files from earlier installs, {@code
 * files/sha256/ab/abcdef…} under the work directory: the files a redeploy replaced, so that a
 * rollback to the previous version is a delta restore too. Files arrive by rename from the replaced
 * tree (no copy) and leave by rename into the new tree ({@link #takeTo}), or by copy ({@link
 * #copyTo}) — never a hard link, so a later change to an installed file cannot reach the cache —
 * and are hashed as they leave: a cache file changed by anyone is dropped, not used. Bounded by a
 * size cap, least recently used first (a file's mtime is its last use). Confined to the run's
 * thread, which holds the work-directory lock.
 */
final class FileCache {
  /** The default cap on the bytes the cache keeps. */
  static final long DEFAULT_MAX_BYTES = 2L << 30;

  private static final Set<PosixFilePermission> READ_ONLY =
      PosixFilePermissions.fromString("r--r--r--");

  private final Path root;
  private final Clock clock;

  FileCache(Path root, Clock clock) {
    this.root = root;
    this.clock = clock;
  }

  private Path pathOf(Digest d) {
    return root.resolve(d.hex().substring(0, 2)).resolve(d.hex());
  }

  /** Whether the cache has a file for {@code digest} (not yet verified). */
  boolean has(Digest digest) {
    return Files.isRegularFile(pathOf(digest), LinkOption.NOFOLLOW_LINKS);
  }

  /** Whether the cache holds no file at all. */
  boolean isEmpty() throws IOException {
    if (!Files.isDirectory(root)) {
      return true;
    }
    try (Stream<Path> s = Files.list(root)) {
      return s.findAny().isEmpty();
    }
  }

  /**
   * Copies the file for {@code digest} to {@code target} (which must not exist), hashing it on the
   * way. Returns false, with {@code target} deleted and the cache entry dropped, when the cache has
   * none or its bytes do not hash to {@code digest}.
   */
  boolean copyTo(Digest digest, Path target, Set<PosixFilePermission> permissions)
      throws IOException {
    Path source = pathOf(digest);
    MessageDigest md = Digest.newSha256();
    byte[] buf = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(source, LinkOption.NOFOLLOW_LINKS);
        OutputStream out =
            Files.newOutputStream(
                target,
                StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS)) {
      int n;
      while ((n = in.read(buf)) > 0) {
        md.update(buf, 0, n);
        out.write(buf, 0, n);
      }
    } catch (NoSuchFileException e) {
      Files.deleteIfExists(target);
      return false;
    }
    if (!Digest.of(md.digest()).equals(digest)) {
      Files.delete(target);
      Files.deleteIfExists(source);
      return false;
    }
    Files.setPosixFilePermissions(target, permissions);
    touch(source);
    return true;
  }

  /**
   * Moves the file for {@code digest} out of the cache to {@code target} (which must not exist) by
   * rename, then hashes it there. The cache gives up the file rather than sharing it: a later
   * change to {@code target} cannot reach the cache, and the file comes back only by {@link #adopt}
   * once it is proven again. Returns false, with nothing at {@code target} and the cache entry
   * gone, when the cache has none, the rename is not possible, or the bytes do not hash to {@code
   * digest}.
   */
  boolean takeTo(Digest digest, Path target, Set<PosixFilePermission> permissions)
      throws IOException {
    Path source = pathOf(digest);
    try {
      if (!Integer.valueOf(1)
          .equals(Files.getAttribute(source, "unix:nlink", LinkOption.NOFOLLOW_LINKS))) {
        // Another name shares the file: moving it would make the installed file an alias.
        return copyTo(digest, target, permissions);
      }
      Files.move(source, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (NoSuchFileException e) {
      return false;
    } catch (AtomicMoveNotSupportedException e) {
      return copyTo(digest, target, permissions); // another file system: a verified copy
    }
    if (!Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)
        || !InstallRecord.hash(target).equals(digest)) {
      Files.delete(target);
      return false;
    }
    Files.setPosixFilePermissions(target, permissions);
    return true;
  }

  /**
   * Moves {@code file}, whose content is proven to hash to {@code digest}, into the cache by
   * rename. Does nothing if the cache has it already or the rename is not possible (another file
   * system); the caller deletes what is left.
   */
  void adopt(Path file, Digest digest) {
    Path target = pathOf(digest);
    if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try {
      Files.createDirectories(target.getParent());
      Files.move(file, target, StandardCopyOption.ATOMIC_MOVE);
      Files.setPosixFilePermissions(target, READ_ONLY);
      touch(target);
    } catch (IOException e) {
      // Not kept: a later rollback fetches this file instead.
    }
  }

  /** Deletes the least recently used files until at most {@code maxBytes} remain. */
  void trim(long maxBytes) throws IOException {
    if (!Files.isDirectory(root)) {
      return;
    }
    record Held(Path path, long size, long used) {}
    List<Held> all = new ArrayList<>();
    try (Stream<Path> dirs = Files.list(root)) {
      for (Path dir : (Iterable<Path>) dirs::iterator) {
        try (Stream<Path> files = Files.list(dir)) {
          for (Path f : (Iterable<Path>) files::iterator) {
            all.add(new Held(f, Files.size(f), Files.getLastModifiedTime(f).toMillis()));
          }
        }
      }
    }
    long total = all.stream().mapToLong(Held::size).sum();
    all.sort(Comparator.comparingLong(Held::used));
    for (Held h : all) {
      if (total <= maxBytes) {
        break;
      }
      Files.deleteIfExists(h.path());
      total -= h.size();
    }
  }

  private void touch(Path p) throws IOException {
    Files.setLastModifiedTime(p, FileTime.from(clock.instant()));
  }
}
