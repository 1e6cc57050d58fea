package dev.halcyon.retention;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import dev.halcyon.naming.ArchiveNamer;
import dev.halcyon.store.LayerStore;
import dev.halcyon.store.ObjectInfo;
import dev.halcyon.store.StoreException;
import dev.halcyon.store.StoredObject;
import dev.halcyon.store.TransientStoreException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Applies a {@link RetentionPolicy} to a {@link LayerStore}: lists every key, reads the manifests
 * the policy needs, plans, and deletes what the plan condemns in batches ({@link
 * LayerStore#deleteAll}), or only reports in a dry run.
 *
 * <p><b>What is read.</b> Only the retained archives' manifests matter (their references protect; a
 * condemned archive's do not), so manifests are read in rounds: plan, read the manifests of the
 * archives the plan keeps that were not read yet, plan again, until none is missing. For the
 * built-in policies this gives the same plan as reading every manifest, with far fewer requests; a
 * custom policy that reads the manifests of archives it condemns should be run on {@link
 * #listing()} instead. Reads run on the {@link #withExecutor executor} given, or on {@value
 * #DEFAULT_PARALLELISM} threads owned and shut down by each call. A manifest that cannot be read
 * because of a store error fails the collection before anything is deleted (a missing manifest
 * could hide references); one that does not parse counts as absent.
 *
 * <p><b>What is deleted.</b> Only objects the namer parses as archives or sidecars, and only those
 * the plan condemns; keys the namer does not know are never touched. Archives go before their
 * sidecars, so an interrupted run leaves orphaned sidecars (collected later) rather than archives
 * without manifests.
 *
 * <p><b>Incomplete uploads.</b> Each collection also aborts the store's incomplete uploads under
 * the prefix ({@link LayerStore#abortIncompleteUploads}: S3 multipart uploads of a killed process)
 * begun more than the grace period ago, the policy's longest {@link GracePeriod} unless {@link
 * #withUploadGrace} says otherwise (a policy without one: zero); a dry run only counts them. If the
 * store cannot list or abort them, the collection still succeeds and says so in {@link
 * GcReport#warnings()}.
 *
 * <p><b>Machines working at the same moment.</b> Before deleting, the store is listed and planned a
 * second time ({@link #withRecheck}, on by default) and only what both plans condemn, unchanged in
 * size and date, is deleted: an archive rewritten meanwhile, or newly referenced by a manifest
 * uploaded meanwhile, is spared. The guarantees, with the default policy (Halcyon's rules,
 * references, a grace period): an archive written less than the grace period ago is never deleted;
 * an archive that a retained archive's manifest lists is never deleted, if that manifest was listed
 * by the re-check. The limits: a manifest written after the re-check listing is not seen (its
 * references may be deleted by this run; the builder that wrote it rebuilds such a layer next
 * time); and the store has no read locks, so a deployer told that an old, superseded archive exists
 * can find it gone if a collection deletes it between that answer and the download. Grace and "keep
 * the newest per label" make that window apply only to archives already replaced by a newer upload;
 * on S3 a download that has started completes.
 *
 * <p>Instances are immutable and thread-safe; {@link #collect} may run concurrently with itself,
 * though two collections gain nothing. The store is not closed by this class.
 */
public final class GarbageCollector {
  /** Keys per {@link LayerStore#deleteAll} call: S3's DeleteObjects limit. */
  public static final int DEFAULT_BATCH_SIZE = 1000;

  /** Manifest reads in flight when no executor is given. */
  public static final int DEFAULT_PARALLELISM = 8;

  /** Largest manifest read; anything bigger is not a manifest this library wrote. */
  private static final int MAX_MANIFEST_BYTES = 1 << 20;

  /**
   * Hears what a collection does. Called on the thread running {@link #collect}; methods must not
   * block. Defaults do nothing.
   */
  public interface Listener {
    /** The plan is final; in a real run deletion starts next. */
    default void planned(RetentionPlan plan) {}

    /** A batch of keys was deleted with {@code requests} requests. */
    default void deleted(List<String> keys, int requests) {}
  }

  private final LayerStore store;
  private final ArchiveNamer namer;
  private final RetentionPolicy policy;
  private final String prefix;
  private final Executor executor;
  private final int batchSize;
  private final boolean recheck;
  private final Listener listener;
  private final Optional<GracePeriod> uploadGrace;

  private GarbageCollector(
      LayerStore store,
      ArchiveNamer namer,
      RetentionPolicy policy,
      String prefix,
      Executor executor,
      int batchSize,
      boolean recheck,
      Listener listener,
      Optional<GracePeriod> uploadGrace) {
    this.store = checkNotNull(store, "store");
    this.namer = checkNotNull(namer, "namer");
    this.policy = checkNotNull(policy, "policy");
    this.prefix = checkNotNull(prefix, "prefix");
    this.executor = executor;
    checkArgument(batchSize >= 1, "batch size must be >= 1, got %s", batchSize);
    this.batchSize = batchSize;
    this.recheck = recheck;
    this.listener = checkNotNull(listener, "listener");
    this.uploadGrace = checkNotNull(uploadGrace, "uploadGrace");
  }

  /** A collector of the whole {@code store}, whose keys {@code namer} reads, by {@code policy}. */
  public static GarbageCollector of(LayerStore store, ArchiveNamer namer, RetentionPolicy policy) {
    return new GarbageCollector(
        store,
        namer,
        policy,
        "",
        null,
        DEFAULT_BATCH_SIZE,
        true,
        new Listener() {},
        Optional.empty());
  }

  /** This collector limited to keys starting with {@code keyPrefix}. */
  public GarbageCollector withPrefix(String keyPrefix) {
    return new GarbageCollector(
        store, namer, policy, keyPrefix, executor, batchSize, recheck, listener, uploadGrace);
  }

  /** This collector reading manifests on {@code manifestReader}, which the caller owns. */
  public GarbageCollector withExecutor(Executor manifestReader) {
    checkNotNull(manifestReader, "manifestReader");
    return new GarbageCollector(
        store, namer, policy, prefix, manifestReader, batchSize, recheck, listener, uploadGrace);
  }

  /** This collector deleting {@code keysPerCall} keys per {@link LayerStore#deleteAll} call. */
  public GarbageCollector withBatchSize(int keysPerCall) {
    return new GarbageCollector(
        store, namer, policy, prefix, executor, keysPerCall, recheck, listener, uploadGrace);
  }

  /** This collector with or without the second listing and plan before deleting. */
  public GarbageCollector withRecheck(boolean listAgainBeforeDeleting) {
    return new GarbageCollector(
        store,
        namer,
        policy,
        prefix,
        executor,
        batchSize,
        listAgainBeforeDeleting,
        listener,
        uploadGrace);
  }

  /** This collector reporting to {@code progress}. */
  public GarbageCollector withListener(Listener progress) {
    return new GarbageCollector(
        store, namer, policy, prefix, executor, batchSize, recheck, progress, uploadGrace);
  }

  /**
   * This collector aborting incomplete uploads begun more than {@code grace} ago by its clock,
   * instead of by the policy's grace period (the longest {@link GracePeriod} it contains; none
   * means zero).
   */
  public GarbageCollector withUploadGrace(GracePeriod grace) {
    checkNotNull(grace, "grace");
    return new GarbageCollector(
        store, namer, policy, prefix, executor, batchSize, recheck, listener, Optional.of(grace));
  }

  /**
   * What the store holds with every manifest read (for {@code ls}, or custom policies).
   *
   * @throws IOException if listing or reading a manifest fails
   */
  public Listing listing() throws IOException {
    List<ObjectInfo> objects = store.list(prefix);
    Map<String, ObjectInfo> infos = index(objects);
    Map<String, Fetched> fetched = new HashMap<>();
    Listing bare = Listing.of(objects, Map.of(), namer);
    readManifests(
        manifestKeysOf(bare.archives(), infos, fetched), infos, fetched, new AtomicInteger());
    return Listing.of(objects, manifests(fetched), namer);
  }

  /**
   * Lists, plans and, unless {@code dryRun}, deletes the condemned objects.
   *
   * @throws IOException if listing, reading a manifest or deleting fails; a failure while deleting
   *     says how many objects were already deleted — running again finishes the job
   */
  public GcReport collect(boolean dryRun) throws IOException {
    AtomicInteger manifestReads = new AtomicInteger();
    Map<String, Fetched> fetched = new HashMap<>();
    long start = System.nanoTime();
    List<ObjectInfo> first = store.list(prefix);
    Planned planned = plan(first, fetched, manifestReads);
    long listed = System.nanoTime();
    Duration planTime = Duration.ofNanos(planned.policyNanos);
    Duration listTime = Duration.ofNanos(listed - start).minus(planTime);
    int unknown = planned.listing.unknown().size();
    List<String> warnings = new ArrayList<>();
    if (dryRun || planned.plan.isEmpty()) {
      listener.planned(planned.plan);
      int uploads = abortIncompleteUploads(dryRun, warnings);
      return new GcReport(
          planned.plan,
          dryRun,
          first.size(),
          unknown,
          1,
          manifestReads.get(),
          0,
          0,
          List.of(),
          planned.plan.bytesFreed(),
          listTime,
          planTime,
          Duration.ofNanos(System.nanoTime() - listed),
          uploads,
          warnings);
    }

    int listCalls = 1;
    RetentionPlan plan = planned.plan;
    List<String> spared = new ArrayList<>();
    if (recheck) {
      List<ObjectInfo> second = store.list(prefix);
      listCalls++;
      Planned again = plan(second, fetched, manifestReads);
      plan = confirmed(planned, again, spared);
    }
    listener.planned(plan);

    List<String> order = new ArrayList<>();
    plan.condemned().stream().filter(c -> c.archive().isArchive()).forEach(c -> order.add(c.key()));
    plan.condemned().stream()
        .filter(c -> !c.archive().isArchive())
        .forEach(c -> order.add(c.key()));
    int deleteCalls = 0;
    int deleteRequests = 0;
    int done = 0;
    for (int from = 0; from < order.size(); from += batchSize) {
      List<String> batch =
          List.copyOf(order.subList(from, Math.min(order.size(), from + batchSize)));
      int requests;
      try {
        requests = store.deleteAll(batch);
      } catch (IOException e) {
        throw deleteFailed(done, order.size(), e);
      }
      deleteCalls++;
      deleteRequests += requests;
      done += batch.size();
      listener.deleted(batch, requests);
    }
    int uploads = abortIncompleteUploads(false, warnings);
    long end = System.nanoTime();
    return new GcReport(
        plan,
        false,
        first.size(),
        unknown,
        listCalls,
        manifestReads.get(),
        deleteCalls,
        deleteRequests,
        spared,
        plan.bytesFreed(),
        listTime,
        planTime,
        Duration.ofNanos(end - listed),
        uploads,
        warnings);
  }

  /**
   * Aborts (in a dry run: counts) the store's incomplete uploads under the prefix that are older
   * than the grace period, so a live upload on another machine is left alone. A failure here does
   * not fail the collection, whose archives are already dealt with: it becomes a warning, and the
   * uploads are tried again by the next collection.
   */
  private int abortIncompleteUploads(boolean dryRun, List<String> warnings) throws IOException {
    GracePeriod grace = uploadGrace.orElseGet(() -> gracePeriodOf(policy));
    try {
      return store.abortIncompleteUploads(
          prefix, grace.clock().instant().minus(grace.grace()), dryRun);
    } catch (InterruptedIOException e) {
      throw e;
    } catch (IOException e) {
      warnings.add(
          "incomplete uploads in " + store.describe() + " were not cleaned: " + e.getMessage());
      return 0;
    }
  }

  /** The longest grace period {@code policy} holds; none is a grace period of zero. */
  private static GracePeriod gracePeriodOf(RetentionPolicy policy) {
    List<RetentionPolicy> members =
        policy instanceof CompositeRetention c ? c.members() : List.of(policy);
    return members.stream()
        .filter(GracePeriod.class::isInstance)
        .map(GracePeriod.class::cast)
        .max(Comparator.comparing(GracePeriod::grace))
        .orElseGet(() -> GracePeriod.of(Clock.systemUTC(), Duration.ZERO));
  }

  /**
   * What the first plan condemned, the second plan still condemns, and nobody rewrote meanwhile.
   */
  private static RetentionPlan confirmed(Planned first, Planned second, List<String> spared) {
    Map<String, StoredArchive> before = new HashMap<>();
    first.listing.objects().forEach(o -> before.put(o.key(), o));
    Map<String, Condemned> stillCondemned = second.plan.condemnedByKey();
    List<Condemned> delete = new ArrayList<>();
    for (Condemned item : first.plan.condemned()) {
      Condemned now = stillCondemned.get(item.key());
      StoredArchive was = before.get(item.key());
      if (now != null
          && was.size() == now.archive().size()
          && was.lastModified().equals(now.archive().lastModified())) {
        delete.add(now);
      } else {
        spared.add(item.key());
      }
    }
    Set<String> deleting = new LinkedHashSet<>();
    delete.forEach(d -> deleting.add(d.key()));
    List<Protected> kept =
        second.plan.protections().stream().filter(p -> !deleting.contains(p.key())).toList();
    RetentionPlan plan = new RetentionPlan(delete, kept);
    Set<String> parsed = new HashSet<>();
    second.listing.objects().forEach(o -> parsed.add(o.key()));
    checkState(
        parsed.containsAll(plan.condemnedKeys()), "a plan condemned a key the namer does not know");
    return plan;
  }

  private record Planned(Listing listing, RetentionPlan plan, long policyNanos) {}

  /** A manifest object read: what it was when read, and its parsed content if it parsed. */
  private record Fetched(ObjectInfo info, Optional<ArchiveManifest> manifest) {}

  private Planned plan(List<ObjectInfo> objects, Map<String, Fetched> fetched, AtomicInteger reads)
      throws IOException {
    Map<String, ObjectInfo> infos = index(objects);
    long policyNanos = 0;
    while (true) {
      Listing listing = Listing.of(objects, manifests(fetched), namer);
      long t0 = System.nanoTime();
      RetentionPlan plan = policy.plan(listing);
      policyNanos += System.nanoTime() - t0;
      Set<String> condemned = plan.condemnedKeys();
      List<StoredArchive> retained =
          listing.archives().stream().filter(a -> !condemned.contains(a.key())).toList();
      List<String> missing = manifestKeysOf(retained, infos, fetched);
      if (missing.isEmpty()) {
        return new Planned(listing, plan, policyNanos);
      }
      readManifests(missing, infos, fetched, reads);
    }
  }

  /**
   * Manifest keys of {@code archives} that the listing holds and that were not read as they are.
   */
  private List<String> manifestKeysOf(
      List<StoredArchive> archives, Map<String, ObjectInfo> infos, Map<String, Fetched> fetched) {
    List<String> keys = new ArrayList<>();
    for (StoredArchive archive : archives) {
      String key = Listing.manifestKey(namer, archive.name());
      ObjectInfo info = infos.get(key);
      Fetched known = fetched.get(key);
      if (info != null && (known == null || !sameObject(known.info, info))) {
        keys.add(key);
      }
    }
    return keys.stream().distinct().toList();
  }

  private void readManifests(
      List<String> keys,
      Map<String, ObjectInfo> infos,
      Map<String, Fetched> fetched,
      AtomicInteger reads)
      throws IOException {
    if (keys.isEmpty()) {
      return;
    }
    ExecutorService owned =
        executor == null ? Executors.newFixedThreadPool(DEFAULT_PARALLELISM, DAEMONS) : null;
    Executor runner = executor == null ? owned : executor;
    try {
      List<CompletableFuture<Fetched>> reading = new ArrayList<>();
      for (String key : keys) {
        reading.add(CompletableFuture.supplyAsync(() -> read(key, infos.get(key), reads), runner));
      }
      for (int i = 0; i < keys.size(); i++) {
        fetched.put(keys.get(i), join(reading.get(i)));
      }
    } finally {
      if (owned != null) {
        owned.shutdownNow();
      }
    }
  }

  /** Reads of one manifest broken off by the network before the collection gives up. */
  private static final int MANIFEST_ATTEMPTS = 3;

  private Fetched read(String key, ObjectInfo listed, AtomicInteger reads) {
    for (int attempt = 1; ; attempt++) {
      try {
        return readOnce(key, listed, reads);
      } catch (UncheckedIOException e) {
        // A read the network broke off is worth a second try: failing here fails the whole
        // collection (and the build whose pruning it is), though nothing is wrong with the store.
        if (attempt >= MANIFEST_ATTEMPTS || !(e.getCause() instanceof TransientStoreException)) {
          throw e;
        }
      }
    }
  }

  private Fetched readOnce(String key, ObjectInfo listed, AtomicInteger reads) {
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
      if (cause instanceof UncheckedIOException io
          && io.getCause() instanceof TransientStoreException) {
        throw new TransientStoreException(
            "gc could not read a manifest from "
                + store.describe()
                + " (nothing was deleted; missing manifests could hide references): "
                + io.getCause().getMessage(),
            io.getCause());
      }
      if (cause instanceof UncheckedIOException io) {
        throw new StoreException(
            "gc could not read a manifest from "
                + store.describe()
                + " (nothing was deleted; missing manifests could hide references): "
                + io.getCause().getMessage(),
            io.getCause());
      }
      throw new IllegalStateException("reading a manifest failed: " + cause, cause);
    }
  }

  private IOException deleteFailed(int done, int total, IOException e) {
    String message =
        "gc deleted "
            + done
            + " of "
            + total
            + " condemned objects from "
            + store.describe()
            + " before a delete failed; run gc again to finish: "
            + e.getMessage();
    return e instanceof TransientStoreException
        ? new TransientStoreException(message, e)
        : new StoreException(message, e);
  }

  private static Map<String, ArchiveManifest> manifests(Map<String, Fetched> fetched) {
    Map<String, ArchiveManifest> out = new HashMap<>();
    fetched.forEach((key, f) -> f.manifest.ifPresent(m -> out.put(key, m)));
    return out;
  }

  private static Map<String, ObjectInfo> index(List<ObjectInfo> objects) {
    Map<String, ObjectInfo> out = new HashMap<>();
    objects.forEach(o -> out.put(o.key(), o));
    return out;
  }

  private static boolean sameObject(ObjectInfo a, ObjectInfo b) {
    return a.size() == b.size()
        && a.lastModified().equals(b.lastModified())
        && Objects.equals(a.digest(), b.digest());
  }

  private static final ThreadFactory DAEMONS =
      r -> {
        Thread t = new Thread(r, "halcyon-gc-manifests");
        t.setDaemon(true);
        return t;
      };
}
