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
 * @param objectsListed how many objects the (first) listing returned, understood or not
 * @param unknownObjects how many of them the namer did not understand (never deleted)
 * @param listCalls how many times the store was listed (two with the re-check before deleting)
 * @param manifestReads how many manifest objects were read
 * @param deleteCalls how many batches were handed to {@code LayerStore.deleteAll}
 * @param deleteRequests how many requests the store says those batches took
 * @param spared keys the first plan condemned but the re-check before deleting kept (rewritten,
 *     gone, or newly protected meanwhile)
 * @param bytesFreed bytes of the objects deleted (in a dry run: that would be deleted)
 * @param listTime time spent listing the store and reading manifests
 * @param planTime time spent in the policy
 * @param deleteTime time spent re-checking and deleting
 * @param incompleteUploads incomplete uploads older than the grace period that were aborted (in a
 *     dry run: would be), see {@link dev.halcyon.store.LayerStore#abortIncompleteUploads}
 * @param warnings what went wrong without failing the collection, one line each (e.g. the store
 *     refused to list incomplete uploads)
 */
public record GcReport(
    RetentionPlan plan,
    boolean dryRun,
    int objectsListed,
    int unknownObjects,
    int listCalls,
    int manifestReads,
    int deleteCalls,
    int deleteRequests,
    List<String> spared,
    long bytesFreed,
    Duration listTime,
    Duration planTime,
    Duration deleteTime,
    int incompleteUploads,
    List<String> warnings) {

  public GcReport {
    checkNotNull(plan, "plan");
    checkArgument(objectsListed >= 0 && unknownObjects >= 0, "counts must be >= 0");
    checkArgument(listCalls >= 0 && manifestReads >= 0, "counts must be >= 0");
    checkArgument(deleteCalls >= 0 && deleteRequests >= 0, "counts must be >= 0");
    spared = List.copyOf(spared);
    checkArgument(bytesFreed >= 0, "bytesFreed must be >= 0");
    checkNotNull(listTime, "listTime");
    checkNotNull(planTime, "planTime");
    checkNotNull(deleteTime, "deleteTime");
    checkArgument(incompleteUploads >= 0, "incompleteUploads must be >= 0");
    warnings = List.copyOf(warnings);
  }

  /** Total time of the collection. */
  public Duration elapsed() {
    return listTime.plus(planTime).plus(deleteTime);
  }

  /** Every request counted: listings (as calls), manifest reads and delete requests. */
  public int requests() {
    return listCalls + manifestReads + deleteRequests;
  }
}
