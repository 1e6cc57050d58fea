package dev.halcyon.setup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.halcyon.layer.Digest;
import dev.halcyon.store.ForwardingLayerStore;
import dev.halcyon.store.InMemoryLayerStore;
import dev.halcyon.store.LayerStore;
import dev.halcyon.store.PutMode;
import dev.halcyon.store.PutResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LazyLayerStoreTest {
  @TempDir Path tmp;

  private final AtomicInteger made = new AtomicInteger();
  private final InMemoryLayerStore memory = new InMemoryLayerStore();
  private final List<String> calls = new ArrayList<>();

  /** The store the factory makes: records the ways of writing it is called with. */
  private final LayerStore recorded =
      new ForwardingLayerStore() {
        @Override
        protected LayerStore delegate() {
          return memory;
        }

        @Override
        public PutResult put(String key, Path source, Digest digest, PutMode mode)
            throws IOException {
          calls.add("put " + key);
          return super.put(key, source, digest, mode);
        }

        @Override
        public PutResult put(
            String key, Path source, Digest digest, PutMode mode, LongConsumer sent)
            throws IOException {
          calls.add("put with progress " + key);
          return super.put(key, source, digest, mode, sent);
        }

        @Override
        public PutResult putMoving(String key, Path source, Digest digest, PutMode mode)
            throws IOException {
          calls.add("putMoving " + key);
          return super.putMoving(key, source, digest, mode);
        }
      };

  private final LazyLayerStore lazy =
      new LazyLayerStore(
          () -> {
            made.incrementAndGet();
            return recorded;
          },
          "s3://bucket/folder");

  @Test
  void describeToStringAndClose_beforeFirstUse_doNotMakeTheStore() throws IOException {
    assertThat(lazy.describe()).isEqualTo("s3://bucket/folder");
    assertThat(lazy.toString()).isEqualTo("LazyLayerStore[s3://bucket/folder]");
    lazy.close();

    assertThat(made).hasValue(0);
  }

  @Test
  void calls_madeOnceOnFirstUse_thenForwarded() throws IOException {
    assertThat(lazy.head("k")).isEmpty();
    lazy.put("k", new byte[] {1}, PutMode.OVERWRITE);

    assertThat(lazy.head("k")).isPresent();
    assertThat(made).hasValue(1);
  }

  @Test
  void putMoving_forwardsToTheStoresPutMoving() throws IOException {
    byte[] bytes = {1, 2, 3};
    Path source = Files.write(tmp.resolve("archive.tar.zst"), bytes);

    lazy.putMoving("k", source, Digest.sha256(bytes), PutMode.OVERWRITE);

    assertThat(calls).containsExactly("putMoving k");
    assertThat(source).doesNotExist();
    assertThat(memory.head("k")).isPresent();
  }

  @Test
  void putWithProgress_forwardsToTheStoresPutWithProgress() throws IOException {
    byte[] bytes = {1, 2, 3};
    Path source = Files.write(tmp.resolve("archive.tar.zst"), bytes);
    List<Long> sent = new ArrayList<>();

    lazy.put("k", source, Digest.sha256(bytes), PutMode.OVERWRITE, sent::add);

    assertThat(calls).containsExactly("put with progress k");
    assertThat(sent).last().isEqualTo(3L);
    assertThat(memory.head("k")).isPresent();
  }
}
