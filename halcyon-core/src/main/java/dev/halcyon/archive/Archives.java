package dev.halcyon.archive;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.FileOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes directory trees as reproducible compressed tar archives and extracts them safely.
 *
 * <h2>Writing</h2>
 *
 * The archive holds every file, directory and symlink below the source directory (not the source
 * directory itself), named relative to it without a {@code ./} prefix; directory names end in
 * {@code /}. Members are in {@link ArchiveOrder#VOLATILITY} order unless the caller gives another
 * {@link ArchiveOrder} (by rank, then by the bytes of their UTF-8 names, every directory before its
 * contents). Every member has owner and group id 0, empty owner and group names, and the
 * modification time 1970-01-01T00:00:01Z (one second after the epoch, as Jib does). Directories and
 * files whose owner may execute them get mode 0755, other files 0644; setuid, setgid and sticky
 * bits are dropped. Names longer than 100 bytes and non-ASCII names are stored as POSIX (PAX)
 * headers, which GNU tar and every modern reader understand. Symlinks are stored as symlinks, never
 * followed, with their targets as they are (absolute, outside the tree or dangling alike:
 * extraction restores them as they are). Hard-linked files are stored as separate files. Device
 * files, FIFOs and sockets fail the write with an {@link IOException} naming the path.
 *
 * <p>zstd archives are cut into independent frames and end in a table of contents and a footer
 * (zstd skippable frames that every decoder skips), so that single files can be fetched by ranged
 * reads: see {@link ArchiveToc} and {@code docs/archive-format.md}. They are compressed on a small
 * pool of threads each call owns and shuts down before it returns.
 *
 * <p>The tar stream is therefore byte-for-byte the same for the same tree on every machine and run.
 * The compressed bytes are too, given the same codec libraries: zstd (level 3, content checksum per
 * frame; the output does not depend on the number of threads), gzip (level 6, no name, time 0, OS
 * "unknown"; the deflate bytes come from the zlib the JDK uses, which may differ between
 * distributions) and xz (preset 6, pure Java).
 *
 * <h2>Extracting</h2>
 *
 * Extraction builds a fresh hidden sibling of the target (same parent) and only when every member
 * was read and checked renames it into place, moving an existing target aside first and deleting it
 * afterwards. On any failure the target is as it was and the sibling is removed. It refuses, with
 * {@link UnsafeArchiveException}: absolute names, names with {@code ..} components, members below a
 * symlink or a file (nothing is ever written through a symlink), members replacing an earlier one
 * (other than repeated directories; so no directory turns into a symlink mid-archive), hard links
 * to anything but a regular file earlier in the archive (not to a symlink, not through one), device
 * files, FIFOs, sparse files and setuid/setgid bits; and with {@link ArchiveLimitException}
 * archives beyond the {@link ExtractLimits}. A corrupt or truncated stream fails with {@link
 * CorruptArchiveException}. Restored directories are 0755, files 0755 if any execute bit was set
 * and 0644 otherwise; modification times are not restored (they carry no information in archives
 * written here). Symlinks are restored as they are, pointing anywhere (absolute, outside the
 * target, dangling), as GNU tar and libarchive restore them: the rule is that nothing is written
 * through a link, not where a link may point.
 *
 * <p>With {@link Compression#NONE} there is no codec trailer to check, so a plain tar cut off
 * exactly at a member boundary cannot be told from a complete one; every compressed codec detects
 * it.
 *
 * <p>Thread-safe: the methods keep no state, but two extractions into the same target at the same
 * time may fail (never mix trees); callers that may race lock the target. zstd compression runs its
 * own short-lived native worker threads inside each call, and extraction reads and decompresses the
 * stream on one thread of its own (through a few 1 MiB buffers), which ends before the call
 * returns. Streams passed in are never closed; files opened are.
 */
public final class Archives {
  private Archives() {}

  /**
   * Writes the tree below {@code sourceDir} as a reproducible tar compressed with {@code c} to
   * {@code out}, and computes the SHA-256 and size of the compressed bytes as they stream out.
   *
   * @param out receives the archive; flushed, not closed
   * @param sourceDir the top of the tree to archive; it is not a member itself
   * @param c the codec; {@link Compression#ZSTD} also writes a table of contents
   * @return the compressed bytes' digest and size, the member count and content bytes
   * @throws IOException if the tree cannot be read, holds a device file, FIFO or socket, changes
   *     while it is read, or {@code out} fails
   */
  public static ArchiveSummary write(Path sourceDir, OutputStream out, Compression c)
      throws IOException {
    return write(sourceDir, out, c, ArchiveOrder.VOLATILITY);
  }

  /**
   * Like {@link #write(Path, OutputStream, Compression)}, with the members in {@code order}
   * (directories still before their contents).
   *
   * @param sourceDir the top of the tree to archive; it is not a member itself
   * @param out receives the archive; flushed, not closed
   * @param c the codec; {@link Compression#ZSTD} also writes a table of contents
   * @param order ranks the members; {@link ArchiveOrder#VOLATILITY} is what the other overloads use
   * @return the compressed bytes' digest and size, the member count and content bytes
   * @throws IOException if the tree cannot be read, holds a device file, FIFO or socket, changes
   *     while it is read, or {@code out} fails
   */
  public static ArchiveSummary write(
      Path sourceDir, OutputStream out, Compression c, ArchiveOrder order) throws IOException {
    checkNotNull(sourceDir, "sourceDir");
    checkNotNull(out, "out");
    checkNotNull(c, "compression");
    checkNotNull(order, "order");
    return TarWriter.write(sourceDir, out, c, order);
  }

  /**
   * Like {@link #write(Path, OutputStream, Compression)}, to {@code archiveFile}: writes a hidden
   * temporary file in the same directory, syncs it, and moves it atomically into place (replacing
   * any existing file), so readers see the whole archive or none. Missing parent directories are
   * created.
   *
   * @param sourceDir the top of the tree to archive; it is not a member itself
   * @param archiveFile where the archive goes; an existing file is replaced
   * @param c the codec; {@link Compression#ZSTD} also writes a table of contents
   * @return the compressed bytes' digest and size, the member count and content bytes
   * @throws IllegalArgumentException if the file name does not end in {@code .}{@link
   *     Compression#extension()} of {@code c}
   * @throws IOException if the tree cannot be read or changes while it is read, or the file cannot
   *     be written or moved into place; no partial file is left behind
   */
  public static ArchiveSummary write(Path sourceDir, Path archiveFile, Compression c)
      throws IOException {
    return write(sourceDir, archiveFile, c, ArchiveOrder.VOLATILITY);
  }

  /**
   * Like {@link #write(Path, Path, Compression)}, with the members in {@code order} (directories
   * still before their contents).
   *
   * @param sourceDir the top of the tree to archive; it is not a member itself
   * @param archiveFile where the archive goes; an existing file is replaced
   * @param c the codec; {@link Compression#ZSTD} also writes a table of contents
   * @param order ranks the members; {@link ArchiveOrder#VOLATILITY} is what the other overloads use
   * @return the compressed bytes' digest and size, the member count and content bytes
   * @throws IOException if the tree cannot be read or changes while it is read, or the file cannot
   *     be written or moved into place; no partial file is left behind
   */
  public static ArchiveSummary write(
      Path sourceDir, Path archiveFile, Compression c, ArchiveOrder order) throws IOException {
    checkNotNull(order, "order");
    checkNotNull(sourceDir, "sourceDir");
    checkNotNull(archiveFile, "archiveFile");
    checkNotNull(c, "compression");
    Path file = archiveFile.toAbsolutePath();
    String name = file.getFileName().toString();
    checkArgument(
        Compression.forFileName(name).equals(Optional.of(c)),
        "archive file name '%s' must end in '.%s' for %s compression",
        name,
        c.extension(),
        c.name().toLowerCase(Locale.ROOT));
    Path dir = file.getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, "." + name + ".", ".tmp");
    try {
      ArchiveSummary summary;
      try (FileOutputStream os = new FileOutputStream(tmp.toFile())) {
        summary = write(sourceDir, os, c, order);
        os.getChannel().force(false);
      }
      // createTempFile made it 0600; an archive is readable like any other file.
      Files.setPosixFilePermissions(tmp, TarExtractor.FILE_PERMISSIONS);
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      return summary;
    } catch (IOException | RuntimeException | Error e) {
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  /**
   * Safely extracts a tar compressed with {@code c} into {@code target}, replacing what is there
   * only once the whole archive has been read and checked; see the class documentation for the
   * rules. Missing parents of {@code target} are created.
   *
   * @param compressed the archive bytes; read to its end (so codec checksums are verified), not
   *     closed
   * @param c the codec the archive was written with
   * @param target the directory to create or replace
   * @param limits the bounds on member count and content bytes
   * @return the member count and the content bytes written
   * @throws UnsafeArchiveException a hostile or invalid member (target unchanged)
   * @throws ArchiveLimitException a limit exceeded (target unchanged)
   * @throws CorruptArchiveException the stream is corrupt or truncated (target unchanged)
   * @throws IOException if {@code target} exists but is not a directory, or the disk fails
   */
  public static ExtractSummary extract(
      InputStream compressed, Compression c, Path target, ExtractLimits limits) throws IOException {
    return extract(compressed, c, target, limits, TreeCheck.NONE);
  }

  /**
   * Like {@link #extract(InputStream, Compression, Path, ExtractLimits)}, with one more check of
   * the finished tree before it replaces {@code target}: a caller verifies what only it knows (the
   * stored digest at the end of the stream, the layer's tag). If {@code check} throws, the target
   * is unchanged and the exception propagates.
   *
   * @param compressed the archive bytes; read to its end, not closed
   * @param c the codec the archive was written with
   * @param target the directory to create or replace
   * @param limits the bounds on member count and content bytes
   * @param check verifies the extracted tree; {@link TreeCheck#NONE} accepts any
   * @return the member count and the content bytes written
   * @throws UnsafeArchiveException a hostile or invalid member (target unchanged)
   * @throws ArchiveLimitException a limit exceeded (target unchanged)
   * @throws CorruptArchiveException the stream is corrupt or truncated (target unchanged)
   * @throws IOException if {@code check} refuses the tree, {@code target} exists but is not a
   *     directory, or the disk fails (target unchanged)
   */
  public static ExtractSummary extract(
      InputStream compressed, Compression c, Path target, ExtractLimits limits, TreeCheck check)
      throws IOException {
    checkNotNull(check, "check");
    return extract(
        compressed, c, target, limits, "(" + c.name().toLowerCase(Locale.ROOT) + " stream)", check);
  }

  /** A last check of an extracted tree, before it is put in place. */
  @FunctionalInterface
  public interface TreeCheck {
    /** Accepts every tree. */
    TreeCheck NONE = extracted -> {};

    /**
     * Throws to refuse the tree at {@code extracted} (a temporary directory that becomes the target
     * if this returns).
     *
     * @param extracted the finished tree, not yet in place; do not keep the path, it is renamed
     * @throws IOException to refuse the tree; the extraction fails with this exception and the
     *     target is unchanged
     */
    void check(Path extracted) throws IOException;
  }

  /**
   * Like {@link #extract(InputStream, Compression, Path, ExtractLimits)}, from a file whose name
   * says the codec ({@code .tar.zst}, {@code .tar.gz}, {@code .tar.xz} or {@code .tar}).
   *
   * @param archiveFile the archive; its name's ending selects the codec
   * @param target the directory to create or replace
   * @param limits the bounds on member count and content bytes
   * @return the member count and the content bytes written
   * @throws IllegalArgumentException if the name ends in none of these
   * @throws UnsafeArchiveException a hostile or invalid member (target unchanged)
   * @throws ArchiveLimitException a limit exceeded (target unchanged)
   * @throws CorruptArchiveException the file is corrupt or truncated (target unchanged)
   * @throws IOException if the file cannot be read, {@code target} exists but is not a directory,
   *     or the disk fails
   */
  public static ExtractSummary extract(Path archiveFile, Path target, ExtractLimits limits)
      throws IOException {
    checkNotNull(archiveFile, "archiveFile");
    String name = archiveFile.getFileName().toString();
    Compression c =
        Compression.forFileName(name)
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "cannot tell the compression of '"
                            + archiveFile
                            + "': its name must end in .tar.zst, .tar.gz, .tar.xz or .tar"));
    try (InputStream in = Files.newInputStream(archiveFile)) {
      return extract(in, c, target, limits, "'" + archiveFile + "'", TreeCheck.NONE);
    }
  }

  @SuppressWarnings("try") // stopWatching is closed for its effect, never read
  private static ExtractSummary extract(
      InputStream compressed,
      Compression c,
      Path target,
      ExtractLimits limits,
      String source,
      TreeCheck check)
      throws IOException {
    checkNotNull(compressed, "compressed");
    checkNotNull(c, "compression");
    checkNotNull(target, "target");
    checkNotNull(limits, "limits");
    Path t = target.toAbsolutePath().normalize();
    Path parent = t.getParent();
    checkArgument(parent != null, "cannot extract into the file system root");
    checkReplaceable(t);
    Files.createDirectories(parent);
    Path temp = parent.resolve("." + t.getFileName() + ".extract-" + randomSuffix());
    SourceWatch watch = new SourceWatch(compressed);
    Files.createDirectory(
        temp, PosixFilePermissions.asFileAttribute(TarExtractor.DIRECTORY_PERMISSIONS));
    try {
      // If the umask left 0755 alone it leaves 0644 alone too: then modes given at creation are
      // exact and no member needs a chmod.
      boolean umaskClean =
          Files.getPosixFilePermissions(temp).equals(TarExtractor.DIRECTORY_PERMISSIONS);
      // Private while it fills: no other user may plant links or files in it.
      Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rwx------"));
      ExtractSummary summary;
      // Decompression runs on a second thread, overlapping the file system calls made here.
      // Closing in reverse order: the watch stops listening first, since stopping the thread may
      // cut short a read of the source, which is no failure of the source.
      try (InputStream decompressed = new ReadAheadStream(open(c, watch, source));
          Closeable stopWatching = watch::stop) {
        summary = new TarExtractor(temp, limits, source, umaskClean).extract(decompressed);
      }
      Files.setPosixFilePermissions(temp, TarExtractor.DIRECTORY_PERMISSIONS);
      check.check(temp);
      publish(temp, t);
      return summary;
    } catch (IOException | RuntimeException | Error e) {
      try {
        deleteTree(temp);
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      if (watch.failure != null && watch.failure != e && e instanceof CorruptArchiveException) {
        // The source failed (a dropped connection, a store's own check), not the archive: say so,
        // so the caller retries rather than condemning a good archive.
        watch.failure.addSuppressed(e);
        throw watch.failure;
      }
      throw e;
    }
  }

  private static InputStream open(Compression c, InputStream compressed, String source)
      throws IOException {
    InputStream raw = new BufferedInputStream(Codecs.nonClosing(compressed), Codecs.BUFFER_SIZE);
    try {
      // No buffer after the codec: the caller's read-ahead reads it in large blocks.
      return Codecs.decompressing(c, raw);
    } catch (IOException | RuntimeException e) {
      if (TarExtractor.isSourceFailure(e)) {
        throw (IOException) e; // interrupted; a failure of the source itself is rethrown by extract
      }
      throw new CorruptArchiveException(
          "cannot read archive "
              + source
              + ": it is not a valid "
              + c.name().toLowerCase(Locale.ROOT)
              + " stream ("
              + e.getMessage()
              + "); fetch it again or check its name",
          e);
    }
  }

  private static void checkReplaceable(Path target) throws IOException {
    if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)
        && !Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
      throw new IOException(
          "cannot extract into '"
              + target
              + "': it exists and is not a directory (a file or a"
              + " symlink); remove it or choose another target");
    }
  }

  /** Renames the finished tree into place, moving an existing target aside and deleting it. */
  private static void publish(Path temp, Path target) throws IOException {
    publish(temp, target, aside -> {});
  }

  /**
   * Like {@link #publish(Path, Path)}, handing the replaced tree, moved aside, to {@code
   * beforeDelete} before it is deleted (a failure there is ignored like a failed delete: the new
   * tree is in place).
   */
  static void publish(Path temp, Path target, TreeCheck beforeDelete) throws IOException {
    checkReplaceable(target);
    if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
      return;
    }
    Path aside = target.resolveSibling("." + target.getFileName() + ".old-" + randomSuffix());
    Files.move(target, aside, StandardCopyOption.ATOMIC_MOVE);
    try {
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      try {
        Files.move(aside, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
    try {
      beforeDelete.check(aside);
    } catch (IOException | RuntimeException ignored) {
      // Only what the replaced tree could still give (files kept for later) is lost.
    }
    try {
      deleteTree(aside);
    } catch (IOException ignored) {
      // The new tree is in place, which is what the caller asked for; a leftover hidden
      // ".old-" sibling only costs space and is removed by hand.
    }
  }

  static String randomSuffix() {
    return Long.toHexString(ThreadLocalRandom.current().nextLong() | Long.MIN_VALUE);
  }

  /**
   * Deletes a tree without following symlinks, making read-only directories writable first (as
   * extracted trees may have them); a missing tree is fine.
   *
   * @param root the tree (or a single file or symlink) to delete; a symlink is deleted, not
   *     followed
   * @throws IOException if something in the tree cannot be deleted; what was deleted before stays
   *     deleted
   */
  public static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    Files.walkFileTree(
        root,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs)
              throws IOException {
            Set<PosixFilePermission> p = Files.getPosixFilePermissions(dir);
            if (!p.contains(PosixFilePermission.OWNER_WRITE)
                || !p.contains(PosixFilePermission.OWNER_EXECUTE)) {
              Set<PosixFilePermission> fixed = EnumSet.copyOf(p);
              fixed.add(PosixFilePermission.OWNER_WRITE);
              fixed.add(PosixFilePermission.OWNER_EXECUTE);
              fixed.add(PosixFilePermission.OWNER_READ);
              Files.setPosixFilePermissions(dir, fixed);
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            Files.delete(file);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
            if (e != null) {
              throw e;
            }
            Files.delete(dir);
            return FileVisitResult.CONTINUE;
          }
        });
  }

  /**
   * Remembers the first failure of the stream an archive is read from, until {@link #stop}. Read on
   * the read-ahead thread; {@link #failure} is read by the caller after that thread ended.
   */
  private static final class SourceWatch extends FilterInputStream {
    volatile IOException failure;
    private volatile boolean stopped;

    void stop() {
      stopped = true;
    }

    SourceWatch(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      try {
        return super.read();
      } catch (IOException e) {
        throw remember(e);
      }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      try {
        return super.read(b, off, len);
      } catch (IOException e) {
        throw remember(e);
      }
    }

    @Override
    public long skip(long n) throws IOException {
      try {
        return super.skip(n);
      } catch (IOException e) {
        throw remember(e);
      }
    }

    private IOException remember(IOException e) {
      if (failure == null && !stopped) {
        failure = e;
      }
      return e;
    }
  }
}
