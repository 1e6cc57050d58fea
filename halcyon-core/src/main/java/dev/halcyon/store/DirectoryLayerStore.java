package dev.halcyon.store;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static dev.halcyon.store.DirectoryLayout.checkKey;

import dev.halcyon.hash.VerifyingInputStream;
import dev.halcyon.layer.Digest;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.LongConsumer;

/**
 * A folder as a {@link LayerStore}: the local cache, or a "bucket" on a filesystem shared by
 * several processes and machines. The object under key {@code a/b/c.tar.zst} is the plain file
 * {@code <root>/a/b/c.tar.zst}; the store's own files live under names starting with {@code
 * .halcyon}, and keys with such a component are refused. A folder cannot hold both a key and keys
 * below it ({@code a/b} and {@code a/b/c}).
 *
 * <p>Thread-safe and safe for several processes sharing the folder, without locks. Streams returned
 * by {@link #get} and {@link #getRange(String, long, long)} (positioned reads of one file version)
 * are owned by the caller, who must close them; {@link #close()} does nothing. The layout, the
 * atomicity argument, the limits and housekeeping are described in {@code docs/directory-store.md}.
 */
public final class DirectoryLayerStore implements LayerStore {
  private static final int BUFFER_BYTES = 64 * 1024;
  private static final int OPEN_ATTEMPTS = 5;

  private final DirectoryLayout layout;
  private final Path root;
  private final DirectoryStoreErrors errors;
  private final DigestRecords records;
  private final AtomicPublisher publisher;
  private final DirectoryListing listing;
  private final StaleFileSweeper sweeper;

  /**
   * A store in the folder {@code root}, created if missing.
   *
   * @param root the folder holding the store's objects; created with its parents if missing
   * @throws StoreConfigurationException if {@code root} exists and is not a folder
   * @throws IOException if the folder cannot be created
   */
  public DirectoryLayerStore(Path root) throws IOException {
    this(root, true);
  }

  /** For tests: {@code hardLinks=false} exercises the fallback for filesystems without them. */
  DirectoryLayerStore(Path root, boolean hardLinks) throws IOException {
    this.layout = new DirectoryLayout(root);
    this.root = layout.root();
    this.errors = new DirectoryStoreErrors(this.root);
    this.records = new DigestRecords(layout);
    this.publisher = new AtomicPublisher(layout, records, errors, this::head, hardLinks);
    this.listing = new DirectoryListing(layout, errors, key -> current(key).map(Current::info));
    this.sweeper = new StaleFileSweeper(layout, records, errors);
    if (Files.exists(this.root) && !Files.isDirectory(this.root)) {
      throw errors.rootIsAFile();
    }
    try {
      Files.createDirectories(layout.records());
    } catch (IOException e) {
      throw errors.failure("create the store folder", "", e);
    }
  }

  /**
   * The store's folder.
   *
   * @return the absolute, normalized folder the store was opened on
   */
  public Path root() {
    return root;
  }

  /**
   * A folder on the store's file system (created if missing) where a caller may write a file it
   * then hands to {@link #putMoving}, so that the file is renamed into place rather than copied.
   * Nothing in it is listed as an object; {@link #removeStaleTemporaryFiles(Duration)} removes
   * files left in it.
   *
   * @return the staging folder, on the same file system as the objects
   * @throws IOException if the folder cannot be created (e.g. the store's folder is read-only)
   */
  public Path stagingFolder() throws IOException {
    Path staging = layout.staging();
    try {
      Files.createDirectories(staging);
    } catch (IOException e) {
      throw errors.failure("create the staging folder in", "", e);
    }
    return staging;
  }

  @Override
  public Optional<ObjectInfo> head(String key) throws IOException {
    checkKey(key);
    try {
      return current(key).map(Current::info);
    } catch (IOException e) {
      throw errors.failure("look up", key, e);
    }
  }

  @Override
  public Optional<StoredObject> get(String key) throws IOException {
    checkKey(key);
    Optional<Opened> opened = open(key, "read");
    if (opened.isEmpty()) {
      return Optional.empty();
    }
    ObjectInfo info = opened.get().info();
    InputStream in =
        new VerifyingInputStream(
            new BufferedInputStream(Channels.newInputStream(opened.get().channel()), BUFFER_BYTES),
            layout.objectPath(key).toString(),
            info.size(),
            info.digest(),
            CorruptObjectException::new);
    return Optional.of(new StoredObject(info, in));
  }

  /**
   * Positioned reads of the file version that was current when called: the stream keeps that
   * version open, so a concurrent overwrite (a rename over the path) or delete never shows in it.
   */
  @Override
  public Optional<InputStream> getRange(String key, long offset, long length) throws IOException {
    checkKey(key);
    Ranges.checkRange(offset, length);
    return range(key, Optional.empty(), offset, length);
  }

