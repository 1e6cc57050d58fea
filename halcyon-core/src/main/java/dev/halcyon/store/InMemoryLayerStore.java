package dev.halcyon.store;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.halcyon.hash.VerifyingInputStream;
import dev.halcyon.layer.Digest;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.LongConsumer;

/**
 * A {@link LayerStore} held in memory: a strict fake for tests, including embedders' own.
 *
 * <p>It is as strict as the real stores, and stricter where a fake can afford it: {@link
 * #put(String, Path, Digest, PutMode)} reads the whole file, computing its SHA-256 as it goes, and
 * stores nothing if it differs from the digest given, even when the key already exists (real stores
 * may skip reading the file then); writing the same bytes again reports {@code written=false};
 * {@link #get} returns a {@link VerifyingInputStream}; and every stream handed out, by {@link #get}
 * and by {@link #getRange(String, long, long)} alike, is tracked until it is closed, so {@link
 * #assertNoOpenStreams()} can name the keys whose streams leaked. {@link PutMode#IF_ABSENT} is one
 * atomic map operation, so concurrent writers of a key see exactly one winner. Objects' {@code
 * lastModified} comes from the {@link Clock} given to the constructor.
 *
 * <p>Keys are any non-empty strings. Objects must fit in a byte array (under 2 GiB each).
 *
 * <p>Thread-safe. {@link #close()} does nothing and does not check for leaks: a store is usually
 * closed in a {@code finally} block, where throwing would hide the failure that got there. Call
 * {@link #assertNoOpenStreams()} at the end of a test instead. The store stays usable after {@code
 * close()}.
 */
public final class InMemoryLayerStore implements LayerStore {
  private static final int MAX_OBJECT_BYTES = Integer.MAX_VALUE - 8;

  private final Clock clock;
  private final ConcurrentSkipListMap<String, Entry> objects = new ConcurrentSkipListMap<>();
  private final Set<TrackedStream> openStreams = ConcurrentHashMap.newKeySet();

  /** A store whose objects are stamped with the system clock. */
  public InMemoryLayerStore() {
    this(Clock.systemUTC());
  }

  /**
   * A store whose objects are stamped with {@code clock}'s time when written.
   *
   * @param clock stamps each object's {@code lastModified} when it is written
   */
  public InMemoryLayerStore(Clock clock) {
    this.clock = checkNotNull(clock, "clock");
  }

  @Override
  public Optional<ObjectInfo> head(String key) {
    checkKey(key);
    return Optional.ofNullable(objects.get(key)).map(entry -> entry.info(key));
  }

  @Override
  public Optional<StoredObject> get(String key) {
    checkKey(key);
    Entry entry = objects.get(key);
    if (entry == null) {
      return Optional.empty();
    }
    ObjectInfo info = entry.info(key);
    TrackedStream tracked = new TrackedStream(key, new ByteArrayInputStream(entry.bytes));
    openStreams.add(tracked);
    InputStream verifying =
        new VerifyingInputStream(
            tracked, describe(key), entry.bytes.length, info.digest(), CorruptObjectException::new);
    return Optional.of(new StoredObject(info, verifying));
  }

  /**
   * The range, from the one immutable array the key held when called: a concurrent overwrite or
   * delete never shows in a stream already returned.
   */
  @Override
  public Optional<InputStream> getRange(String key, long offset, long length) {
    checkKey(key);
    Ranges.checkRange(offset, length);
    return range(key, objects.get(key), offset, length);
  }

  @Override
  public Optional<InputStream> getRange(ObjectInfo object, long offset, long length)
      throws ObjectChangedException {
    checkNotNull(object, "object");
    checkKey(object.key());
    Ranges.checkRange(offset, length);
    Entry entry = objects.get(object.key());
    if (entry != null && !object.isSameObject(entry.info(object.key()))) {
      throw Ranges.changed(describe(), object, entry.info(object.key()));
    }
    return range(object.key(), entry, offset, length);
  }

  private Optional<InputStream> range(String key, Entry entry, long offset, long length) {
    if (entry == null) {
      return Optional.empty();
    }
    int start = (int) Math.min(offset, entry.bytes.length);
    int end = (int) Ranges.end(offset, length, entry.bytes.length);
    TrackedStream tracked =
        new TrackedStream(key, new ByteArrayInputStream(entry.bytes, start, end - start));
    openStreams.add(tracked);
    return Optional.of(tracked);
  }

  @Override
  public PutResult put(String key, Path source, Digest digest, PutMode mode) throws IOException {
    checkKey(key);
    checkNotNull(source, "source");
    checkNotNull(digest, "digest");
    checkNotNull(mode, "mode");
    byte[] bytes = readVerified(key, source, digest, done -> {});
    return store(key, bytes, digest, mode);
  }

  /**
   * Reads and stores {@code source} as {@link #put(String, Path, Digest, PutMode)} does, telling
   * {@code sent} the bytes read after every read of the file, on the calling thread; then, once
   * stored, the file's size once more.
   */
  @Override
  public PutResult put(String key, Path source, Digest digest, PutMode mode, LongConsumer sent)
      throws IOException {
    checkKey(key);
    checkNotNull(source, "source");
    checkNotNull(digest, "digest");
    checkNotNull(mode, "mode");
    checkNotNull(sent, "sent");
    byte[] bytes = readVerified(key, source, digest, sent);
    PutResult result = store(key, bytes, digest, mode);
    sent.accept(bytes.length);
    return result;
  }

