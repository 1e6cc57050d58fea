package dev.halcyon.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.halcyon.layer.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongConsumer;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The behaviour every {@link LayerStore} must show, as one JUnit 5 test class to extend.
 *
 * <p>Shipped in the halcyon-core test-jar. To test a store, extend this class and implement {@link
 * #newStore()}, returning a fresh, empty store for each test (a new folder, bucket or prefix). The
 * kit closes the store after each test, after calling {@link #assertNoLeaks(LayerStore)}.
 *
 * <p>What it holds a store to: absence is a value; reads return the exact bytes, size and digest
 * written; a digest mismatch stores nothing; {@link PutMode#OVERWRITE} replaces and {@link
 * PutMode#IF_ABSENT} keeps the first object, also under concurrent writers; writing the same bytes
 * again succeeds; {@link LayerStore#list} uses plain string prefixes (as in S3, {@code a/b} matches
 * {@code a/b/c} and {@code a/bc}) and returns every key, sorted, beyond any page size; deletes
 * report absence; a large object streams through without being held in memory; readers racing
 * deletes and overwrites see nothing, the whole verified object, or a clean {@link IOException},
 * never a short or mixed object that passes as whole. Ranged reads return exactly the bytes asked
 * for, shortened at the end of the object, empty streams at or past the end, and never mix two
 * objects; a read of one {@link ObjectInfo}'s ranges detects an overwrite ({@link
 * ObjectChangedException}). {@link LayerStore#list} may leave the digest empty (S3 listings carry
 * no metadata) but must not report a wrong one; {@link LayerStore#head} and {@link LayerStore#get}
 * must report the digest written. A put with a {@code sent} callback tells it a rising total, never
 * beyond the file's size, one call at a time, never after it returns, ending at the size (also when
 * nothing had to be sent).
 *
 * <p>The kit never uses a key that is also a "folder" of another key ({@code a/b} beside {@code
 * a/b/c}), which a folder-backed store cannot hold. Errors are asserted by type and by naming the
 * key or file concerned.
 *
 * <p>For a local store the whole kit takes well under 30 seconds; the large object dominates.
 */
public abstract class LayerStoreContract {
  private static final int MIB = 1024 * 1024;

  /**
   * The two ways to store a file, which every file test runs through: {@link LayerStore#put(String,
   * Path, Digest, PutMode)} and {@link LayerStore#putMoving}, which may take the file.
   */
  enum Put {
    FILE(false) {
      @Override
      PutResult put(LayerStore store, String key, Path source, Digest digest, PutMode mode)
          throws IOException {
        return store.put(key, source, digest, mode);
      }
    },
    MOVING(true) {
      @Override
      PutResult put(LayerStore store, String key, Path source, Digest digest, PutMode mode)
          throws IOException {
        return store.putMoving(key, source, digest, mode);
      }
    };

    /** Whether the source file is gone once the call returns, even when nothing was written. */
    final boolean takesTheFile;

    Put(boolean takesTheFile) {
      this.takesTheFile = takesTheFile;
    }

    abstract PutResult put(LayerStore store, String key, Path source, Digest digest, PutMode mode)
        throws IOException;
  }

  /** A fresh folder for source files; subclasses may use it too. */
  @TempDir protected Path tempDir;

  /** The store under test, new for each test. */
  protected LayerStore store;

  /** Returns a fresh, empty store; called once before each test. */
  protected abstract LayerStore newStore() throws Exception;

  /**
   * Fails if {@code store} leaked a resource, e.g. a stream that was closed by the test but not
   * released by the store. Called after each test and after the stream-closing tests. Default: no
   * check.
   */
  protected void assertNoLeaks(LayerStore store) throws Exception {}

  /** The size of the large-object test; lower it for stores that hold bytes in memory. */
  protected long largeObjectBytes() {
    return 200L * MIB;
  }

  /**
   * Whether one read serves one version of an object whole: its size, digest and bytes together.
   * Real stores do (an S3 GET is atomic). Override with false only for a test server known to read
   * an object's metadata and its bytes in two steps (S3Mock 5.2), where a read racing an overwrite
   * can pair the old version's metadata with the new version's bytes, so that a ranged read of one
   * {@link ObjectInfo} cannot notice the change, and a read racing a write can meet the object
   * while it is empty (S3Mock writes the file in place). The kit then still requires every range to
   * be empty or wholly one object's bytes, never a mixture.
   */
  protected boolean readsAreAtomic() {
    return true;
  }

  /** How many keys the listing test writes; over S3's page of 1,000 by default. */
  protected int manyKeysCount() {
    return 1_100;
  }

  @BeforeEach
  void openStore() throws Exception {
    store = newStore();
    assertThat(store.list("")).as("a new store must be empty").isEmpty();
  }

  @AfterEach
  void closeStore() throws Exception {
    if (store != null) {
      try {
        assertNoLeaks(store);
      } finally {
        store.close();
      }
    }
  }

  // --- absence ---

  @Test
  void head_missingKey_returnsEmpty() throws Exception {
    assertThat(store.head("missing/key.tar.zst")).isEmpty();
  }

  @Test
  void get_missingKey_returnsEmpty() throws Exception {
    assertThat(store.get("missing/key.tar.zst")).isEmpty();
  }

  @Test
  void delete_missingKey_returnsFalse() throws Exception {
    assertThat(store.delete("missing/key.tar.zst")).isFalse();
  }

  // --- round trips ---

  @ParameterizedTest(name = "{0}")
  @EnumSource(Put.class)
  void put_newKey_headAndGetReturnSameBytesSizeAndDigest(Put put) throws Exception {
    byte[] bytes = randomBytes(1, 300_000);
    Digest digest = Digest.sha256(bytes);
    Path source = file(bytes);

    PutResult result =
        put.put(store, "linux-x86_64/halcyon-install-1.tar.zst", source, digest, PutMode.OVERWRITE);

    assertThat(result.written()).isTrue();
    assertInfo(result.info(), "linux-x86_64/halcyon-install-1.tar.zst", bytes);
    assertInfo(
        store.head("linux-x86_64/halcyon-install-1.tar.zst").orElseThrow(),
        "linux-x86_64/halcyon-install-1.tar.zst",
        bytes);
    assertThat(read("linux-x86_64/halcyon-install-1.tar.zst")).isEqualTo(bytes);
    if (put.takesTheFile) {
      assertThat(source).doesNotExist();
    }
  }

  @Test
  void putBytes_smallObject_roundTrips() throws Exception {
    byte[] bytes = "{\"layer\":\"install\"}\n".getBytes(StandardCharsets.UTF_8);

    PutResult result = store.put("tags/install.json", bytes, PutMode.IF_ABSENT);

    assertThat(result.written()).isTrue();
    assertInfo(store.head("tags/install.json").orElseThrow(), "tags/install.json", bytes);
    assertThat(read("tags/install.json")).isEqualTo(bytes);
  }

  @Test
  void putBytes_emptyObject_roundTrips() throws Exception {
    store.put("empty", new byte[0], PutMode.OVERWRITE);

    assertInfo(store.head("empty").orElseThrow(), "empty", new byte[0]);
    assertThat(read("empty")).isEmpty();
  }

  @Test
  void putBytes_arrayChangedAfterPut_storedObjectUnchanged() throws Exception {
    byte[] bytes = randomBytes(2, 1000);
    byte[] original = bytes.clone();

    store.put("k", bytes, PutMode.OVERWRITE);
    bytes[0] ^= 1;

    assertThat(read("k")).isEqualTo(original);
  }

  @Test
  void putFile_wrongDigest_throwsCorruptObjectAndStoresNothing() throws Exception {
    byte[] bytes = randomBytes(3, 100_000);
    Digest wrong = Digest.sha256("something else");

    assertThatThrownBy(() -> store.put("bad/object.tar.zst", file(bytes), wrong, PutMode.OVERWRITE))
        .isInstanceOf(CorruptObjectException.class)
        .hasMessageContaining("bad/object.tar.zst");

    assertThat(store.head("bad/object.tar.zst")).isEmpty();
    assertThat(store.get("bad/object.tar.zst")).isEmpty();
    assertThat(store.list("")).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Put.class)
  void put_sourceMissing_throwsIoExceptionNamingFileAndStoresNothing(Put put) throws Exception {
    Path missing = tempDir.resolve("no-such-archive.tar.zst");

    assertThatThrownBy(() -> put.put(store, "k", missing, Digest.sha256("x"), PutMode.OVERWRITE))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("no-such-archive.tar.zst");

    assertThat(store.list("")).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Put.class)
  void put_overwriteExisting_replacesObject(Put put) throws Exception {
    byte[] first = randomBytes(4, 50_000);
    byte[] second = randomBytes(5, 70_000);
    put.put(store, "build/app.tar.zst", file(first), Digest.sha256(first), PutMode.OVERWRITE);

    PutResult result =
        put.put(store, "build/app.tar.zst", file(second), Digest.sha256(second), PutMode.OVERWRITE);

    assertThat(result.written()).isTrue();
    assertInfo(store.head("build/app.tar.zst").orElseThrow(), "build/app.tar.zst", second);
    assertThat(read("build/app.tar.zst")).isEqualTo(second);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Put.class)
  void put_ifAbsentOnExisting_returnsNotWrittenAndKeepsFirst(Put put) throws Exception {
    byte[] first = randomBytes(6, 50_000);
    byte[] second = randomBytes(7, 60_000);
    store.put("deps/x.tar.zst", file(first), Digest.sha256(first), PutMode.IF_ABSENT);
    Path source = file(second);

    PutResult result =
        put.put(store, "deps/x.tar.zst", source, Digest.sha256(second), PutMode.IF_ABSENT);

    assertThat(result.written()).isFalse();
    assertThat(result.info().key()).isEqualTo("deps/x.tar.zst");
    assertInfo(store.head("deps/x.tar.zst").orElseThrow(), "deps/x.tar.zst", first);
    assertThat(read("deps/x.tar.zst")).isEqualTo(first);
    if (put.takesTheFile) {
      assertThat(source).doesNotExist();
    }
  }

  @Test
  void putFile_sameBytesTwice_isIdempotent() throws Exception {
    byte[] bytes = randomBytes(8, 40_000);
    Digest digest = Digest.sha256(bytes);
    store.put("same", file(bytes), digest, PutMode.OVERWRITE);

    PutResult again = store.put("same", file(bytes), digest, PutMode.OVERWRITE);
    PutResult ifAbsent = store.put("same", file(bytes), digest, PutMode.IF_ABSENT);

    assertInfo(again.info(), "same", bytes);
    assertThat(ifAbsent.written()).isFalse();
    assertInfo(store.head("same").orElseThrow(), "same", bytes);
    assertThat(read("same")).isEqualTo(bytes);
    assertThat(store.list("")).extracting(ObjectInfo::key).containsExactly("same");
  }

  // --- progress of a put ---

  /**
   * How large the biggest file of the progress tests is: large enough that a store sending parts
   * sends several (S3 stores at their default sizes do).
   */
  protected long progressObjectBytes() {
    return 40L * MIB;
  }

  @Test
  void putWithProgress_newFiles_toldARisingTotalEndingAtTheSizeNeverAfter() throws Exception {
    for (long size : new long[] {0, 1, 100_000, progressObjectBytes()}) {
      String key = "progress/" + size + ".tar.zst";
      Path source = tempDir.resolve(size + ".bin");
      Digest digest = writeSeeded(source, size, size);
      SentRecorder sent = new SentRecorder(size);

      PutResult result = store.put(key, source, digest, PutMode.OVERWRITE, sent);
      sent.returned();

      assertThat(result.written()).as(key).isTrue();
      ObjectInfo info = store.head(key).orElseThrow();
      assertThat(info.size()).as(key).isEqualTo(size);
      assertThat(info.digest()).as(key).contains(digest);
      assertThat(store.list("progress/")).isNotEmpty();
      sent.assertKept(key);
      assertThat(source).as("put leaves the file").exists();
    }
  }

  @Test
  void putWithProgress_nothingToSend_stillToldTheSizeLast() throws Exception {
    byte[] first = randomBytes(30, 60_000);
    byte[] other = randomBytes(31, 70_000);
    store.put("deps/x.tar.zst", file(first), Digest.sha256(first), PutMode.OVERWRITE);

    SentRecorder same = new SentRecorder(first.length);
    PutResult again =
        store.put("deps/x.tar.zst", file(first), Digest.sha256(first), PutMode.OVERWRITE, same);
    same.returned();
    SentRecorder taken = new SentRecorder(other.length);
    PutResult ifAbsent =
        store.put("deps/x.tar.zst", file(other), Digest.sha256(other), PutMode.IF_ABSENT, taken);
    taken.returned();

    assertInfo(again.info(), "deps/x.tar.zst", first);
    assertThat(ifAbsent.written()).isFalse();
    assertThat(read("deps/x.tar.zst")).isEqualTo(first);
    same.assertKept("the same bytes again");
    taken.assertKept("IF_ABSENT on a taken key");
  }

  @Test
  void putWithProgress_wrongDigest_neverBeyondTheSizeNorAfterItThrows() throws Exception {
    byte[] bytes = randomBytes(32, 100_000);
    SentRecorder sent = new SentRecorder(bytes.length);

    assertThatThrownBy(
            () ->
                store.put(
                    "bad/object.tar.zst",
                    file(bytes),
                    Digest.sha256("something else"),
                    PutMode.OVERWRITE,
                    sent))
        .isInstanceOf(CorruptObjectException.class)
        .hasMessageContaining("bad/object.tar.zst");
    sent.returned();

    assertThat(store.head("bad/object.tar.zst")).isEmpty();
    assertThat(store.list("")).isEmpty();
    assertThat(sent.breaches()).isEmpty();
  }

  /**
   * A {@code sent} callback for {@link LayerStore#put(String, Path, Digest, PutMode, LongConsumer)}
   * that records every total it is told and every rule broken: a total lower than the one before or
   * above the file's size, a call while another is running, a call after {@link #returned()}.
   * Thread-safe, for stores that call from their own threads.
   */
  public static final class SentRecorder implements LongConsumer {
    private final long size;
    private final List<Long> totals = new CopyOnWriteArrayList<>();
    private final List<String> breaches = new CopyOnWriteArrayList<>();
    private final AtomicBoolean inCall = new AtomicBoolean();
    private volatile boolean returned;

    /** A recorder for a file of {@code size} bytes. */
    public SentRecorder(long size) {
      this.size = size;
    }

    @Override
    public void accept(long total) {
      if (!inCall.compareAndSet(false, true)) {
        breaches.add("called with " + total + " while another call was running");
      }
      try {
        if (returned) {
          breaches.add("called with " + total + " after put returned");
        }
        if (total > size) {
          breaches.add("told " + total + ", more than the file's " + size + " bytes");
        }
        if (!totals.isEmpty() && total < totals.get(totals.size() - 1)) {
          breaches.add("told " + total + " after " + totals.get(totals.size() - 1));
        }
        totals.add(total);
      } finally {
        inCall.set(false);
      }
    }

    /** Marks the put as returned (or thrown): any later call is a breach. */
    public void returned() {
      returned = true;
    }

    /** Every total told so far, in order. */
    public List<Long> totals() {
      return List.copyOf(totals);
    }

    /** Every rule broken so far, one line each. */
    public List<String> breaches() {
      return List.copyOf(breaches);
    }

    /**
     * Fails unless every rule was kept and the last total told is the file's size. Call after
     * {@link #returned()} and after another request to the store, so a late call would be seen.
     */
    public void assertKept(String what) {
      assertThat(breaches()).as("%s: rules broken by the sent callback", what).isEmpty();
      assertThat(totals()).as("%s: totals told", what).isNotEmpty().last().isEqualTo(size);
    }
  }

  // --- storing a file while it is written ---

  /** Writes {@code bytes} into {@code file} in 64 KiB steps, reporting each; gives up at failAt. */
  private static Thread writeGrowing(GrowingFile file, byte[] bytes, int failAt) {
    Thread writer =
        new Thread(
            () -> {
              try (OutputStream out = Files.newOutputStream(file.path())) {
                for (int done = 0; done < bytes.length; ) {
                  if (done >= failAt) {
                    throw new IOException("the archive could not be written (test)");
                  }
                  int n = Math.min(64 * 1024, bytes.length - done);
                  out.write(bytes, done, n);
                  out.flush();
                  done += n;
                  file.written(done);
                  Thread.sleep(1);
                }
                file.finish(Digest.sha256(bytes));
              } catch (IOException | InterruptedException | RuntimeException e) {
                file.fail(e);
              }
            },
            "contract-writer");
    writer.start();
    return writer;
  }

  @Test
  void putWhileWriting_fileWrittenMeanwhile_storedWholeWithItsDigest() throws Exception {
    byte[] bytes = randomBytes(41, 3 * MIB + 17);
    GrowingFile file = new GrowingFile(tempDir.resolve("growing.tar.zst"));
    SentRecorder sent = new SentRecorder(bytes.length);
    Thread writer = writeGrowing(file, bytes, Integer.MAX_VALUE);

    PutResult result = store.putWhileWriting("deps/g.tar.zst", file, PutMode.IF_ABSENT, sent);
    sent.returned();
    writer.join();

    assertThat(result.written()).isTrue();
    assertInfo(result.info(), "deps/g.tar.zst", bytes);
    assertThat(read("deps/g.tar.zst")).isEqualTo(bytes);
    assertThat(store.list("")).extracting(ObjectInfo::key).containsExactly("deps/g.tar.zst");
    assertThat(Files.readAllBytes(file.path())).as("the file stays").isEqualTo(bytes);
    sent.assertKept("a file stored while it was written");
  }

  @Test
  void putWhileWriting_writerGivesUp_throwsAndStoresNothing() throws Exception {
    byte[] bytes = randomBytes(42, 3 * MIB);
    GrowingFile file = new GrowingFile(tempDir.resolve("growing.tar.zst"));
    SentRecorder sent = new SentRecorder(bytes.length);
    Thread writer = writeGrowing(file, bytes, MIB);

    assertThatThrownBy(() -> store.putWhileWriting("deps/g.tar.zst", file, PutMode.OVERWRITE, sent))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("the archive could not be written (test)");
    sent.returned();
    writer.join();

    assertThat(store.head("deps/g.tar.zst")).isEmpty();
    assertThat(store.list("")).isEmpty();
    assertThat(sent.breaches()).isEmpty();
  }

  // --- adopting a file ---

  @Test
  void putMoving_wrongDigest_isRefusedOrFailsEveryRead() throws Exception {
    byte[] bytes = randomBytes(26, 100_000);
    Digest wrong = Digest.sha256("something else");
    boolean refused;
    try {
      store.putMoving("bad/moved.tar.zst", file(bytes), wrong, PutMode.OVERWRITE);
      refused = false;
    } catch (CorruptObjectException e) {
      assertThat(e).hasMessageContaining("bad/moved.tar.zst");
      refused = true;
    }

    if (refused) {
      assertThat(store.head("bad/moved.tar.zst")).isEmpty();
    } else {
      // A store that trusted the caller's digest must never serve the bytes as verified.
      assertThatThrownBy(() -> read("bad/moved.tar.zst"))
          .isInstanceOf(CorruptObjectException.class)
          .hasMessageContaining("bad/moved.tar.zst");
    }
  }

  // --- listing ---

  @Test
  void list_manyKeysAcrossFolders_returnsEveryKeySorted() throws Exception {
    int count = manyKeysCount();
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      keys.add(String.format("many/folder-%02d/key-%05d.tar.zst", i % 13, i));
    }
    putAll(keys);
    store.put("other/not-listed", new byte[] {1}, PutMode.OVERWRITE);
    store.put("manyfold", new byte[] {2}, PutMode.OVERWRITE);

    List<ObjectInfo> listed = store.list("many/");

    assertThat(listed)
        .extracting(ObjectInfo::key)
        .isSorted()
        .containsExactlyInAnyOrderElementsOf(keys);
    for (ObjectInfo info : listed) {
      byte[] expected = contentFor(info.key());
      assertThat(info.size()).as(info.key()).isEqualTo(expected.length);
      info.digest().ifPresent(d -> assertThat(d).as(info.key()).isEqualTo(Digest.sha256(expected)));
    }
    assertThat(store.list("many")).hasSize(count + 1);
    assertThat(store.list("many/folder-07/"))
        .hasSize((int) keys.stream().filter(k -> k.startsWith("many/folder-07/")).count());
  }

  @Test
  void list_prefix_isPlainStringPrefix() throws Exception {
    putAll(List.of("a/b/c", "a/b1/x", "a/bc", "a/c", "ab", "b"));

    assertThat(keys("a/b")).containsExactly("a/b/c", "a/b1/x", "a/bc");
    assertThat(keys("a/b/")).containsExactly("a/b/c");
    assertThat(keys("a/b/c")).containsExactly("a/b/c");
    assertThat(keys("a")).containsExactly("a/b/c", "a/b1/x", "a/bc", "a/c", "ab");
    assertThat(keys("a/")).containsExactly("a/b/c", "a/b1/x", "a/bc", "a/c");
    assertThat(keys("c")).isEmpty();
    assertThat(keys("a/b/c/d")).isEmpty();
    assertThat(keys("zzz/")).isEmpty();
  }

  @Test
  void list_emptyPrefix_returnsEveryKeySorted() throws Exception {
    putAll(List.of("z", "m/n", "a/b/c", "a/a"));

    assertThat(keys("")).containsExactly("a/a", "a/b/c", "m/n", "z");
  }

  @Test
  void list_afterDelete_omitsDeletedKey() throws Exception {
    putAll(List.of("d/1", "d/2", "d/3"));

    store.delete("d/2");

    assertThat(keys("d/")).containsExactly("d/1", "d/3");
  }

  // --- deleting ---

  @Test
  void delete_existingKey_returnsTrueThenFalse() throws Exception {
    store.put("gone/soon", randomBytes(9, 1000), PutMode.OVERWRITE);

    assertThat(store.delete("gone/soon")).isTrue();

    assertThat(store.head("gone/soon")).isEmpty();
    assertThat(store.get("gone/soon")).isEmpty();
    assertThat(store.delete("gone/soon")).isFalse();
  }

  @Test
  void deleteAll_manyKeysIncludingAbsent_deletesAll() throws Exception {
    List<String> keys = IntStream.range(0, 60).mapToObj(i -> "old/k" + i).toList();
    putAll(keys);
    store.put("kept/k", new byte[] {7}, PutMode.OVERWRITE);
    List<String> toDelete = new ArrayList<>(keys);
    toDelete.add("old/never-written");
    toDelete.add("absent/too");

    int requests = store.deleteAll(toDelete);

    assertThat(requests).isPositive();
    assertThat(keys("")).containsExactly("kept/k");
  }

  @Test
  void put_afterDelete_storesAgain() throws Exception {
    byte[] first = randomBytes(10, 2000);
    byte[] second = randomBytes(11, 3000);
    store.put("again", first, PutMode.IF_ABSENT);
    store.delete("again");

    PutResult result = store.put("again", second, PutMode.IF_ABSENT);

    assertThat(result.written()).isTrue();
    assertThat(read("again")).isEqualTo(second);
  }

  // --- large objects and streams ---

  @Test
  void putFile_largeObject_roundTripsVerifiedWhileStreaming() throws Exception {
    long size = largeObjectBytes();
    Path source = tempDir.resolve("large.bin");
    Digest digest = writeSeeded(source, 42, size);

    PutResult result = store.put("large/object.tar.zst", source, digest, PutMode.IF_ABSENT);

    assertThat(result.written()).isTrue();
    assertThat(result.info().size()).isEqualTo(size);
    ObjectInfo head = store.head("large/object.tar.zst").orElseThrow();
    assertThat(head.size()).isEqualTo(size);
    assertThat(head.digest()).contains(digest);
    Files.delete(source);
    try (StoredObject object = store.get("large/object.tar.zst").orElseThrow()) {
      assertThat(object.info().size()).isEqualTo(size);
      assertThat(object.info().digest()).contains(digest);
      MessageDigest sha256 = Digest.newSha256();
      long count = 0;
      byte[] buffer = new byte[64 * 1024];
      for (int n = object.stream().read(buffer); n >= 0; n = object.stream().read(buffer)) {
        sha256.update(buffer, 0, n);
        count += n;
      }
      assertThat(count).isEqualTo(size);
      assertThat(Digest.of(sha256.digest())).isEqualTo(digest);
    }
  }

  @Test
  void get_readHalfThenClose_leavesNothingOpen() throws Exception {
    byte[] bytes = randomBytes(12, 200_000);
    store.put("half", bytes, PutMode.OVERWRITE);

    try (StoredObject object = store.get("half").orElseThrow()) {
      assertThat(object.stream().readNBytes(100_000)).isEqualTo(Arrays.copyOf(bytes, 100_000));
    }

    assertNoLeaks(store);
    assertThat(read("half")).isEqualTo(bytes);
  }

  @Test
  void get_objectDeletedWhileOpen_readsWholeObjectOrFailsCleanly() throws Exception {
    byte[] first = randomBytes(13, 500_000);
    store.put("racy", first, PutMode.OVERWRITE);

    try (StoredObject object = store.get("racy").orElseThrow()) {
      byte[] head = object.stream().readNBytes(1000);
      store.delete("racy");
      store.put("racy", randomBytes(14, 400_000), PutMode.OVERWRITE);
      byte[] rest;
      try {
        rest = object.stream().readAllBytes();
      } catch (IOException e) {
        return; // a clean failure is allowed; a short or mixed success is not
      }
      byte[] whole = new byte[head.length + rest.length];
      System.arraycopy(head, 0, whole, 0, head.length);
      System.arraycopy(rest, 0, whole, head.length, rest.length);
      assertThat(whole).isEqualTo(first);
    }
  }

  // --- concurrency ---

  @Test
  void putFile_concurrentIfAbsentWriters_exactlyOneWinsWhole() throws Exception {
    int writers = 8;
    List<byte[]> contents = new ArrayList<>();
    List<Path> files = new ArrayList<>();
    for (int i = 0; i < writers; i++) {
      contents.add(randomBytes(100 + i, 256 * 1024 + i));
      files.add(file(contents.get(i)));
    }

    List<PutResult> results =
        concurrently(
            writers,
            i ->
                store.put(
                    "contended/ifabsent",
                    files.get(i),
                    Digest.sha256(contents.get(i)),
                    PutMode.IF_ABSENT));

    List<Integer> winners =
        IntStream.range(0, writers).filter(i -> results.get(i).written()).boxed().toList();
    assertThat(winners).hasSize(1);
    byte[] expected = contents.get(winners.get(0));
    assertInfo(store.head("contended/ifabsent").orElseThrow(), "contended/ifabsent", expected);
    assertThat(read("contended/ifabsent")).isEqualTo(expected);
    assertThat(keys("")).containsExactly("contended/ifabsent");
  }

  @Test
  void putFile_concurrentOverwriteWriters_finalObjectIsOneWritersWholeBytes() throws Exception {
    int writers = 8;
    List<byte[]> contents = new ArrayList<>();
    List<Path> files = new ArrayList<>();
    for (int i = 0; i < writers; i++) {
      contents.add(randomBytes(200 + i, 256 * 1024 + 17 * i));
      files.add(file(contents.get(i)));
    }

    List<PutResult> results =
        concurrently(
            writers,
            i ->
                store.put(
                    "contended/overwrite",
                    files.get(i),
                    Digest.sha256(contents.get(i)),
                    PutMode.OVERWRITE));

    assertThat(results).allSatisfy(r -> assertThat(r.written()).isTrue());
    byte[] stored = read("contended/overwrite");
    assertThat(contents).anySatisfy(c -> assertThat(c).isEqualTo(stored));
    assertInfo(store.head("contended/overwrite").orElseThrow(), "contended/overwrite", stored);
    assertThat(keys("")).containsExactly("contended/overwrite");
  }

  @Test
  void get_racingDeletesAndOverwrites_everyReadIsEmptyOrWholeOrCleanError() throws Exception {
    byte[] a = randomBytes(300, 300_000);
    byte[] b = randomBytes(301, 200_000);
    AtomicBoolean readerDone = new AtomicBoolean();
    java.util.concurrent.atomic.AtomicInteger writerCycles =
        new java.util.concurrent.atomic.AtomicInteger();
    int reads = 150;
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      Future<Integer> writer =
          pool.submit(
              () -> {
                while (!readerDone.get()) {
                  store.put("race/key", writerCycles.get() % 2 == 0 ? a : b, PutMode.OVERWRITE);
                  store.delete("race/key");
                  writerCycles.incrementAndGet();
                }
                return writerCycles.get();
              });
      Future<int[]> reader =
          pool.submit(
              () -> {
                int[] outcomes = new int[3]; // empty, whole, clean error
                try {
                  // At least `reads` reads, and on until the writer has gone round twice: on a
                  // busy machine the reads could otherwise all finish before it starts.
                  for (int i = 0; i < reads || writerCycles.get() < 2; i++) {
                    Optional<StoredObject> object;
                    byte[] bytes;
                    try {
                      object = store.get("race/key");
                      if (object.isEmpty()) {
                        outcomes[0]++;
                        continue;
                      }
                      try (StoredObject o = object.get()) {
                        bytes = o.stream().readAllBytes();
                      }
                    } catch (IOException e) {
                      outcomes[2]++;
                      continue;
                    }
                    assertThat(Arrays.equals(bytes, a) || Arrays.equals(bytes, b))
                        .as(
                            "read %s completed with %s bytes, so it must be one whole object",
                            i, bytes.length)
                        .isTrue();
                    outcomes[1]++;
                  }
                } finally {
                  readerDone.set(true);
                }
                return outcomes;
              });
      int[] outcomes = reader.get(60, TimeUnit.SECONDS);
      assertThat(writer.get(60, TimeUnit.SECONDS)).isGreaterThanOrEqualTo(2);
      assertThat(outcomes[0] + outcomes[1] + outcomes[2]).isGreaterThanOrEqualTo(reads);
    } finally {
      pool.shutdownNow();
    }
    store.put("race/key", a, PutMode.OVERWRITE);
    assertThat(read("race/key")).isEqualTo(a);
  }

  // --- ranged reads ---

  private static final String RANGED = "ranged/install.tar.zst";

  @Test
  void getRange_start_returnsFirstBytes() throws Exception {
    byte[] bytes = putRanged(400, 100_000);

    assertThat(range(RANGED, 0, 1000)).isEqualTo(Arrays.copyOfRange(bytes, 0, 1000));
  }

  @Test
  void getRange_middle_returnsExactlyThoseBytes() throws Exception {
    byte[] bytes = putRanged(401, 100_000);

    assertThat(range(RANGED, 12_345, 54_321))
        .isEqualTo(Arrays.copyOfRange(bytes, 12_345, 12_345 + 54_321));
    assertThat(range(RANGED, 99_998, 1)).containsExactly(bytes[99_998]);
  }

  @Test
  void getRange_end_returnsLastBytes() throws Exception {
    byte[] bytes = putRanged(402, 100_000);

    assertThat(range(RANGED, 99_000, 1000)).isEqualTo(Arrays.copyOfRange(bytes, 99_000, 100_000));
  }

  @Test
  void getRange_reachingPastTheEnd_returnsBytesUpToTheEnd() throws Exception {
    byte[] bytes = putRanged(403, 100_000);

    assertThat(range(RANGED, 99_000, 5000)).isEqualTo(Arrays.copyOfRange(bytes, 99_000, 100_000));
    assertThat(range(RANGED, 90_000, Long.MAX_VALUE))
        .isEqualTo(Arrays.copyOfRange(bytes, 90_000, 100_000));
  }

  @Test
  void getRange_startingAtOrPastTheEnd_returnsEmptyStream() throws Exception {
    putRanged(404, 100_000);

    assertThat(range(RANGED, 100_000, 10)).isEmpty();
    assertThat(range(RANGED, 250_000, 10)).isEmpty();
    assertThat(range(RANGED, Long.MAX_VALUE, Long.MAX_VALUE)).isEmpty();
  }

  @Test
  void getRange_zeroLength_returnsEmptyStream() throws Exception {
    putRanged(405, 100_000);

    assertThat(range(RANGED, 0, 0)).isEmpty();
    assertThat(range(RANGED, 5000, 0)).isEmpty();
  }

  @Test
  void getRange_emptyObject_returnsEmptyStream() throws Exception {
    store.put("ranged/empty", new byte[0], PutMode.OVERWRITE);

    assertThat(range("ranged/empty", 0, 10)).isEmpty();
    assertThat(range("ranged/empty", 0, 0)).isEmpty();
  }

  @Test
  void getRange_wholeObject_returnsEveryByte() throws Exception {
    byte[] bytes = putRanged(406, 100_000);

    assertThat(range(RANGED, 0, bytes.length)).isEqualTo(bytes);
  }

  @Test
  void getRange_missingKey_returnsEmpty() throws Exception {
    assertThat(store.getRange("missing/key.tar.zst", 0, 10)).isEmpty();
    assertThat(store.getRange("missing/key.tar.zst", 0, 0)).isEmpty();
    assertThat(store.getRange("missing/key.tar.zst", 1000, 10)).isEmpty();
  }

  @Test
  void getRange_negativeArguments_throwIllegalArgument() throws Exception {
    putRanged(407, 1000);
    ObjectInfo info = store.head(RANGED).orElseThrow();

    assertThatThrownBy(() -> store.getRange(RANGED, -1, 10))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("offset");
    assertThatThrownBy(() -> store.getRange(RANGED, 0, -1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("length");
    assertThatThrownBy(() -> store.getRange(info, -1, 10))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("offset");
    assertThatThrownBy(() -> store.getRange(info, 0, -1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("length");
  }

  @Test
  void getRange_closedEarly_leavesNothingOpen() throws Exception {
    byte[] bytes = putRanged(408, 300_000);

    try (InputStream in = store.getRange(RANGED, 1000, 250_000).orElseThrow()) {
      assertThat(in.readNBytes(10)).isEqualTo(Arrays.copyOfRange(bytes, 1000, 1010));
    }

    assertNoLeaks(store);
    assertThat(range(RANGED, 0, bytes.length)).isEqualTo(bytes);
  }

  @Test
  void getRange_singleByteReads_returnSameBytesAsBulkReads() throws Exception {
    byte[] bytes = putRanged(409, 10_000);

    try (InputStream in = store.getRange(RANGED, 100, 50).orElseThrow()) {
      for (int i = 100; i < 150; i++) {
        assertThat(in.read()).as("byte %s", i).isEqualTo(bytes[i] & 0xff);
      }
      assertThat(in.read()).isEqualTo(-1);
    }
  }

  @Test
  void getRange_manyConcurrentRanges_eachReturnsItsBytes() throws Exception {
    byte[] bytes = putRanged(410, 1_000_000);
    int ranges = 32;
    int size = bytes.length / ranges;

    List<byte[]> read =
        concurrently(ranges, i -> range(RANGED, (long) i * size + i, size - 2L * i));

    for (int i = 0; i < ranges; i++) {
      int from = i * size + i;
      assertThat(read.get(i))
          .as("range %s", i)
          .isEqualTo(Arrays.copyOfRange(bytes, from, from + size - 2 * i));
    }
  }

  @Test
  void getRange_ofObjectInfo_readsThatObjectsRanges() throws Exception {
    byte[] bytes = putRanged(411, 100_000);
    ObjectInfo info = store.head(RANGED).orElseThrow();

    assertThat(rangeOf(info, 10, 20)).isEqualTo(Arrays.copyOfRange(bytes, 10, 30));
    assertThat(rangeOf(info, 99_990, 100)).isEqualTo(Arrays.copyOfRange(bytes, 99_990, 100_000));
    assertThat(rangeOf(info, 100_000, 100)).isEmpty();
    assertThat(rangeOf(info, 0, 0)).isEmpty();
  }

  @Test
  void linkTo_whenItLinks_keepsTheObjectsBytesThroughOverwriteAndDelete() throws Exception {
    byte[] bytes = randomBytes(430, 100_000);
    store.put(RANGED, file(bytes), Digest.sha256(bytes), PutMode.OVERWRITE);
    ObjectInfo info = store.head(RANGED).orElseThrow();
    Path target = tempDir.resolve("linked");

    boolean linked = store.linkTo(info, target);

    if (!linked) {
      assertThat(target).doesNotExist(); // a store that cannot link creates nothing
      return;
    }
    assertThat(target).hasBinaryContent(bytes);
    store.put(RANGED, randomBytes(431, 100_000), PutMode.OVERWRITE);
    assertThat(target).hasBinaryContent(bytes);
    store.delete(RANGED);
    assertThat(target).hasBinaryContent(bytes);
    assertThat(store.get(RANGED)).isEmpty();
  }

  @Test
  void linkTo_afterOverwriteOrDelete_returnsFalseAndCreatesNothing() throws Exception {
    putRanged(432, 10_000);
    ObjectInfo info = store.head(RANGED).orElseThrow();
    store.put(RANGED, randomBytes(433, 10_000), PutMode.OVERWRITE);
    Path target = tempDir.resolve("linked");

    assertThat(store.linkTo(info, target)).isFalse();
    assertThat(target).doesNotExist();

    ObjectInfo now = store.head(RANGED).orElseThrow();
    store.delete(RANGED);
    assertThat(store.linkTo(now, target)).isFalse();
    assertThat(target).doesNotExist();
  }

  @Test
  void getRange_ofObjectInfoAfterOverwrite_throwsObjectChanged() throws Exception {
    putRanged(412, 100_000);
    ObjectInfo info = store.head(RANGED).orElseThrow();
    store.put(RANGED, randomBytes(413, 100_000), PutMode.OVERWRITE);

    assertThatThrownBy(() -> rangeOf(info, 0, 100))
        .isInstanceOf(ObjectChangedException.class)
        .hasMessageContaining(RANGED);
    assertThatThrownBy(() -> rangeOf(info, 0, 0)).isInstanceOf(ObjectChangedException.class);
    assertThatThrownBy(() -> rangeOf(info, 200_000, 10)).isInstanceOf(ObjectChangedException.class);
    assertNoLeaks(store);
  }

  @Test
  void getRange_ofObjectInfoAfterRewriteOfSameBytes_stillReads() throws Exception {
    byte[] bytes = putRanged(414, 100_000);
    ObjectInfo info = store.head(RANGED).orElseThrow();
    store.delete(RANGED);
    store.put(RANGED, file(bytes), Digest.sha256(bytes), PutMode.OVERWRITE);

    assertThat(rangeOf(info, 500, 500)).isEqualTo(Arrays.copyOfRange(bytes, 500, 1000));
  }

  @Test
  void getRange_ofObjectInfoAfterDelete_returnsEmpty() throws Exception {
    putRanged(415, 100_000);
    ObjectInfo info = store.head(RANGED).orElseThrow();
    store.delete(RANGED);

    assertThat(store.getRange(info, 0, 100)).isEmpty();
    assertThat(store.getRange(info, 0, 0)).isEmpty();
  }

  @Test
  void getRange_openWhileDeletedAndOverwritten_readsOldBytesOrFailsCleanly() throws Exception {
    byte[] first = putRanged(416, 500_000);

    try (InputStream in = store.getRange(RANGED, 1000, 400_000).orElseThrow()) {
      byte[] head = in.readNBytes(1000);
      store.delete(RANGED);
      store.put(RANGED, randomBytes(417, 500_000), PutMode.OVERWRITE);
      byte[] rest;
      try {
        rest = in.readAllBytes();
      } catch (IOException e) {
        return; // a clean failure is allowed; a mixed success is not
      }
      byte[] whole = new byte[head.length + rest.length];
      System.arraycopy(head, 0, whole, 0, head.length);
      System.arraycopy(rest, 0, whole, head.length, rest.length);
      assertThat(whole).isEqualTo(Arrays.copyOfRange(first, 1000, 401_000));
    }
  }

  @Test
  void getRange_racingDeletesAndOverwrites_everyRangeIsEmptyOrOneObjectsBytes() throws Exception {
    byte[] a = randomBytes(418, 300_000);
    byte[] b = randomBytes(419, 300_000);
    store.put(RANGED, a, PutMode.OVERWRITE);
    ObjectInfo infoOfA = store.head(RANGED).orElseThrow();
    int offset = 70_000;
    int length = 150_000;
    byte[] sliceOfA = Arrays.copyOfRange(a, offset, offset + length);
    byte[] sliceOfB = Arrays.copyOfRange(b, offset, offset + length);
    AtomicBoolean readerDone = new AtomicBoolean();
    java.util.concurrent.atomic.AtomicInteger writerCycles =
        new java.util.concurrent.atomic.AtomicInteger();
    int reads = 150;
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      Future<Integer> writer =
          pool.submit(
              () -> {
                while (!readerDone.get()) {
                  store.put(RANGED, writerCycles.get() % 2 == 0 ? b : a, PutMode.OVERWRITE);
                  store.delete(RANGED);
                  writerCycles.incrementAndGet();
                }
                return writerCycles.get();
              });
      Future<int[]> reader =
          pool.submit(
              () -> {
                int[] outcomes = new int[4]; // empty, a, b, clean error
                try {
                  for (int i = 0; i < reads || writerCycles.get() < 2; i++) {
                    boolean ofA = i % 2 == 0;
                    byte[] bytes;
                    try {
                      Optional<InputStream> in =
                          ofA
                              ? store.getRange(infoOfA, offset, length)
                              : store.getRange(RANGED, offset, length);
                      if (in.isEmpty()) {
                        outcomes[0]++;
                        continue;
                      }
                      try (InputStream s = in.get()) {
                        bytes = s.readAllBytes();
                      }
                    } catch (IOException e) {
                      outcomes[3]++;
                      continue;
                    }
                    if (bytes.length == 0 && !readsAreAtomic()) {
                      outcomes[0]++; // the object met while being written in place
                      continue;
                    }
                    boolean isA = Arrays.equals(bytes, sliceOfA);
                    boolean isB = Arrays.equals(bytes, sliceOfB);
                    assertThat(ofA && readsAreAtomic() ? isA : isA || isB)
                        .as(
                            "range read %s (%s) completed with %s bytes, so it must be %s; they"
                                + " are %s",
                            i,
                            ofA ? "of the ObjectInfo of a" : "of the key",
                            bytes.length,
                            ofA ? "a's bytes" : "one object's bytes",
                            isB ? "b's bytes" : mixture(bytes, sliceOfA, sliceOfB))
                        .isTrue();
                    outcomes[isA ? 1 : 2]++;
                  }
                } finally {
                  readerDone.set(true);
                }
                return outcomes;
              });
      int[] outcomes = reader.get(60, TimeUnit.SECONDS);
      assertThat(writer.get(60, TimeUnit.SECONDS)).isGreaterThanOrEqualTo(2);
      assertThat(Arrays.stream(outcomes).sum()).isGreaterThanOrEqualTo(reads);
    } finally {
      pool.shutdownNow();
    }
    assertNoLeaks(store);
  }

  /** Which of {@code a} and {@code b} the bytes of {@code mixed} agree with, in runs. */
  private static String mixture(byte[] mixed, byte[] a, byte[] b) {
    StringBuilder runs = new StringBuilder();
    char last = 0;
    int start = 0;
    for (int i = 0; i <= mixed.length; i++) {
      char now = i == mixed.length ? 0 : mixed[i] == a[i] ? 'a' : mixed[i] == b[i] ? 'b' : '?';
      if (now != last) {
        if (last != 0 && i - start > 16) {
          runs.append(last).append('[').append(start).append(',').append(i).append(") ");
        }
        last = now;
        start = i;
      }
    }
    return "a mixture: " + runs.toString().trim();
  }

  /** Stores {@code size} seeded bytes under {@link #RANGED}; returns them. */
  private byte[] putRanged(long seed, int size) throws IOException {
    byte[] bytes = randomBytes(seed, size);
    store.put(RANGED, file(bytes), Digest.sha256(bytes), PutMode.OVERWRITE);
    return bytes;
  }

  /** Reads the range of {@code key} whole. */
  protected byte[] range(String key, long offset, long length) throws IOException {
    try (InputStream in =
        store
            .getRange(key, offset, length)
            .orElseThrow(() -> new AssertionError(key + " missing"))) {
      return in.readAllBytes();
    }
  }

  private byte[] rangeOf(ObjectInfo info, long offset, long length) throws IOException {
    try (InputStream in =
        store
            .getRange(info, offset, length)
            .orElseThrow(() -> new AssertionError(info.key() + " missing"))) {
      return in.readAllBytes();
    }
  }

  // --- helpers for subclasses and tests ---

  /** Reads {@code key} whole through the store's verifying stream. */
  protected byte[] read(String key) throws IOException {
    try (StoredObject object =
        store.get(key).orElseThrow(() -> new AssertionError(key + " missing"))) {
      return object.stream().readAllBytes();
    }
  }

  /** Writes {@code bytes} to a new file in {@link #tempDir}. */
  protected Path file(byte[] bytes) throws IOException {
    return Files.write(Files.createTempFile(tempDir, "source", ".bin"), bytes);
  }

  /** Deterministic pseudo-random bytes. */
  protected static byte[] randomBytes(long seed, int size) {
    byte[] bytes = new byte[size];
    SplittableRandom random = new SplittableRandom(seed);
    for (int i = 0; i < size; i++) {
      bytes[i] = (byte) random.nextInt(256);
    }
    return bytes;
  }

  /** Asserts that {@code info} describes {@code bytes} stored under {@code key}. */
  protected static void assertInfo(ObjectInfo info, String key, byte[] bytes) {
    assertThat(info.key()).isEqualTo(key);
    assertThat(info.size()).as("size of %s", key).isEqualTo(bytes.length);
    assertThat(info.digest()).as("digest of %s", key).contains(Digest.sha256(bytes));
  }

  private List<String> keys(String prefix) throws IOException {
    return store.list(prefix).stream().map(ObjectInfo::key).collect(Collectors.toList());
  }

  private static byte[] contentFor(String key) {
    return key.getBytes(StandardCharsets.UTF_8);
  }

  /** Stores each key with its own name as content, several at a time (writes wait on fsync). */
  private void putAll(List<String> keys) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<PutResult>> futures = new ArrayList<>();
      for (String key : keys) {
        futures.add(pool.submit(() -> store.put(key, contentFor(key), PutMode.OVERWRITE)));
      }
      for (Future<PutResult> f : futures) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private interface Indexed<T> {
    T call(int index) throws Exception;
  }

  /** Runs {@code task} for 0..n-1 on n threads released together; returns results by index. */
  private static <T> List<T> concurrently(int n, Indexed<T> task) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(n);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<T>> futures = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        int index = i;
        Callable<T> call =
            () -> {
              start.await();
              return task.call(index);
            };
        futures.add(pool.submit(call));
      }
      start.countDown();
      List<T> results = new ArrayList<>();
      for (Future<T> f : futures) {
        results.add(f.get(60, TimeUnit.SECONDS));
      }
      return results;
    } finally {
      pool.shutdownNow();
    }
  }

  /** Writes {@code size} seeded bytes in 1 MiB chunks; returns their digest. */
  private static Digest writeSeeded(Path file, long seed, long size) throws IOException {
    SplittableRandom random = new SplittableRandom(seed);
    MessageDigest sha256 = Digest.newSha256();
    byte[] chunk = new byte[MIB];
    try (OutputStream out = Files.newOutputStream(file)) {
      for (long written = 0; written < size; ) {
        int n = (int) Math.min(chunk.length, size - written);
        for (int i = 0; i < n; i += 8) {
          long r = random.nextLong();
          for (int j = 0; j < 8 && i + j < n; j++) {
            chunk[i + j] = (byte) (r >>> (8 * j));
          }
        }
        out.write(chunk, 0, n);
        sha256.update(chunk, 0, n);
        written += n;
      }
    }
    return Digest.of(sha256.digest());
  }
}
