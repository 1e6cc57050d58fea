package dev.halcyon.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class InMemoryLayerStoreTest extends LayerStoreContract {
  private static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");

  @Override
  protected LayerStore newStore() {
    return new InMemoryLayerStore(Clock.fixed(NOW, ZoneOffset.UTC));
  }

  @Override
  protected void assertNoLeaks(LayerStore store) {
    ((InMemoryLayerStore) store).assertNoOpenStreams();
  }

  @Override
  protected long largeObjectBytes() {
    return 64L * 1024 * 1024; // held in memory whole
  }

  @Test
  void putMoving_wrongDigest_throwsCorruptObjectStoresNothingAndKeepsTheFile() throws Exception {
    byte[] bytes = randomBytes(31, 10_000);
    Path source = file(bytes);

    assertThatThrownBy(
            () ->
                store.putMoving(
                    "k", source, dev.halcyon.layer.Digest.sha256("x"), PutMode.OVERWRITE))
        .isInstanceOf(CorruptObjectException.class)
        .hasMessageContaining("'k'");

    assertThat(store.head("k")).isEmpty();
    assertThat(source).exists();
  }

  @Test
  void assertNoOpenStreams_streamNeverClosed_throwsNamingKey() throws Exception {
    InMemoryLayerStore memory = (InMemoryLayerStore) store;
    memory.put("leaky/key.tar.zst", new byte[] {1, 2, 3}, PutMode.OVERWRITE);
    memory.put("fine", new byte[] {4}, PutMode.OVERWRITE);
    StoredObject leaked = memory.get("leaky/key.tar.zst").orElseThrow();
    read("fine");

    assertThat(memory.openStreams()).isEqualTo(1);
    assertThatThrownBy(memory::assertNoOpenStreams)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("1 stream(s)")
        .hasMessageContaining("leaky/key.tar.zst")
        .hasMessageNotContaining("fine");

    leaked.close();
    assertThat(memory.openStreams()).isZero();
    memory.assertNoOpenStreams();
  }

  @Test
  void close_streamNeverClosed_doesNotThrowAndStoreStaysUsable() throws Exception {
    InMemoryLayerStore memory = (InMemoryLayerStore) store;
    memory.put("k", new byte[] {1}, PutMode.OVERWRITE);
    StoredObject leaked = memory.get("k").orElseThrow();

    memory.close();

    assertThat(memory.openStreams()).isEqualTo(1);
    assertThat(read("k")).containsExactly(1);
    leaked.close();
  }

  @Test
  void head_afterPut_lastModifiedComesFromClock() throws Exception {
    store.put("k", new byte[] {1}, PutMode.OVERWRITE);

    assertThat(store.head("k").orElseThrow().lastModified()).isEqualTo(NOW);
    assertThat(store.list("").get(0).lastModified()).isEqualTo(NOW);
  }

  @Test
  void put_emptyKey_throwsIllegalArgument() {
    assertThatThrownBy(() -> store.put("", new byte[] {1}, PutMode.OVERWRITE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("key must not be empty");
  }

  @Test
  void describe_newStore_namesMemory() {
    assertThat(store.describe()).startsWith("memory:");
  }
}
