package dev.halcyon.retention;

import dev.halcyon.store.LayerStore;
import dev.halcyon.store.StoreException;
import dev.halcyon.store.TransientStoreException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Deletes what a plan condemns with {@link LayerStore#deleteAll}, a batch at a time, archives
 * before their sidecars, so an interrupted run leaves orphaned sidecars (collected later) rather
 * than archives without manifests. Immutable; the store is not closed.
 */
final class BatchDeleter {
  /** What the deletion took: batches handed to the store, and requests the store says they took. */
  record Deleted(int calls, int requests) {
    static final Deleted NOTHING = new Deleted(0, 0);
  }

  private final LayerStore store;
  private final int batchSize;
  private final GarbageCollector.Listener listener;

  BatchDeleter(LayerStore store, int batchSize, GarbageCollector.Listener listener) {
    this.store = store;
    this.batchSize = batchSize;
    this.listener = listener;
  }

  /**
   * Deletes {@code plan}'s condemned objects, telling the listener after each batch.
   *
   * @throws IOException if a delete fails, saying how many objects were already deleted
   */
  Deleted delete(RetentionPlan plan) throws IOException {
    List<String> order = new ArrayList<>();
    plan.condemned().stream().filter(c -> c.archive().isArchive()).forEach(c -> order.add(c.key()));
    plan.condemned().stream()
        .filter(c -> !c.archive().isArchive())
        .forEach(c -> order.add(c.key()));
    int calls = 0;
    int requests = 0;
    int done = 0;
    for (int from = 0; from < order.size(); from += batchSize) {
      List<String> batch =
          List.copyOf(order.subList(from, Math.min(order.size(), from + batchSize)));
      int batchRequests;
      try {
        batchRequests = store.deleteAll(batch);
      } catch (IOException e) {
        throw deleteFailed(done, order.size(), e);
      }
      calls++;
      requests += batchRequests;
      done += batch.size();
      listener.deleted(batch, batchRequests);
    }
    return new Deleted(calls, requests);
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
}
