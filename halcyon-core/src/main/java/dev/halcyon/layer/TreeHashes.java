package dev.halcyon.layer;

import static com.google.common.base.Preconditions.checkNotNull;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;

/**
 * Deterministic SHA-256 digests of directory trees, the basis of source hashes and magic hashes.
 *
 * <p>The digest covers, for every regular file and symbolic link under the directory that the
 * filter accepts: its relative path, its type (file, executable file or symlink) and its content
 * (for a symlink: the target text; links are never followed). It ignores mtimes, owners, every
 * permission bit except the owner's execute bit, empty directories, and other file types (sockets,
 * FIFOs, devices). The same tree gives the same digest on every machine, whatever order the files
 * were created in.
 *
 * <p>Encoding, version 1 (changing it changes every hash, so a test pins a known value): the
 * SHA-256 of the header {@code "halcyon-tree-hash/1\0"} followed by one record per entry, sorted by
 * the UTF-8 bytes of the path (unsigned), each record being
 *
 * <pre>
 *   type      1 byte: 'f' file, 'x' executable file (owner execute bit set), 'l' symlink
 *   pathLen   4 bytes, big-endian
 *   path      UTF-8, '/'-separated, relative, no leading "./"
 *   valueLen  4 bytes, big-endian
 *   value     file: the 32-byte SHA-256 of the content; symlink: the UTF-8 target text
 * </pre>
 *
 * Every field is length-prefixed, so no two different trees encode to the same bytes.
 *
 * <p>Unlike the original Halcyon (whose {@code hash_tree} gave an empty result for a missing
 * directory), a missing directory is an error: a silently "empty" source tree would give every such
 * app the same identity.
 *
 * <p>Stateless and thread-safe. File contents are streamed, never loaded whole.
 */
public final class TreeHashes {
  private static final byte[] HEADER = "halcyon-tree-hash/1\0".getBytes(StandardCharsets.UTF_8);
  private static final int BUFFER_SIZE = 64 * 1024;

  private TreeHashes() {}

  /**
   * Hears how far a {@link TreeHashes#hash(Path, Predicate, Listener)} has got, e.g. to show
   * progress while a large source tree is hashed. Called on the hashing thread after every file or
   * symlink counted; implementations must return quickly and must not throw.
   */
  @FunctionalInterface
  public interface Listener {
    /** A listener that ignores everything. */
    Listener NONE = (files, bytes) -> {};

    /**
     * Another entry was hashed: {@code files} entries (files and symlinks) so far, {@code bytes} of
     * file content read so far.
     *
     * @param files entries (files and symlinks) hashed so far, counting this one
     * @param bytes bytes of file content read so far
     */
    void hashed(long files, long bytes);

    /**
     * The whole tree is hashed: {@code files} entries and {@code bytes} of content in all.
     *
     * @param files entries (files and symlinks) hashed in all
     * @param bytes bytes of file content read in all
     */
    default void finished(long files, long bytes) {}
  }

  /**
   * The digest of the tree under {@code dir}, counting the relative paths {@code include} accepts.
   *
   * <p>{@code include} sees every directory path (without a trailing {@code /}) before its
   * contents; rejecting a directory skips its whole subtree. It then sees the path of every file
   * and symlink. {@code dir} itself may be a symlink to a directory.
   *
   * @param dir the top of the tree, a directory or a symlink to one
   * @param include accepts the {@code /}-separated relative paths to count, as described above
   * @return the tree's digest; an empty tree (or one whose entries are all rejected) has a fixed
   *     digest of its own
   * @throws NoSuchFileException if {@code dir} does not exist
   * @throws IOException if {@code dir} is not a directory or something in it cannot be read
   */
  public static Digest hash(Path dir, Predicate<String> include) throws IOException {
    return hash(dir, include, Listener.NONE);
  }

  /**
   * Like {@link #hash(Path, Predicate)}, telling {@code listener} after each entry how many entries
   * and bytes have been hashed, and once at the end the totals.
   *
   * @param dir the top of the tree, a directory or a symlink to one
   * @param include accepts the {@code /}-separated relative paths to count
   * @param listener told of progress on the hashing thread; {@link Listener#NONE} for none
   * @return the tree's digest, the same as without a listener
   * @throws NoSuchFileException if {@code dir} does not exist
   * @throws IOException if {@code dir} is not a directory or something in it cannot be read
   */
  public static Digest hash(Path dir, Predicate<String> include, Listener listener)
      throws IOException {
    checkNotNull(dir, "dir");
    checkNotNull(include, "include");
    checkNotNull(listener, "listener");
    if (!Files.exists(dir)) {
      throw new NoSuchFileException(
          dir.toString(), null, "cannot hash a tree that does not exist; check the path");
    }
    if (!Files.isDirectory(dir)) {
      throw new IOException("cannot hash tree " + dir + ": it is not a directory");
    }
    Path root = dir.toRealPath();
    Collector collector = new Collector(root, include, listener);
    Files.walkFileTree(root, collector);
    listener.finished(collector.entries.size(), collector.bytes);
    return digestOf(collector.entries);
  }