  @Override
  public PutResult put(String key, byte[] bytes, PutMode mode) {
    checkKey(key);
    checkNotNull(bytes, "bytes");
    checkNotNull(mode, "mode");
    byte[] copy = bytes.clone();
    return store(key, copy, Digest.sha256(copy), mode);
  }

  @Override
  public List<ObjectInfo> list(String prefix) {
    checkNotNull(prefix, "prefix");
    NavigableMap<String, Entry> range = prefix.isEmpty() ? objects : objects.tailMap(prefix, true);
    List<ObjectInfo> result = new ArrayList<>();
    for (Map.Entry<String, Entry> e : range.entrySet()) {
      if (!e.getKey().startsWith(prefix)) {
        break;
      }
      result.add(e.getValue().info(e.getKey()));
    }
    return Collections.unmodifiableList(result);
  }

  @Override
  public boolean delete(String key) {
    checkKey(key);
    return objects.remove(key) != null;
  }

  @Override
  public String describe() {
    return "memory:" + Integer.toHexString(System.identityHashCode(this));
  }

  /**
   * How many streams returned by {@link #get} and {@code getRange} have not been closed yet.
   *
   * @return the number of streams read from this store and not closed, 0 when every reader closed
   *     its stream
   */
  public int openStreams() {
    return openStreams.size();
  }

  /**
   * Checks that every stream returned by {@link #get} and {@code getRange} was closed.
   *
   * @throws IllegalStateException naming the keys (and how many streams each) that were read but
   *     never closed
   */
  public void assertNoOpenStreams() {
    Map<String, Integer> leaked = new TreeMap<>();
    for (TrackedStream stream : openStreams) {
      leaked.merge(stream.key, 1, Integer::sum);
    }
    if (!leaked.isEmpty()) {
      int total = leaked.values().stream().mapToInt(Integer::intValue).sum();
      throw new IllegalStateException(
          total
              + " stream(s) from "
              + describe()
              + " were never closed, for key(s) "
              + leaked
              + "; close every StoredObject returned by get() and every stream returned by getRange(), e.g. with try-with-resources");
    }
  }

  /** Does nothing; see the class comment for why leaks are not checked here. */
  @Override
  public void close() {}

  private PutResult store(String key, byte[] bytes, Digest digest, PutMode mode) {
    Entry fresh = new Entry(bytes, digest, clock.instant());
    Entry now;
    if (mode == PutMode.IF_ABSENT) {
      Entry previous = objects.putIfAbsent(key, fresh);
      now = previous == null ? fresh : previous;
    } else {
      // The remapping function may run more than once under contention; it is pure, and the
      // identity of the result tells whether this write is the one that landed.
      now =
          objects.compute(key, (k, old) -> old != null && old.digest.equals(digest) ? old : fresh);
    }
    return new PutResult(now.info(key), now == fresh);
  }

  private byte[] readVerified(String key, Path source, Digest digest, LongConsumer sent)
      throws IOException {
    MessageDigest sha256 = Digest.newSha256();
    byte[] bytes;
    try (FileChannel channel = FileChannel.open(source, StandardOpenOption.READ)) {
      long size = channel.size();
      if (size > MAX_OBJECT_BYTES) {
        throw new StoreException(
            "cannot store '"
                + key
                + "' in "
                + describe()
                + ": "
                + source
                + " has "
                + size
                + " bytes, more than an in-memory store can hold; use a DirectoryLayerStore");
      }
      bytes = new byte[(int) size];
      ByteBuffer buffer = ByteBuffer.wrap(bytes);
      while (buffer.hasRemaining()) {
        int start = buffer.position();
        if (channel.read(buffer) < 0) {
          throw new EOFException(
              source + " shrank while '" + key + "' was being stored; write the file first");
        }
        sha256.update(bytes, start, buffer.position() - start);
        sent.accept(buffer.position());
      }
      if (channel.read(ByteBuffer.allocate(1)) >= 0) {
        throw new StoreException(
            "cannot store '" + key + "': " + source + " grew while it was read; write it first");
      }
    } catch (NoSuchFileException e) {
      throw new NoSuchFileException(
          source.toString(), null, "cannot store '" + key + "': the source file does not exist");
    }
    Digest actual = Digest.of(sha256.digest());
    if (!actual.equals(digest)) {
      throw StoreErrors.digestMismatch(key, describe(), source.toString(), actual, digest);
    }
    return bytes;
  }

  private String describe(String key) {
    return describe() + "/" + key;
  }

  private static void checkKey(String key) {
    checkNotNull(key, "key");
    checkArgument(!key.isEmpty(), "key must not be empty");
  }

  /** An immutable stored object; {@code bytes} is never exposed or changed. */
  private static final class Entry {
    final byte[] bytes;
    final Digest digest;
    final Instant lastModified;

    Entry(byte[] bytes, Digest digest, Instant lastModified) {
      this.bytes = bytes;
      this.digest = digest;
      this.lastModified = lastModified;
    }

    ObjectInfo info(String key) {
      return new ObjectInfo(key, bytes.length, Optional.of(digest), lastModified);
    }
  }

  /** Removes itself from the open set when closed, so leaks can be reported by key. */
  private final class TrackedStream extends FilterInputStream {
    final String key;

    TrackedStream(String key, InputStream in) {
      super(in);
      this.key = key;
    }

    @Override
    public void close() throws IOException {
      openStreams.remove(this);
      super.close();
    }
  }
}
