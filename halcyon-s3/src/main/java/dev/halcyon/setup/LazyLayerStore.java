package dev.halcyon.setup;

import dev.halcyon.store.ForwardingLayerStore;
import dev.halcyon.store.LayerStore;
import java.io.IOException;
import java.util.function.Supplier;

/**
 * A store made on first use, because building an S3 client loads many classes that a run finding
 * the app already installed never needs. Settings are parsed before this is made, so configuration
 * errors still surface at once. {@link #describe()}, {@link #toString()} and {@link #close()} do
 * not make the store; every other call is forwarded to it.
 *
 * <p>Thread-safe: the store is made once. Closing closes it if it was made.
 */
final class LazyLayerStore extends ForwardingLayerStore {
  private final Supplier<LayerStore> factory;
  private final String description;
  private LayerStore store;

  LazyLayerStore(Supplier<LayerStore> factory, String description) {
    this.factory = factory;
    this.description = description;
  }

  @Override
  protected synchronized LayerStore delegate() {
    if (store == null) {
      store = factory.get();
    }
    return store;
  }

  @Override
  public String describe() {
    return description;
  }

  @Override
  public synchronized void close() throws IOException {
    if (store != null) {
      store.close();
    }
  }

  @Override
  public String toString() {
    return "LazyLayerStore[" + description + "]";
  }
}