  /**
   * The digest of the tree under {@code dir}, leaving out what {@code ignore} ignores.
   *
   * @param dir the top of the tree, a directory or a symlink to one
   * @param ignore the paths to leave out, e.g. {@link IgnoreRules#DEFAULT}
   * @return the tree's digest
   * @throws NoSuchFileException if {@code dir} does not exist
   * @throws IOException if {@code dir} is not a directory or something in it cannot be read
   */
  public static Digest hash(Path dir, IgnoreRules ignore) throws IOException {
    return hash(dir, ignore, Listener.NONE);
  }

  /**
   * Like {@link #hash(Path, IgnoreRules)}, reporting progress to {@code listener}.
   *
   * @param dir the top of the tree, a directory or a symlink to one
   * @param ignore the paths to leave out, e.g. {@link IgnoreRules#DEFAULT}
   * @param listener told of progress on the hashing thread; {@link Listener#NONE} for none
   * @return the tree's digest, the same as without a listener
   * @throws NoSuchFileException if {@code dir} does not exist
   * @throws IOException if {@code dir} is not a directory or something in it cannot be read
   */
  public static Digest hash(Path dir, IgnoreRules ignore, Listener listener) throws IOException {
    checkNotNull(ignore, "ignore");
    return hash(dir, ignore.asFilter(), listener);
  }

  private static Digest digestOf(List<Entry> entries) {
    entries.sort((a, b) -> Arrays.compareUnsigned(a.path, b.path));
    MessageDigest tree = Digest.newSha256();
    tree.update(HEADER);
    ByteBuffer length = ByteBuffer.allocate(Integer.BYTES);
    for (Entry entry : entries) {
      tree.update(entry.type);
      tree.update(length.clear().putInt(entry.path.length).array());
      tree.update(entry.path);
      tree.update(length.clear().putInt(entry.value.length).array());
      tree.update(entry.value);
    }
    return Digest.of(tree.digest());
  }

  @SuppressWarnings("ArrayRecordComponent") // a private carrier, never compared or hashed
  private record Entry(byte type, byte[] path, byte[] value) {}

  private static final class Collector extends SimpleFileVisitor<Path> {
    private final Path root;
    private final Predicate<String> include;
    private final Listener listener;
    private final byte[] buffer = new byte[BUFFER_SIZE];
    final List<Entry> entries = new ArrayList<>();
    long bytes;

    Collector(Path root, Predicate<String> include, Listener listener) {
      this.root = root;
      this.include = include;
      this.listener = listener;
    }

    @Override
    public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
      if (dir.equals(root)) {
        return FileVisitResult.CONTINUE;
      }
      return include.test(relative(dir)) ? FileVisitResult.CONTINUE : FileVisitResult.SKIP_SUBTREE;
    }

    @Override
    public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
      if (!attrs.isRegularFile() && !attrs.isSymbolicLink()) {
        return FileVisitResult.CONTINUE;
      }
      String path = relative(file);
      if (!include.test(path)) {
        return FileVisitResult.CONTINUE;
      }
      byte[] pathBytes = path.getBytes(StandardCharsets.UTF_8);
      if (attrs.isSymbolicLink()) {
        String target = Files.readSymbolicLink(file).toString();
        entries.add(new Entry((byte) 'l', pathBytes, target.getBytes(StandardCharsets.UTF_8)));
      } else {
        byte type = isExecutable(file) ? (byte) 'x' : (byte) 'f';
        entries.add(new Entry(type, pathBytes, contentSha256(file)));
      }
      listener.hashed(entries.size(), bytes);
      return FileVisitResult.CONTINUE;
    }

    private String relative(Path path) {
      Path rel = root.relativize(path);
      StringBuilder out = new StringBuilder();
      for (Path name : rel) {
        if (out.length() > 0) {
          out.append('/');
        }
        out.append(name);
      }
      return out.toString();
    }

    private byte[] contentSha256(Path file) throws IOException {
      MessageDigest md = Digest.newSha256();
      try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
        int n;
        while ((n = in.read(buffer)) != -1) {
          md.update(buffer, 0, n);
          bytes += n;
        }
      }
      return md.digest();
    }

    private static boolean isExecutable(Path file) throws IOException {
      PosixFileAttributeView posix =
          Files.getFileAttributeView(file, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
      if (posix == null) {
        // No POSIX modes here (e.g. Windows): the best available answer is whether we may run it.
        return Files.isExecutable(file);
      }
      return posix.readAttributes().permissions().contains(PosixFilePermission.OWNER_EXECUTE);
    }
  }
}
