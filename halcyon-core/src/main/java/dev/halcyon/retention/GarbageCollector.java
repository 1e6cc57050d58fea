package dev.halcyon.retention;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.halcyon.naming.ArchiveNamer;
import dev.halcyon.store.LayerStore;
import dev.halcyon.store.ObjectInfo;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;

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
 * Listings#read} instead. Reads run on the {@link #withExecutor executor} given, or on {@value
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

  /**
   * The upload grace of a policy without a grace period: zero, so every incomplete upload begun
   * before now is old. The policy has no clock to ask, hence the system's.
   */
  private static final GracePeriod NO_GRACE = GracePeriod.of(Clock.systemUTC(), Duration.ZERO);

  /**
   * Hears what a collection does. Called on the thread running {@link #collect}; methods must not
   * block. Defaults do nothing.
   */
  public interface Listener {
    /**
     * The plan is final; in a real run deletion starts next.
     *
     * @param plan what will be (in a dry run: would be) deleted, and what protections kept
     */
    default void planned(RetentionPlan plan) {}

    /**
     * A batch of keys was deleted with {@code requests} requests.
     *
     * @param keys the keys of the batch, archives before their sidecars
     * @param requests how many requests the store says the batch took
     */
    default void deleted(List<String> keys, int requests) {}
  }

  /** What the {@code withX} methods change. */
  private record Options(
      String prefix,
      Optional<Executor> executor,
      int batchSize,
      boolean recheck,
      Listener listener,
      Optional<GracePeriod> uploadGrace) {
    static final Options DEFAULT =
        new Options(
            "", Optional.empty(), DEFAULT_BATCH_SIZE, true, new Listener() {}, Optional.empty());

    Options {
      checkNotNull(prefix, "prefix");
      checkArgument(batchSize >= 1, "batch size must be >= 1, got %s", batchSize);
      checkNotNull(listener, "listener");
    }

    Options withPrefix(String prefix) {
      return new Options(prefix, executor, batchSize, recheck, listener, uploadGrace);
    }

    Options withExecutor(Executor executor) {
      return new Options(prefix, Optional.of(executor), batchSize, recheck, listener, uploadGrace);
    }

    Options withBatchSize(int batchSize) {
      return new Options(prefix, executor, batchSize, recheck, listener, uploadGrace);
    }

    Options withRecheck(boolean recheck) {
      return new Options(prefix, executor, batchSize, recheck, listener, uploadGrace);
    }

    Options withListener(Listener listener) {
      return new Options(prefix, executor, batchSize, recheck, listener, uploadGrace);
    }

    Options withUploadGrace(GracePeriod grace) {
      return new Options(prefix, executor, batchSize, recheck, listener, Optional.of(grace));
    }
  }

  private final LayerStore store;
  private final ArchiveNamer namer;
  private final RetentionPolicy policy;
  private final Options options;

  private GarbageCollector(
      LayerStore store, ArchiveNamer namer, RetentionPolicy policy, Options options) {
    this.store = checkNotNull(store, "store");
    this.namer = checkNotNull(namer, "namer");
    this.policy = checkNotNull(policy, "policy");
    this.options = options;
  }

  /**
   * A collector of the whole {@code store}, whose keys {@code namer} reads, by {@code policy}.
   *
   * @param store the store to collect; not closed by the collector
   * @param namer reads the store's keys; keys it does not parse are never deleted
   * @param policy decides what is deleted
   * @return a collector with the defaults: no prefix, own threads, batches of {@value
   *     #DEFAULT_BATCH_SIZE}, re-check on
   */
  public static GarbageCollector of(LayerStore store, ArchiveNamer namer, RetentionPolicy policy) {
    return new GarbageCollector(store, namer, policy, Options.DEFAULT);
  }

  /**
   * This collector limited to keys starting with {@code keyPrefix}.
   *
   * @param keyPrefix the key prefix, e.g. a store prefix or a toolchain folder; empty for the whole
   *     store
   * @return a new collector; this one is unchanged
   */
  public GarbageCollector withPrefix(String keyPrefix) {
    return with(options.withPrefix(keyPrefix));
  }

  /**
   * This collector reading manifests on {@code manifestReader}, which the caller owns.
   *
   * @param manifestReader runs the manifest reads; not shut down by the collector
   * @return a new collector; this one is unchanged
   */
  public GarbageCollector withExecutor(Executor manifestReader) {
    checkNotNull(manifestReader, "manifestReader");
    return with(options.withExecutor(manifestReader));
  }

  /**
   * This collector deleting {@code keysPerCall} keys per {@link LayerStore#deleteAll} call.
   *
   * @param keysPerCall at least 1; the store may split a batch into several requests
   * @return a new collector; this one is unchanged
   */
  public GarbageCollector withBatchSize(int keysPerCall) {
    return with(options.withBatchSize(keysPerCall));
  }

  /**
   * This collector with or without the second listing and plan before deleting.
   *
   * @param listAgainBeforeDeleting false deletes the first plan's objects without the re-check,
   *     which is only safe when no other machine writes to the store meanwhile
   * @return a new collector; this one is unchanged
   */
  public GarbageCollector withRecheck(boolean listAgainBeforeDeleting) {
    return with(options.withRecheck(listAgainBeforeDeleting));
  }

  /**
   * This collector reporting to {@code progress}.
   *
   * @param progress hears the final plan and each deleted batch, on the collecting thread
   * @return a new collector; this one is unchanged
   */
  public GarbageCollector withListener(Listener progress) {
    return with(options.withListener(progress));
  }

  /**
   * This collector aborting incomplete uploads begun more than {@code grace} ago by its clock,
   * instead of by the policy's grace period (the longest {@link GracePeriod} it contains; none
   * means zero).
   *
   * @param grace the age an incomplete upload must exceed to be aborted, with its clock
   * @return a new collector; this one is unchanged
   */
  public GarbageCollector withUploadGrace(GracePeriod grace) {
    checkNotNull(grace, "grace");
    return with(options.withUploadGrace(grace));
  }

  private GarbageCollector with(Options changed) {
    return new GarbageCollector(store, namer, policy, changed);
  }

  /**
   * What the store holds with every manifest read (for {@code ls}, or custom policies); the same as
   * {@link Listings#read}, on this collector's executor.
   *
   * @return every object under the prefix, with the manifests of the archives read
   * @throws IOException if listing or reading a manifest fails
   */
  public Listing listing() throws IOException {
    return Listings.read(store, namer, options.prefix(), options.executor());
  }

  /**
   * Lists, plans and, unless {@code dryRun}, deletes the condemned objects.
   *
   * @param dryRun true to plan and report without deleting or aborting anything
   * @return what was deleted (or would be), kept and spared, with counts, timings and warnings
   * @throws IOException if listing, reading a manifest or deleting fails; a failure while deleting
   *     says how many objects were already deleted — running again finishes the job
   */
  public GcReport collect(boolean dryRun) throws IOException {
    ManifestReader manifests = new ManifestReader(store, namer, options.executor());
    long start = System.nanoTime();
    List<ObjectInfo> first = store.list(options.prefix());
    Planned planned = plan(first, manifests);
    long listed = System.nanoTime();
    Duration planTime = Duration.ofNanos(planned.policyNanos());
    Duration listTime = Duration.ofNanos(listed - start).minus(planTime);

    boolean deleting = !dryRun && !planned.plan().isEmpty();
    int listCalls = 1;
    RetentionPlan plan = planned.plan();
    List<String> spared = List.of();
    if (deleting && options.recheck()) {
      List<ObjectInfo> second = store.list(options.prefix());
      listCalls++;
      PlanConfirmation confirmed = PlanConfirmation.of(planned, plan(second, manifests));
      plan = confirmed.plan();
      spared = confirmed.spared();
    }
    options.listener().planned(plan);
    BatchDeleter.Deleted deleted =
        deleting
            ? new BatchDeleter(store, options.batchSize(), options.listener()).delete(plan)
            : BatchDeleter.Deleted.NOTHING;
    List<String> warnings = new ArrayList<>();
    int uploads = abortIncompleteUploads(dryRun, warnings);
    GcReport.Counts counts =
        new GcReport.Counts(
            first.size(),
            planned.listing().unknown().size(),
            listCalls,
            manifests.reads(),
            deleted.calls(),
            deleted.requests());
    GcReport.Timings timings =
        new GcReport.Timings(listTime, planTime, Duration.ofNanos(System.nanoTime() - listed));
    return new GcReport(plan, dryRun, counts, timings, spared, uploads, warnings);
  }

  /**
   * Plans, reads the manifests of the archives the plan keeps that were not read yet, and plans
   * again, until none is missing: only retained archives' references protect.
   */
  private Planned plan(List<ObjectInfo> objects, ManifestReader manifests) throws IOException {
    Map<String, ObjectInfo> listed = ManifestReader.index(objects);
    long policyNanos = 0;
    while (true) {
      Listing listing = Listing.of(objects, manifests.manifests(), namer);
      long t0 = System.nanoTime();
      RetentionPlan plan = policy.plan(listing);
      policyNanos += System.nanoTime() - t0;
      Set<String> condemned = plan.condemnedKeys();
      List<StoredArchive> retained =
          listing.archives().stream().filter(a -> !condemned.contains(a.key())).toList();
      if (!manifests.readMissing(retained, listed)) {
        return new Planned(listing, plan, policyNanos);
      }
    }
  }

  /**
   * Aborts (in a dry run: counts) the store's incomplete uploads under the prefix that are older
   * than the grace period, so a live upload on another machine is left alone. A failure here does
   * not fail the collection, whose archives are already dealt with: it becomes a warning, and the
   * uploads are tried again by the next collection.
   */
  private int abortIncompleteUploads(boolean dryRun, List<String> warnings) throws IOException {
    GracePeriod grace = options.uploadGrace().or(policy::gracePeriod).orElse(NO_GRACE);
    try {
      return store.abortIncompleteUploads(
          options.prefix(), grace.clock().instant().minus(grace.grace()), dryRun);
    } catch (InterruptedIOException e) {
      throw e;
    } catch (IOException e) {
      warnings.add(
          "incomplete uploads in " + store.describe() + " were not cleaned: " + e.getMessage());
      return 0;
    }
  }
}
