package dev.halcyon.engine;

import dev.halcyon.store.DirectoryLayerStore;
import dev.halcyon.store.LayerStore;

/** {@link DeltaRestoreTest} on the directory store (positioned reads of one file version). */
class DirectoryDeltaRestoreTest extends DeltaRestoreTest {
  @Override
  LayerStore newBucket() throws Exception {
    return new DirectoryLayerStore(tmp.resolve("bucket"));
  }
}
