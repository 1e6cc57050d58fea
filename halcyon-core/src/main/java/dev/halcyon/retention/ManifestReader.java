package dev.halcyon.retention;

import dev.halcyon.manifest.ArchiveManifest;
import dev.halcyon.naming.ArchiveNamer;
import dev.halcyon.store.CorruptObjectException;
import dev.halcyon.store.LayerStore;
import dev.halcyon.store.ObjectInfo;
import dev.halcyon.store.StoreException;
import dev.halcyon.store.StoredObject;
import dev.halcyon.store.TransientStoreException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Reads the manifests beside archives, in parallel, for one listing or collection, and remembers
 * what it read so that a manifest is read again only if the store now lists a different object.
 * Reads run on the executor given (the caller's) or on {@value
 * GarbageCollector#DEFAULT_PARALLELISM} threads this reader owns for the duration of one {@link
 * #readMissing} call. A manifest that cannot be read because of a store error fails the call; one
 * that does not parse counts as absent.
 *
 * <p>Not thread-safe: one instance per listing or collection, used by one thread.
 */
final class ManifestReader {
  /** Largest manifest read; anything bigger is not a manifest this library wrote. */
  private static final int MAX_MANIFEST_BYTES = 1 << 20;

  /** Reads of one manifest broken off by the network before the collection gives up. */
  private static final int MANIFEST_ATTEMPTS = 3;

  private static final ThreadFactory DAEMONS =
      r -> {
        Thread t = new Thread(r, "halcyon-gc-manifests");
        t.setDaemon(true);
        return t;
      };

  /** A manifest object read: what it was when read, and its parsed content if it parsed. */
  private record Fetched(ObjectInfo info, Optional<ArchiveManifest> manifest) {}

  private final LayerStore store;
  private final ArchiveNamer namer;
  private final Optional<Executor> executor;
  private final Map<String, Fetched> fetched = new HashMap<>();
  private final AtomicInteger reads = new AtomicInteger();

  ManifestReader(LayerStore store, ArchiveNamer namer, Optional<Executor> executor) {
    this.store = store;
    this.namer = namer;
    this.executor = executor;
  }

  /**
   * Reads the manifests of {@code archives} that {@code listed} (a store listing by key) holds and
   * that were not read as they are listed now.
   *
   * @return false if there was nothing to read
   * @throws IOException if a manifest could not be read (nothing should be deleted then: a missing
   *     manifest could hide references)
   */
  boolean readMissing(List<StoredArchive> archives, Map<String, ObjectInfo> listed)
      throws IOException {
    List<String> keys = missing(archives, listed);
    if (keys.isEmpty()) {
      return false;
    }
    ExecutorService owned =
        executor.isEmpty()
            ? Executors.newFixedThreadPool(GarbageCollector.DEFAULT_PARALLELISM, DAEMONS)
            : null;
    Executor runner = executor.isEmpty() ? owned : executor.get();
    try {
      List<CompletableFuture<Fetched>> reading = new ArrayList<>();
      for (String key : keys) {
        reading.add(CompletableFuture.supplyAsync(() -> read(key, listed.get(key)), runner));
      }
      for (int i = 0; i < keys.size(); i++) {
        fetched.put(keys.get(i), join(reading.get(i)));
      }
    } finally {
      if (owned != null) {
        owned.shutdownNow();
      }
    }
    return true;
  }

  /** The manifests read so far that parsed, by the key of the manifest object. */
  Map<String, ArchiveManifest> manifests() {
    Map<String, ArchiveManifest> out = new HashMap<>();
    fetched.forEach((key, f) -> f.manifest.ifPresent(m -> out.put(key, m)));
    return out;
  }

  /** Manifest objects read so far, retries included. */
  int reads() {
    return reads.get();
  }

  /** A store listing by key. */
  static Map<String, ObjectInfo> index(List<ObjectInfo> objects) {
    Map<String, ObjectInfo> out = new HashMap<>();
    objects.forEach(o -> out.put(o.key(), o));
    return out;
  }

  private List<String> missing(List<StoredArchive> archives, Map<String, ObjectInfo> listed) {
    List<String> keys = new ArrayList<>();
    for (StoredArchive archive : archives) {
      String key = Listing.manifestKey(namer, archive.name());
      ObjectInfo info = listed.get(key);
      Fetched known = fetched.get(key);
      if (info != null && (known == null || !sameObject(known.info, info))) {
        keys.add(key);
      }
    }
    return keys.stream().distinct().toList();
  }

  private Fetched read(String key, ObjectInfo listed) {
    for (int attempt = 1; ; attempt++) {
      try {
        return readOnce(key, listed);
      } catch (UncheckedIOException e) {
        // A read the network broke off is worth a second try: failing here fails the whole
        // collection (and the build whose pruning it is), though nothing is wrong with the store.
        // So is a manifest that failed its recorded digest: a builder overwrites manifests, and a
        // store whose overwrites are not atomic (S3Mock) can serve the old digest with the new
        // bytes in the meantime; one damaged for good fails every attempt.
        boolean again =
            e.getCause() instanceof TransientStoreException
                || e.getCause() instanceof CorruptObjectException;
        if (attempt >= MANIFEST_ATTEMPTS || !again) {
          throw e;
        }
      }
    }
  }

  /** Runs on the executor, hence the unchecked wrapping that {@link #join} undoes. */
  private Fetched readOnce(String key, ObjectInfo listed) {
    try {
      reads.incrementAndGet();
      Optional<StoredObject> object = store.get(key);
      if (object.isEmpty()) {
        return new Fetched(listed, Optional.empty());
      }
      try (StoredObject in = object.get()) {
        byte[] bytes = in.stream().readNBytes(MAX_MANIFEST_BYTES + 1);
        if (bytes.length > MAX_MANIFEST_BYTES) {
          return new Fetched(in.info(), Optional.empty());
        }
        Optional<ArchiveManifest> manifest;
        try {
          manifest = Optional.of(ArchiveManifest.parse(new String(bytes, StandardCharsets.UTF_8)));
        } catch (IllegalArgumentException e) {
          manifest = Optional.empty();
        }
        return new Fetched(listed, manifest);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Fetched join(CompletableFuture<Fetched> future) throws IOException {
    try {
      return future.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException(
          "interrupted while reading manifests from " + store.describe());
    } catch (ExecutionException | CompletionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof UncheckedIOException io) {
        String message =
            "gc could not read a manifest from "
                + store.describe()
                + " (nothing was deleted; missing manifests could hide references): "
                + io.getCause().getMessage();
        throw io.getCause() instanceof TransientStoreException
            ? new TransientStoreException(message, io.getCause())
            : new StoreException(message, io.getCause());
      }
      throw new IllegalStateException("reading a manifest failed: " + cause, cause);
    }
  }

  private static boolean sameObject(ObjectInfo a, ObjectInfo b) {
    return a.size() == b.size()
        && a.lastModified().equals(b.lastModified())
        && Objects.equals(a.digest(), b.digest());
  }
}
