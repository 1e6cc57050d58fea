package dev.halcyon.store;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.halcyon.layer.Digest;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * A folder as a {@link LayerStore}: the local cache, or a "bucket" on a filesystem shared by
 * several processes and machines.
 *
 * <p><b>Layout.</b> The object under key {@code a/b/c.tar.zst} is the plain file {@code
 * <root>/a/b/c.tar.zst}, so any tool can read, copy or sync the folder. Beside it live:
 *
 * <ul>
 *   <li>temporary files named {@code .halcyon-tmp-*}, in the directory of the object being written;
 *   <li>callers' files waiting to be adopted, in {@code <root>/.halcyon/staging/} ({@link
 *       #stagingFolder()});
 *   <li>digest records under {@code <root>/.halcyon/records/}: one small file per stored version,
 *       named {@code <sha256 of key>.i<inode>-<mtime>-<size>} and holding {@code sha256:<hex>
 *       <size> <mtime> <key>}.
 * </ul>
 *
 * Key components starting with {@code .halcyon} are reserved for these, and are refused.
 *
 * <p><b>Why records are keyed by version.</b> A record names the exact file it describes: its inode
 * number, modification time and size, none of which change when a file is renamed or linked (the
 * time and size also tell apart files that reuse the inode number of a deleted one). Every writer
 * writes the record for its own temporary file <em>before</em> that file becomes visible, and a
 * record is removed only after its version has left the path. So a reader can never pair an object
 * with a record written for another version, whatever concurrent writers do. Objects that have no
 * record (written or changed by other tools, or a record lost in a crash) are listed and readable
 * with an empty digest; the size is still checked. Filesystems without inode numbers (Windows) fall
 * back to time and size alone.
 *
 * <p><b>Atomicity without locks.</b> Each writer copies into its own uniquely named temporary file
 * in the object's directory, computing SHA-256 while copying, refuses a digest mismatch with {@link
 * CorruptObjectException} (deleting the temporary file), forces the bytes to disk ({@link
 * FileChannel#force}), writes the record, and then publishes with one atomic system call: {@code
 * rename} ({@link StandardCopyOption#ATOMIC_MOVE}) for {@link PutMode#OVERWRITE}, or a hard link
 * ({@link Files#createLink}), which fails if the key exists, for {@link PutMode#IF_ABSENT}.
 * Deleting renames the object to a temporary name (only one of several deleters can succeed) and
 * then removes it and its record; a version's record is removed only after the version has left the
 * path. A reader reads the record between two looks at the path that find the same version (so the
 * record belongs to a version that was current throughout), opens the file, and checks the path
 * still names that version; so it reads the old object or the whole new one, with the digest that
 * belongs to it, or retries. An object deleted or replaced while being read keeps its bytes until
 * closed (POSIX semantics), and the stream verifies size and digest at its end, which also catches
 * what these checks cannot see (an inode number reused within one clock tick by a file of the same
 * size; NFS clients' cached attributes) as a {@link CorruptObjectException}. Because every step is
 * a single atomic filesystem operation on a file no other writer uses, no lock is needed, inside
 * the JVM or across processes; this works on local filesystems and on NFS, which make {@code
 * rename} and {@code link} atomic, without relying on file locks.
 *
 * <p><b>Adopting files.</b> {@link #putMoving} renames the caller's finished file to such a
 * temporary name instead of copying it (when it is on the same file system), records the digest the
 * caller computed while writing it, and publishes it the same way; the record is written for the
 * renamed file's own inode, time and size, which renaming does not change.
 *
 * <p><b>Limits.</b> A folder cannot hold both a key and keys below it ({@code a/b} and {@code
 * a/b/c}); such a write fails with a {@link StoreException} that says so. On filesystems without
 * hard links {@link PutMode#IF_ABSENT} falls back to "check, then rename": two writers racing for
 * the same new key may then both report {@code written}, the later one's object winning whole.
 * Empty directories are left behind when their last object is deleted. Directory renames are not
 * forced to disk: after a power loss a just-written object may be missing, never partial (an object
 * adopted by {@link #putMoving} is as durable as the caller made it; damage is caught by the digest
 * check on read). The design relies on POSIX semantics (Linux, macOS, NFS): an open file survives
 * being replaced or deleted. On Windows, replacing or deleting an object while it is being read
 * fails instead. NFS clients' {@code .nfs*} stand-ins for files deleted while open are not listed.
 *
 * <p><b>Housekeeping.</b> A writer that crashes leaves its temporary file (and perhaps a record of
 * a version that never appeared); {@link #removeStaleTemporaryFiles(Duration)} removes such
 * leftovers older than a given age, and should be run now and then (e.g. by retention).
 *
 * <p>Thread-safe and safe for several processes sharing the folder. Streams returned by {@link
 * #get} are owned by the caller, who must close them; {@link #close()} does nothing.
 */
public final class DirectoryLayerStore implements LayerStore {
  /** Names starting with this are the store's own: the metadata folder and temporary files. */
  static final String RESERVED_PREFIX = ".halcyon";

  static final String METADATA_DIR = ".halcyon";
  static final String TEMP_PREFIX = ".halcyon-tmp-";
  private static final String RECORDS_DIR = "records";
  private static final String STAGING_DIR = "staging";
  private static final int BUFFER_BYTES = 64 * 1024;
  private static final int OPEN_ATTEMPTS = 5;
  private static final Pattern NFS_SILLY_RENAME = Pattern.compile("\\.nfs[0-9a-f]{24}");
  private static final boolean UNIX_ATTRIBUTES =
      FileSystems.getDefault().supportedFileAttributeViews().contains("unix");

  private final Path root;
  private final Path records;
  private final Path staging;
  private volatile boolean hardLinks;

  /**
   * A store in the folder {@code root}, created if missing.
   *
   * @throws StoreConfigurationException if {@code root} exists and is not a folder
   * @throws IOException if the folder cannot be created
   */
  public DirectoryLayerStore(Path root) throws IOException {
    this(root, true);
  }

  /** For tests: {@code hardLinks=false} exercises the fallback for filesystems without them. */
  DirectoryLayerStore(Path root, boolean hardLinks) throws IOException {
    checkNotNull(root, "root");
    this.root = root.toAbsolutePath().normalize();
    this.records = this.root.resolve(METADATA_DIR).resolve(RECORDS_DIR);
    this.staging = this.root.resolve(METADATA_DIR).resolve(STAGING_DIR);
    this.hardLinks = hardLinks;
    if (Files.exists(this.root) && !Files.isDirectory(this.root)) {
      throw new StoreConfigurationException(
          "store folder " + this.root + " is a file; point the store at a folder");
    }
    try {
      Files.createDirectories(records);
    } catch (IOException e) {
      throw failure("create the store folder", "", e);
    }
  }

  /** The store's folder. */
  public Path root() {
    return root;
  }

  /**
   * A folder on the store's file system (created if missing) where a caller may write a file it
   * then hands to {@link #putMoving}, so that the file is renamed into place rather than copied.
   * Nothing in it is listed as an object; {@link #removeStaleTemporaryFiles(Duration)} removes
   * files left in it.
   */
  public Path stagingFolder() throws IOException {
    try {
      Files.createDirectories(staging);
    } catch (IOException e) {
      throw failure("create the staging folder in", "", e);
    }
    return staging;
  }

  @Override
  public Optional<ObjectInfo> head(String key) throws IOException {
    checkKey(key);
    try {
      return current(key).map(Version::info);
    } catch (IOException e) {
      throw failure("look up", key, e);
    }
  }

  @Override
  public Optional<StoredObject> get(String key) throws IOException {
    checkKey(key);
    Path path = objectPath(key);
    try {
      for (int attempt = 0; attempt < OPEN_ATTEMPTS; attempt++) {
        Optional<Version> version = current(key);
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
          Optional<FileState> opened = stat(path);
          ObjectInfo info = version.get().info();
          if (opened.isEmpty()
              || !opened.get().sameVersion(version.get().state())
              || channel.size() != info.size()) {
            continue;
          }
          InputStream in =
              new VerifyingInputStream(
                  new BufferedInputStream(Channels.newInputStream(channel), BUFFER_BYTES),
                  path.toString(),
                  info.size(),
                  info.digest());
          handedOver = true;
          return Optional.of(new StoredObject(info, in));
        } finally {
          if (!handedOver) {
            channel.close();
          }
        }
      }
    } catch (IOException e) {
      throw failure("read", key, e);
    }
    throw replacedWhileOpened(key);
  }

  /**
   * The version now stored under {@code key} with its recorded digest. The record is read while the
   * version stays current (the path names the same inode before and after), because writers and
   * deleters remove a version's record only once the version is gone from the path.
   */
  private Optional<Version> current(String key) throws IOException {
    Path path = objectPath(key);
    for (int attempt = 0; attempt < OPEN_ATTEMPTS; attempt++) {
      Optional<FileState> before = stat(path);
      if (before.isEmpty() || !before.get().regularFile()) {
        return Optional.empty();
      }
      FileState s = before.get();
      Optional<Digest> digest = readRecord(key, s);
      Optional<FileState> after = stat(path);
      if (after.isPresent() && after.get().sameVersion(s)) {
        return Optional.of(new Version(s, new ObjectInfo(key, s.size(), digest, s.lastModified())));
      }
    }
    throw replacedWhileOpened(key);
  }

  private TransientStoreException replacedWhileOpened(String key) {
    return new TransientStoreException(
        "cannot read '"
            + key
            + "' from "
            + root
            + ": it was replaced "
            + OPEN_ATTEMPTS
            + " times while being opened; retry");
  }

  @Override
  public PutResult put(String key, Path source, Digest digest, PutMode mode) throws IOException {
    checkKey(key);
    checkNotNull(source, "source");
    checkNotNull(digest, "digest");
    checkNotNull(mode, "mode");
    Optional<PutResult> skipped = skipIfPresent(key, digest, mode);
    if (skipped.isPresent()) {
      return skipped.get();
    }
    InputStream in;
    try {
      in = Files.newInputStream(source);
    } catch (NoSuchFileException e) {
      throw new NoSuchFileException(
          source.toString(), null, "cannot store '" + key + "': the source file does not exist");
    }
    try (in) {
      return write(key, in, source.toString(), digest, mode);
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
   * Every object whose key starts with {@code prefix} (a plain string prefix, as in S3: {@code a/b}
   * matches {@code a/b/c} and {@code a/bc}), sorted by key. A prefix no valid key can start with
   * matches nothing. Temporary files and metadata are never listed; objects deleted during the walk
   * may be missing from the result.
   */
  @Override
  public List<ObjectInfo> list(String prefix) throws IOException {
    checkNotNull(prefix, "prefix");
    int slash = prefix.lastIndexOf('/');
    String folder = slash < 0 ? "" : prefix.substring(0, slash);
    // A prefix no valid key can start with (e.g. "../", "/a", "a\\b") matches nothing.
    if (prefix.startsWith("/") || (!folder.isEmpty() && keyProblem(folder) != null)) {
      return List.of();
    }
    Path start = folder.isEmpty() ? root : root.resolve(folder);
    List<String> keys = new ArrayList<>();
    try {
      if (!Files.isDirectory(start)) {
        return List.of();
      }
      Files.walkFileTree(
          start,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
              if (dir.equals(start)) {
                return FileVisitResult.CONTINUE;
              }
              // Enter only folders that can hold matching keys: "a/b" enters a/b/ and a/bc/.
              String folderKey = keyOf(dir) + "/";
              boolean mayMatch = folderKey.startsWith(prefix) || prefix.startsWith(folderKey);
              return mayMatch && !isReserved(dir)
                  ? FileVisitResult.CONTINUE
                  : FileVisitResult.SKIP_SUBTREE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
              if (!attrs.isDirectory() && !isReserved(file) && !isNfsSillyRename(file)) {
                String key = keyOf(file);
                if (key.startsWith(prefix)) {
                  keys.add(key);
                }
              }
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
              if (e instanceof NoSuchFileException) {
                return FileVisitResult.CONTINUE; // deleted while we walked
              }
              throw e;
            }
          });
      Collections.sort(keys);
      List<ObjectInfo> result = new ArrayList<>(keys.size());
      for (String key : keys) {
        current(key).ifPresent(version -> result.add(version.info()));
      }
      return Collections.unmodifiableList(result);
    } catch (IOException e) {
      throw failure("list", prefix, e);
    }
  }

  @Override
  public boolean delete(String key) throws IOException {
    checkKey(key);
    Path path = objectPath(key);
    try {
      Optional<FileState> state = stat(path);
      if (state.isEmpty() || !state.get().regularFile()) {
        return false;
      }
      // Renaming first makes the delete atomic: of two deleters only one can move the file, and
      // the moved file's inode names exactly the record to remove.
      Path doomed = path.resolveSibling(TEMP_PREFIX + "deleted-" + UUID.randomUUID());
      try {
        Files.move(path, doomed, StandardCopyOption.ATOMIC_MOVE);
      } catch (NoSuchFileException e) {
        return false;
      }
      try {
        stat(doomed).ifPresent(s -> deleteRecord(key, s.versionId()));
      } finally {
        Files.deleteIfExists(doomed);
      }
      return true;
    } catch (IOException e) {
      throw failure("delete", key, e);
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
   * @return how many files were removed
   */
  public int removeStaleTemporaryFiles(Duration olderThan) throws IOException {
    checkNotNull(olderThan, "olderThan");
    checkArgument(!olderThan.isNegative(), "olderThan must not be negative, got %s", olderThan);
    FileTime cutoff = FileTime.from(Instant.now().minus(olderThan));
    int[] removed = {0};
    try {
      Files.walkFileTree(
          root,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
                throws IOException {
              if (attrs.lastModifiedTime().compareTo(cutoff) >= 0) {
                return FileVisitResult.CONTINUE;
              }
              String name = file.getFileName().toString();
              boolean stale =
                  name.startsWith(TEMP_PREFIX)
                      || staging.equals(file.getParent())
                      || (records.equals(file.getParent().getParent()) && isOrphanRecord(file));
              if (stale && Files.deleteIfExists(file)) {
                removed[0]++;
              }
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
              if (e instanceof NoSuchFileException) {
                return FileVisitResult.CONTINUE;
              }
              throw e;
            }
          });
    } catch (IOException e) {
      throw failure("clean up temporary files in", "", e);
    }
    return removed[0];
  }

  /** Does nothing: the store holds no open files or threads. */
  @Override
  public void close() {}

  @Override
  public String toString() {
    return "DirectoryLayerStore[" + root + "]";
  }

  // --- writing ---

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
    Path target = objectPath(key);
    Path temp = null;
    try {
      createParents(key, target.getParent());
      temp = target.resolveSibling(TEMP_PREFIX + UUID.randomUUID());
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
        throw new CorruptObjectException(
            "refused to store '"
                + key
                + "' in "
                + root
                + ": "
                + source
                + " has digest "
                + actual
                + ", not the "
                + digest
                + " given; nothing was stored");
      }
      return publish(key, target, temp, digest, mode);
    } catch (IOException e) {
      throw failure("store", key, e);
    } finally {
      if (temp != null) {
        deleteQuietly(temp);
      }
    }
  }

  /**
   * Records the digest of the finished temporary file {@code temp} (beside {@code target}) and
   * publishes it under {@code key}; see the class comment.
   */
  private PutResult publish(String key, Path target, Path temp, Digest digest, PutMode mode)
      throws IOException {
    FileState written = stat(temp).orElseThrow(() -> vanished(temp));
    String versionId = written.versionId();
    writeRecord(key, written, digest);
    ObjectInfo info =
        new ObjectInfo(key, written.size(), Optional.of(digest), written.lastModified());
    if (mode == PutMode.OVERWRITE) {
      return overwrite(key, target, temp, versionId, info);
    }
    return createIfAbsent(key, target, temp, versionId, info);
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
    Path target = objectPath(key);
    Path temp = null;
    try {
      createParents(key, target.getParent());
      temp = target.resolveSibling(TEMP_PREFIX + UUID.randomUUID());
      try {
        Files.move(source, temp, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        // Another file system: copy (and check) it instead.
        PutResult copied = put(key, source, digest, mode);
        Files.deleteIfExists(source);
        return copied;
      } catch (NoSuchFileException e) {
        throw new NoSuchFileException(
            source.toString(), null, "cannot store '" + key + "': the source file does not exist");
      }
      return publish(key, target, temp, digest, mode);
    } catch (IOException e) {
      throw failure("store", key, e);
    } finally {
      if (temp != null) {
        deleteQuietly(temp);
      }
    }
  }

  private PutResult overwrite(String key, Path target, Path temp, String versionId, ObjectInfo info)
      throws IOException {
    refuseFolder(key, target);
    Optional<FileState> replaced = stat(target);
    Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
    // The version we replaced is unreachable now; drop its record unless (through inode reuse) it
    // is somehow current again. Any record missed here is swept by removeStaleTemporaryFiles.
    if (replaced.isPresent() && !replaced.get().versionId().equals(versionId)) {
      String old = replaced.get().versionId();
      Optional<FileState> now = stat(target);
      if (now.isEmpty() || !now.get().versionId().equals(old)) {
        deleteRecord(key, old);
      }
    }
    return new PutResult(info, true);
  }

  private PutResult createIfAbsent(
      String key, Path target, Path temp, String versionId, ObjectInfo info) throws IOException {
    for (int attempt = 0; attempt < OPEN_ATTEMPTS; attempt++) {
      if (publishIfAbsent(key, target, temp)) {
        return new PutResult(info, true);
      }
      Optional<ObjectInfo> existing = head(key);
      if (existing.isPresent()) {
        deleteRecord(key, versionId);
        return new PutResult(existing.get(), false);
      }
      refuseFolder(key, target);
      // The existing object was deleted between our attempt and the look-up: try again.
    }
    deleteRecord(key, versionId);
    throw new TransientStoreException(
        "cannot store '"
            + key
            + "' in "
            + root
            + ": it was created and deleted "
            + OPEN_ATTEMPTS
            + " times while we tried; retry");
  }

  /** Publishes {@code temp} as {@code target} if nothing is there; false if something is. */
  private boolean publishIfAbsent(String key, Path target, Path temp) throws IOException {
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
    // Not atomic against another writer of the same key; see the class comment.
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
    Path p = root;
    for (String part : key.split("/")) {
      p = p.resolve(part);
      if (Files.exists(p) && !Files.isDirectory(p)) {
        blocking = keyOf(p);
        break;
      }
    }
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

  private void refuseFolder(String key, Path target) throws StoreException {
    if (Files.isDirectory(target)) {
      throw new StoreException(
          "cannot store '"
              + key
              + "' in "
              + root
              + ": it is a folder holding keys '"
              + key
              + "/...', and a folder store cannot hold a key that is also a folder; choose another"
              + " key");
    }
  }

  // --- records ---

  private Path recordPath(String key, String versionId) {
    String keyHash = Digest.sha256(key).hex();
    return records.resolve(keyHash.substring(0, 2)).resolve(keyHash + "." + versionId);
  }

  private void writeRecord(String key, FileState file, Digest digest) throws IOException {
    Path record = recordPath(key, file.versionId());
    Files.createDirectories(record.getParent());
    Path temp = record.resolveSibling(TEMP_PREFIX + UUID.randomUUID());
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
      deleteQuietly(temp);
    }
  }

  /**
   * The recorded digest of the file {@code version} of {@code key}. The record must also agree on
   * size and modification time, so a record left for a deleted file whose inode number was reused
   * does not apply to the new file.
   */
  private Optional<Digest> readRecord(String key, FileState version) throws IOException {
    return parseRecord(recordPath(key, version.versionId()))
        .filter(r -> r.describes(key, version))
        .map(Record::digest);
  }

  private static Optional<Record> parseRecord(Path record) throws IOException {
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
          new Record(
              Digest.parse(parts[0]), Long.parseLong(parts[1]), Instant.parse(parts[2]), parts[3]));
    } catch (IllegalArgumentException | DateTimeParseException e) {
      return Optional.empty();
    }
  }

  private void deleteRecord(String key, String versionId) {
    deleteQuietly(recordPath(key, versionId));
  }

  private boolean isOrphanRecord(Path record) throws IOException {
    Optional<Record> parsed = parseRecord(record);
    if (parsed.isEmpty() || keyProblem(parsed.get().key()) != null) {
      return true;
    }
    String name = record.getFileName().toString();
    String versionId = name.substring(name.indexOf('.') + 1);
    Optional<FileState> current = stat(objectPath(parsed.get().key()));
    return current.isEmpty()
        || !current.get().versionId().equals(versionId)
        || !parsed.get().describes(parsed.get().key(), current.get());
  }

  // --- files and keys ---

  private Path objectPath(String key) {
    return root.resolve(key);
  }

  private String keyOf(Path file) {
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

  private static boolean isReserved(Path file) {
    return file.getFileName().toString().startsWith(RESERVED_PREFIX);
  }

  /** An NFS client's stand-in for a file deleted while open ("silly rename"); not an object. */
  private static boolean isNfsSillyRename(Path file) {
    return NFS_SILLY_RENAME.matcher(file.getFileName().toString()).matches();
  }

  /** One {@code stat}: the inode, size, modification time and type of the file; empty if absent. */
  private static Optional<FileState> stat(Path path) throws IOException {
    try {
      if (UNIX_ATTRIBUTES) {
        Map<String, Object> a =
            Files.readAttributes(path, "unix:ino,size,lastModifiedTime,isRegularFile");
        return Optional.of(
            new FileState(
                "i" + a.get("ino"),
                (Long) a.get("size"),
                ((FileTime) a.get("lastModifiedTime")).toInstant(),
                (Boolean) a.get("isRegularFile")));
      }
      BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class);
      Instant modified = a.lastModifiedTime().toInstant();
      return Optional.of(new FileState("x", a.size(), modified, a.isRegularFile()));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (FileSystemException e) {
      // ENOTDIR: a parent "folder" is a file, so nothing can be stored at this path.
      if (!(e instanceof AccessDeniedException) && hasFileAncestor(path)) {
        return Optional.empty();
      }
      throw e;
    }
  }

  private static boolean hasFileAncestor(Path path) {
    for (Path p = path.getParent(); p != null; p = p.getParent()) {
      if (Files.exists(p)) {
        return !Files.isDirectory(p);
      }
    }
    return false;
  }

  private static IOException vanished(Path file) {
    return new NoSuchFileException(
        file.toString(), null, "was removed while being written; is another cleanup running?");
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      // Leftovers are harmless and removeStaleTemporaryFiles sweeps them.
    }
  }

  private StoreException failure(String action, String key, IOException e) {
    if (e instanceof StoreException) {
      return (StoreException) e;
    }
    String what = key.isEmpty() ? "" : " '" + key + "'";
    if (e instanceof AccessDeniedException) {
      return new StoreAccessException(
          "cannot "
              + action
              + what
              + " in folder store "
              + root
              + ": permission denied on "
              + ((AccessDeniedException) e).getFile()
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

  /** What one {@code stat} of a path says. */
  private record FileState(String inode, long size, Instant lastModified, boolean regularFile) {
    /**
     * Names this very version of a file: inode numbers are reused as soon as a file is deleted, so
     * the modification time and size are part of the name. Renaming or linking changes none of it.
     */
    String versionId() {
      return inode
          + "-"
          + lastModified.getEpochSecond()
          + "."
          + lastModified.getNano()
          + "-"
          + size;
    }

    boolean sameVersion(FileState other) {
      return versionId().equals(other.versionId());
    }
  }

  /** The contents of a digest record. */
  private record Record(Digest digest, long size, Instant modified, String key) {
    boolean describes(String key, FileState file) {
      return this.key.equals(key) && size == file.size() && modified.equals(file.lastModified());
    }
  }

  /** A version of an object that was current while its record was read. */
  private record Version(FileState state, ObjectInfo info) {}
}
