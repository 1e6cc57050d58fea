package dev.halcyon.retention;

import dev.halcyon.layer.Digest;
import dev.halcyon.store.LayerStore;
import dev.halcyon.store.ObjectInfo;
import dev.halcyon.store.PutMode;
import dev.halcyon.store.PutResult;
import dev.halcyon.store.StoreException;
import dev.halcyon.store.StoredObject;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A test-only store in memory that counts requests and deletes in batches of up to 1,000 keys per
 * request, like S3's DeleteObjects. Objects carry the times the test gives them.
 *
 * <p>Its own store, not a counting decorator over {@code InMemoryLayerStore}: the gc tests list
 * objects whose recorded size, digest and time are not those of the bytes held (a 190 MB original
 * or a 2 MB archive held as zero bytes, with no digest), and the bytes freed they assert are summed
 * from those sizes.
 */
final class CountingStore implements LayerStore {
  private record Entry(byte[] bytes, ObjectInfo info) {}

  private final ConcurrentSkipListMap<String, Entry> objects = new ConcurrentSkipListMap<>();
  final AtomicInteger gets = new AtomicInteger();
  final AtomicInteger lists = new AtomicInteger();
  final AtomicInteger deleteAllCalls = new AtomicInteger();
  final List<String> deleted = java.util.Collections.synchronizedList(new ArrayList<>());

  /** Runs once, just before the first deleteAll: what another machine does meanwhile. */
  Runnable beforeFirstDelete = () -> {};

  /** Runs once, just before the second list: what another machine does between gc's looks. */
  Runnable beforeSecondList = () -> {};

  /** A key whose get fails with a store error. */
  String failGetKey = "";

  /**
   * How many gets of {@link #failGetKey} fail with a transient error before they succeed; -1: never
   * transient.
   */
  int transientGetFailures = -1;

  /** GETs of {@link #failGetKey} that fail their digest before they succeed. */
  int corruptGetFailures;

  /** When set, deleteAll fails on its call number n (1-based). */
  int failOnDeleteCall = -1;

  void putObject(String key, byte[] bytes, Instant lastModified) {
    objects.put(
        key,
        new Entry(
            bytes,
            new ObjectInfo(key, bytes.length, Optional.of(Digest.sha256(bytes)), lastModified)));
  }

  void putObject(ObjectInfo info, byte[] bytes) {
    objects.put(info.key(), new Entry(bytes, info));
  }

  Map<String, ObjectInfo> snapshot() {
    Map<String, ObjectInfo> out = new java.util.TreeMap<>();
    objects.forEach((k, e) -> out.put(k, e.info));
    return out;
  }

  @Override
  public Optional<ObjectInfo> head(String key) {
    return Optional.ofNullable(objects.get(key)).map(Entry::info);
  }

  @Override
  public Optional<StoredObject> get(String key) throws IOException {
    gets.incrementAndGet();
    if (key.equals(failGetKey) && transientGetFailures > 0) {
      transientGetFailures--;
      throw new dev.halcyon.store.TransientStoreException(
          "GET " + key + " on memory:test was cut short; run again");
    }
    if (key.equals(failGetKey) && corruptGetFailures > 0) {
      corruptGetFailures--;
      throw new dev.halcyon.store.CorruptObjectException(
          key + " on memory:test does not match its recorded digest");
    }
    if (key.equals(failGetKey) && transientGetFailures < 0) {
      throw new StoreException("GET " + key + " on memory:test failed: AccessDenied");
    }
    return Optional.ofNullable(objects.get(key))
        .map(e -> new StoredObject(e.info, new ByteArrayInputStream(e.bytes)));
  }

  @Override
  public PutResult put(String key, Path source, Digest digest, PutMode mode) throws IOException {
    return put(key, Files.readAllBytes(source), mode);
  }

  @Override
  public PutResult put(String key, byte[] bytes, PutMode mode) {
    putObject(key, bytes, Instant.now());
    return new PutResult(objects.get(key).info, true);
  }

  @Override
  public List<ObjectInfo> list(String prefix) {
    if (lists.incrementAndGet() == 2) {
      beforeSecondList.run();
    }
    return objects.tailMap(prefix).entrySet().stream()
        .takeWhile(e -> e.getKey().startsWith(prefix))
        .map(e -> e.getValue().info)
        .toList();
  }

  @Override
  public boolean delete(String key) {
    return objects.remove(key) != null;
  }

  @Override
  public int deleteAll(Collection<String> keys) throws IOException {
    int call = deleteAllCalls.incrementAndGet();
    if (call == 1) {
      beforeFirstDelete.run();
    }
    if (call == failOnDeleteCall) {
      throw new StoreException("DeleteObjects on memory:test failed: SlowDown");
    }
    for (String key : keys) {
      objects.remove(key);
      deleted.add(key);
    }
    return (keys.size() + 999) / 1000;
  }

  /** Incomplete uploads by key: when each began. */
  final Map<String, Instant> uploads = new ConcurrentSkipListMap<>();

  /** When set, listing incomplete uploads fails with it. */
  IOException uploadsFailure;

  @Override
  public int abortIncompleteUploads(String prefix, Instant startedBefore, boolean dryRun)
      throws IOException {
    if (uploadsFailure != null) {
      throw uploadsFailure;
    }
    List<String> old =
        uploads.entrySet().stream()
            .filter(e -> e.getKey().startsWith(prefix) && e.getValue().isBefore(startedBefore))
            .map(Map.Entry::getKey)
            .toList();
    if (!dryRun) {
      old.forEach(uploads::remove);
    }
    return old.size();
  }

  @Override
  public String describe() {
    return "memory:test";
  }
}