  @Override
  public Optional<InputStream> getRange(ObjectInfo object, long offset, long length)
      throws IOException {
    checkNotNull(object, "object");
    checkKey(object.key());
    Ranges.checkRange(offset, length);
    return range(object.key(), Optional.of(object), offset, length);
  }

  private Optional<InputStream> range(
      String key, Optional<ObjectInfo> expected, long offset, long length) throws IOException {
    Optional<Opened> opened = open(key, "read a range of");
    if (opened.isEmpty()) {
      return Optional.empty();
    }
    FileChannel channel = opened.get().channel();
    ObjectInfo info = opened.get().info();
    if (expected.isPresent() && !expected.get().isSameObject(info)) {
      channel.close();
      throw Ranges.changed(root.toString(), expected.get(), info);
    }
    long start = Math.min(offset, info.size());
    long end = Ranges.end(offset, length, info.size());
    InputStream in = new FileRangeInputStream(channel, start, end, layout.objectPath(key));
    int buffer = (int) Math.max(1, Math.min(BUFFER_BYTES, end - start));
    return Optional.of(new BufferedInputStream(in, buffer));
  }

  /**
   * Opens the version now stored under {@code key}, with what is known of it; empty if nothing is
   * stored there. The caller closes the channel.
   *
   * @param doing names the operation in messages, e.g. "read"
   */
  private Optional<Opened> open(String key, String doing) throws IOException {
    Path path = layout.objectPath(key);
    try {
      for (int attempt = 0; attempt < OPEN_ATTEMPTS; attempt++) {
        Optional<Current> version = current(key);
        if (version.isEmpty()) {
          return Optional.empty();
        }
        FileChannel channel;
        try {
          channel = FileChannel.open(path, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
          continue;
        }
        boolean handedOver = false;
        try {
          // Only if the path still names the version we looked up do we know that the channel
          // reads that version; otherwise a writer won the race: look again.
          Optional<FileVersion> opened = FileVersion.stat(path);
          ObjectInfo info = version.get().info();
          if (opened.isEmpty()
              || !opened.get().sameVersion(version.get().file())
              || channel.size() != info.size()) {
            continue;
          }
          handedOver = true;
          return Optional.of(new Opened(channel, info));
        } finally {
          if (!handedOver) {
            channel.close();
          }
        }
      }
    } catch (IOException e) {
      throw errors.failure(doing, key, e);
    }
    throw errors.replacedWhileOpened(key, OPEN_ATTEMPTS);
  }

  /**
   * The version now stored under {@code key} with its recorded digest. The record is read while the
   * version stays current (the path names the same inode before and after), because writers and
   * deleters remove a version's record only once the version is gone from the path.
   */
  private Optional<Current> current(String key) throws IOException {
    Path path = layout.objectPath(key);
    for (int attempt = 0; attempt < OPEN_ATTEMPTS; attempt++) {
      Optional<FileVersion> before = FileVersion.stat(path);
      if (before.isEmpty() || !before.get().regularFile()) {
        return Optional.empty();
      }
      FileVersion s = before.get();
      Optional<Digest> digest = records.read(key, s);
      Optional<FileVersion> after = FileVersion.stat(path);
      if (after.isPresent() && after.get().sameVersion(s)) {
        return Optional.of(new Current(s, new ObjectInfo(key, s.size(), digest, s.lastModified())));
      }
    }
    throw errors.replacedWhileOpened(key, OPEN_ATTEMPTS);
  }

  @Override
  public PutResult put(String key, Path source, Digest digest, PutMode mode) throws IOException {
    return copyIn(key, source, digest, mode, Optional.empty());
  }

  /**
   * Copies {@code source} in as {@link #put(String, Path, Digest, PutMode)} does, telling {@code
   * sent} the bytes copied after every buffer read (64 KiB), on the calling thread.
   */
  @Override
  public PutResult put(String key, Path source, Digest digest, PutMode mode, LongConsumer sent)
      throws IOException {
    checkNotNull(sent, "sent");
    return copyIn(key, source, digest, mode, Optional.of(sent));
  }

  private PutResult copyIn(
      String key, Path source, Digest digest, PutMode mode, Optional<LongConsumer> told)
      throws IOException {
    checkKey(key);
    checkNotNull(source, "source");
    checkNotNull(digest, "digest");
    checkNotNull(mode, "mode");
    Optional<PutResult> skipped = skipIfPresent(key, digest, mode);
    if (skipped.isPresent()) {
      if (told.isPresent()) {
        // Only a caller that asked for the size needs the source to exist when nothing is read.
        told.get().accept(sourceSize(source, key));
      }
      return skipped.get();
    }
    LongConsumer sent = told.orElse(bytes -> {});
    InputStream in;
    try {
      in = Files.newInputStream(source);
    } catch (NoSuchFileException e) {
      throw DirectoryStoreErrors.sourceMissing(source, key);
    }
    try (SentCountingInputStream counted = new SentCountingInputStream(in, sent)) {
      PutResult result = write(key, counted, source.toString(), digest, mode);
      if (counted.count() == 0) {
        sent.accept(0); // an empty file: the last call must still say its size
      }
      return result;
    }
  }

  private static long sourceSize(Path source, String key) throws IOException {
    try {
      return Files.size(source);
    } catch (NoSuchFileException e) {
      throw DirectoryStoreErrors.sourceMissing(source, key);
    }
  }

  @Override
  public PutResult put(String key, byte[] bytes, PutMode mode) throws IOException {
    checkKey(key);
    checkNotNull(bytes, "bytes");
    checkNotNull(mode, "mode");
    Digest digest = Digest.sha256(bytes);
    Optional<PutResult> skipped = skipIfPresent(key, digest, mode);
    if (skipped.isPresent()) {
      return skipped.get();
    }
    return write(key, new ByteArrayInputStream(bytes), "the given bytes", digest, mode);
  }

  /**
   * Adopts {@code source} as the object: when it is on the store's file system it is renamed into
   * place, without being read, copied or forced to disk again, and {@code digest} is recorded as
   * given; otherwise it is copied as {@link #put(String, Path, Digest, PutMode)} does (reading and
   * checking it) and then deleted. Either way {@code source} is gone when this returns. The caller
   * vouches for the digest (it computed it while writing the file) and must have closed the file; a
   * wrong digest is caught by every later read, which verifies it. A file renamed in keeps its own
   * mode and time; after a power loss it may be damaged unless the caller forced it to disk, which
   * reads detect in the same way.
   */
  @Override
  public PutResult putMoving(String key, Path source, Digest digest, PutMode mode)
      throws IOException {
    checkKey(key);
    checkNotNull(source, "source");
    checkNotNull(digest, "digest");
    checkNotNull(mode, "mode");
    Optional<PutResult> skipped = skipIfPresent(key, digest, mode);
    if (skipped.isPresent()) {
      Files.deleteIfExists(source);
      return skipped.get();
    }
    try {
      Optional<PutResult> moved =
          publisher.publishNew(key, digest, mode, temp -> moveInto(temp, source, key));
      if (moved.isPresent()) {
        return moved.get();
      }
      // Another file system: copy (and check) it instead.
      PutResult copied = put(key, source, digest, mode);
      Files.deleteIfExists(source);
      return copied;
    } catch (IOException e) {
      throw errors.failure("store", key, e);
    }
  }

  /**
   * Hard-links the file that holds {@code object} to {@code target}. Objects here are published by
   * an atomic rename or link of a finished file and never written in place (see {@link
   * AtomicPublisher}), so the link keeps those bytes however the key changes later. The link is
   * kept only if the version it names is recorded with the digest and size of {@code object}.
   */
  @Override
  public boolean linkTo(ObjectInfo object, Path target) throws IOException {
    checkNotNull(object, "object");
    checkKey(object.key());
    checkNotNull(target, "target");
    Path path = layout.objectPath(object.key());
    try {
      Files.createLink(target, path);
    } catch (FileAlreadyExistsException e) {
      throw e;
    } catch (UnsupportedOperationException | FileSystemException e) {
      // Nothing stored there, another file system (EXDEV), or links refused (EPERM: a file of
      // another user under protected_hardlinks, FAT, some network shares): the caller copies.
      return false;
    }
    boolean kept = false;
    try {
      Optional<FileVersion> linked = FileVersion.stat(target);
      // Not through a symlink someone put at the key's path: only a regular file is lent out.
      if (linked.isPresent()
          && linked.get().regularFile()
          && Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)) {
        FileVersion v = linked.get();
        ObjectInfo info =
            new ObjectInfo(object.key(), v.size(), records.read(object.key(), v), v.lastModified());
        kept = object.isSameObject(info);
      }
      return kept;
    } finally {
      if (!kept) {
        Files.deleteIfExists(target);
      }
    }
  }

