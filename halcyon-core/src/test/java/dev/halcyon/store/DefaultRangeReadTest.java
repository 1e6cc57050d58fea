package dev.halcyon.store;

import dev.halcyon.layer.Digest;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;

/**
 * The contract kit against the {@link LayerStore} defaults of {@code getRange} (get, skip, limit),
 * through a store that implements only the abstract methods, over an {@link InMemoryLayerStore}.
 */
class DefaultRangeReadTest extends LayerStoreContract {
  private static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");

  @Override
  protected LayerStore newStore() {
    return new AbstractMethodsOnly(new InMemoryLayerStore(Clock.fixed(NOW, ZoneOffset.UTC)));
  }

  @Override
  protected void assertNoLeaks(LayerStore store) {
    ((AbstractMethodsOnly) store).memory.assertNoOpenStreams();
  }

  @Override
  protected long largeObjectBytes() {
    return 16L * 1024 * 1024;
  }

  @Override
  protected int manyKeysCount() {
    return 100;
  }

  /** Forwards the abstract methods only, so every default method of LayerStore runs as written. */
  private static final class AbstractMethodsOnly implements LayerStore {
    final InMemoryLayerStore memory;

    AbstractMethodsOnly(InMemoryLayerStore memory) {
      this.memory = memory;
    }

    @Override
    public Optional<ObjectInfo> head(String key) {
      return memory.head(key);
    }

    @Override
    public Optional<StoredObject> get(String key) {
      return memory.get(key);
    }

    @Override
    public PutResult put(String key, Path source, Digest digest, PutMode mode) throws IOException {
      return memory.put(key, source, digest, mode);
    }

    @Override
    public PutResult put(String key, byte[] bytes, PutMode mode) {
      return memory.put(key, bytes, mode);
    }

    @Override
    public List<ObjectInfo> list(String prefix) {
      return memory.list(prefix);
    }

    @Override
    public boolean delete(String key) {
      return memory.delete(key);
    }

    @Override
    public String describe() {
      return memory.describe();
    }
  }
}
