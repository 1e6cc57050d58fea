package dev.halcyon.retention;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.time.Duration;
import java.util.List;

/**
 * What one {@link GarbageCollector#collect} did. Immutable.
 *
 * @param plan what was (or, in a dry run, would be) deleted, and what protections kept
 * @param dryRun true if nothing was deleted
 * @param counts what was listed, and the requests made
 * @param timings where the time went
 * @param spared keys the first plan condemned but the re-check before deleting kept (rewritten,
 *     gone, or newly protected meanwhile)
 * @param incompleteUploads incomplete uploads older than the grace period that were aborted (in a
 *     dry run: would be), see {@link dev.halcyon.store.LayerStore#abortIncompleteUploads}
 * @param warnings what went wrong without failing the collection, one line each (e.g. the store
 *     refused to list incomplete uploads)
 */
public record GcReport(
    RetentionPlan plan,
    boolean dryRun,
    Counts counts,
    Timings timings,
    List<String> spared,
    int incompleteUploads,
    List<String> warnings) {

  /**
   * What a collection listed and the requests it made.
   *
   * @param objectsListed how many objects the (first) listing returned, understood or not
   * @param unknownObjects how many of them the namer did not understand (never deleted)
   * @param listCalls how many times the store was listed (two with the re-check before deleting)
   * @param manifestReads how many manifest objects were read
   * @param deleteCalls how many batches were handed to {@code LayerStore.deleteAll}
   * @param deleteRequests how many requests the store says those batches took
   */
  public record Counts(
      int objectsListed,
      int unknownObjects,
      int listCalls,
      int manifestReads,
      int deleteCalls,
      int deleteRequests) {
    /**
     * Checks the counts.
     *
     * @param objectsListed not negative
     * @param unknownObjects not negative
     * @param listCalls not negative
     * @param manifestReads not negative
     * @param deleteCalls not negative
     * @param deleteRequests not negative
     * @throws IllegalArgumentException if a count is negative
     */
    public Counts {
      checkArgument(objectsListed >= 0 && unknownObjects >= 0, "counts must be >= 0");
      checkArgument(listCalls >= 0 && manifestReads >= 0, "counts must be >= 0");
      checkArgument(deleteCalls >= 0 && deleteRequests >= 0, "counts must be >= 0");
    }
  }

  /**
   * Where a collection's time went.
   *
   * @param list time spent listing the store and reading manifests
   * @param plan time spent in the policy
   * @param delete time spent re-checking and deleting
   */
  public record Timings(Duration list, Duration plan, Duration delete) {
    /**
     * Checks that every duration is given.
     *
     * @param list time spent listing and reading manifests
     * @param plan time spent in the policy
     * @param delete time spent re-checking and deleting
     */
    public Timings {
      checkNotNull(list, "list");
      checkNotNull(plan, "plan");
      checkNotNull(delete, "delete");
    }

    /**
     * Total time.
     *
     * @return the sum of the three durations
     */
    public Duration elapsed() {
      return list.plus(plan).plus(delete);
    }
  }

  /**
   * Checks the fields and copies the lists.
   *
   * @param plan what was (or would be) deleted and kept
   * @param dryRun true if nothing was deleted
   * @param counts what was listed, and the requests made
   * @param timings where the time went
   * @param spared keys kept by the re-check before deleting
   * @param incompleteUploads not negative
   * @param warnings one line each
   * @throws IllegalArgumentException if {@code incompleteUploads} is negative
   */
  public GcReport {
    checkNotNull(plan, "plan");
    checkNotNull(counts, "counts");
    checkNotNull(timings, "timings");
    spared = List.copyOf(spared);
    checkArgument(incompleteUploads >= 0, "incompleteUploads must be >= 0");
    warnings = List.copyOf(warnings);
  }

  /**
   * Bytes of the objects deleted (in a dry run: that would be deleted).
   *
   * @return the sum of the condemned objects' sizes in bytes, as listed
   */
  public long bytesFreed() {
    return plan.bytesFreed();
  }

  /**
   * Total time of the collection.
   *
   * @return listing, planning and deleting time together
   */
  public Duration elapsed() {
    return timings.elapsed();
  }

  /**
   * Every request counted: listings (as calls), manifest reads and delete requests.
   *
   * @return the number of store requests made; each listing counts once, however many pages it took
   */
  public int requests() {
    return counts.listCalls() + counts.manifestReads() + counts.deleteRequests();
  }

  /**
   * See {@link Counts#objectsListed()}.
   *
   * @return the number of objects the first listing returned
   */
  public int objectsListed() {
    return counts.objectsListed();
  }

  /**
   * See {@link Counts#unknownObjects()}.
   *
   * @return the number of listed objects the namer did not understand
   */
  public int unknownObjects() {
    return counts.unknownObjects();
  }

  /**
   * See {@link Counts#listCalls()}.
   *
   * @return the number of listings
   */
  public int listCalls() {
    return counts.listCalls();
  }

  /**
   * See {@link Counts#manifestReads()}.
   *
   * @return the number of manifests read
   */
  public int manifestReads() {
    return counts.manifestReads();
  }

  /**
   * See {@link Counts#deleteCalls()}.
   *
   * @return the number of delete batches
   */
  public int deleteCalls() {
    return counts.deleteCalls();
  }

  /**
   * See {@link Counts#deleteRequests()}.
   *
   * @return the number of delete requests the store reported
   */
  public int deleteRequests() {
    return counts.deleteRequests();
  }

  /**
   * See {@link Timings#list()}.
   *
   * @return the time spent listing and reading manifests
   */
  public Duration listTime() {
    return timings.list();
  }

  /**
   * See {@link Timings#plan()}.
   *
   * @return the time spent in the policy
   */
  public Duration planTime() {
    return timings.plan();
  }

  /**
   * See {@link Timings#delete()}.
   *
   * @return the time spent re-checking and deleting
   */
  public Duration deleteTime() {
    return timings.delete();
  }
}