  /**
   * The cheap answer when nothing needs writing: the key exists and the mode keeps it, or it holds
   * these very bytes already. The source is then not read at all.
   */
  private Optional<PutResult> skipIfPresent(String key, Digest digest, PutMode mode)
      throws IOException {
    Optional<ObjectInfo> existing = head(key);
    if (existing.isPresent()
        && (mode == PutMode.IF_ABSENT || existing.get().digest().equals(Optional.of(digest)))) {
      return Optional.of(new PutResult(existing.get(), false));
    }
    return Optional.empty();
  }

  private PutResult write(String key, InputStream in, String source, Digest digest, PutMode mode)
      throws IOException {
    try {
      return publisher
          .publishNew(key, digest, mode, temp -> copyInto(temp, in, key, source, digest))
          .orElseThrow();
    } catch (IOException e) {
      throw errors.failure("store", key, e);
    }
  }

  /**
   * Copies {@code in} to the new file {@code temp}, computing SHA-256 on the way, and forces it to
   * disk; refuses bytes whose digest is not {@code digest}.
   */
  private boolean copyInto(Path temp, InputStream in, String key, String source, Digest digest)
      throws IOException {
    MessageDigest sha256 = Digest.newSha256();
    try (FileChannel out =
        FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      byte[] buffer = new byte[BUFFER_BYTES];
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        sha256.update(buffer, 0, n);
        ByteBuffer chunk = ByteBuffer.wrap(buffer, 0, n);
        while (chunk.hasRemaining()) {
          out.write(chunk);
        }
      }
      out.force(true);
    }
    Digest actual = Digest.of(sha256.digest());
    if (!actual.equals(digest)) {
      throw errors.digestMismatch(key, source, actual, digest);
    }
    return true;
  }

  /** Renames {@code source} to {@code temp}; false if they are on different file systems. */
  private static boolean moveInto(Path temp, Path source, String key) throws IOException {
    try {
      Files.move(source, temp, StandardCopyOption.ATOMIC_MOVE);
      return true;
    } catch (AtomicMoveNotSupportedException e) {
      return false;
    } catch (NoSuchFileException e) {
      throw DirectoryStoreErrors.sourceMissing(source, key);
    }
  }

  /**
   * Every object whose key starts with {@code prefix} (a plain string prefix, as in S3: {@code a/b}
   * matches {@code a/b/c} and {@code a/bc}), sorted by key. A prefix no valid key can start with
   * matches nothing. Temporary files and metadata are never listed; objects deleted during the walk
   * may be missing from the result.
   */
  @Override
  public List<ObjectInfo> list(String prefix) throws IOException {
    checkNotNull(prefix, "prefix");
    return listing.list(prefix);
  }

  @Override
  public boolean delete(String key) throws IOException {
    checkKey(key);
    Path path = layout.objectPath(key);
    try {
      Optional<FileVersion> state = FileVersion.stat(path);
      if (state.isEmpty() || !state.get().regularFile()) {
        return false;
      }
      // Renaming first makes the delete atomic: of two deleters only one can move the file, and
      // the moved file's inode names exactly the record to remove.
      Path doomed = DirectoryLayout.doomedBeside(path);
      try {
        Files.move(path, doomed, StandardCopyOption.ATOMIC_MOVE);
      } catch (NoSuchFileException e) {
        return false;
      }
      try {
        FileVersion.stat(doomed).ifPresent(s -> records.delete(key, s.versionId()));
      } finally {
        Files.deleteIfExists(doomed);
      }
      return true;
    } catch (IOException e) {
      throw errors.failure("delete", key, e);
    }
  }

  /** The root folder. */
  @Override
  public String describe() {
    return root.toString();
  }

  /**
   * Removes what crashed writers left behind: temporary files, and records of versions that are not
   * (or no longer) stored, whose last change is older than {@code olderThan}. A temporary file
   * being written is touched continually, so an age of an hour or more never disturbs a live writer
   * that is making progress.
   *
   * @param olderThan the age a leftover must exceed, zero or positive; an hour or more is safe
   *     while other writers run
   * @return how many files were removed
   * @throws IOException if the store's folder cannot be listed or a leftover cannot be deleted
   */
  public int removeStaleTemporaryFiles(Duration olderThan) throws IOException {
    checkNotNull(olderThan, "olderThan");
    checkArgument(!olderThan.isNegative(), "olderThan must not be negative, got %s", olderThan);
    return sweeper.sweep(olderThan);
  }

  /** Does nothing: the store holds no open files or threads. */
  @Override
  public void close() {}

  @Override
  public String toString() {
    return "DirectoryLayerStore[" + root + "]";
  }

  /** A version of an object that was current while its record was read. */
  private record Current(FileVersion file, ObjectInfo info) {}

  /** A channel open on the version {@code info} describes. */
  private record Opened(FileChannel channel, ObjectInfo info) {}
}
