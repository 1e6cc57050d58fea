package dev.halcyon.retention;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.halcyon.naming.ArchiveNamer;
import dev.halcyon.store.LayerStore;
import dev.halcyon.store.ObjectInfo;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;

/** Reads a {@link Listing} from a store. Stateless; the store is not closed. */
public final class Listings {
  private Listings() {}

  /**
   * What {@code store} holds under {@code prefix}, keys read by {@code namer}, with the manifest of
   * every archive read (for {@code ls}, or custom policies). Manifests are read in parallel on
   * threads owned by this call.
   *
   * @param store the store to list; not closed
   * @param namer reads the store's keys
   * @param prefix the key prefix to list; empty for the whole store
   * @return every object under the prefix, with the archives' manifests
   * @throws IOException if listing or reading a manifest fails
   */
  public static Listing read(LayerStore store, ArchiveNamer namer, String prefix)
      throws IOException {
    return read(store, namer, prefix, Optional.empty());
  }

  static Listing read(
      LayerStore store, ArchiveNamer namer, String prefix, Optional<Executor> executor)
      throws IOException {
    checkNotNull(store, "store");
    checkNotNull(namer, "namer");
    checkNotNull(prefix, "prefix");
    List<ObjectInfo> objects = store.list(prefix);
    Map<String, ObjectInfo> listed = ManifestReader.index(objects);
    ManifestReader reader = new ManifestReader(store, namer, executor);
    reader.readMissing(Listing.of(objects, Map.of(), namer).archives(), listed);
    return Listing.of(objects, reader.manifests(), namer);
  }
}
