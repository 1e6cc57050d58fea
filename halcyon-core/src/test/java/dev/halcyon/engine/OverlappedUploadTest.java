package dev.halcyon.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.halcyon.layer.Digest;
import dev.halcyon.recipe.AppRecipe;
import dev.halcyon.store.DirectoryLayerStore;
import dev.halcyon.store.ForwardingLayerStore;
import dev.halcyon.store.GrowingFile;
import dev.halcyon.store.InMemoryLayerStore;
import dev.halcyon.store.LayerStore;
import dev.halcyon.store.ObjectInfo;
import dev.halcyon.store.PutMode;
import dev.halcyon.store.PutResult;
import dev.halcyon.store.StoredObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A private store that overlaps writes gets the archive's bytes while the archive is still being
 * written, and its manifest only once the archive is stored; a store whose overlapped upload fails
 * is left with neither, and the cache still takes the archive.
 */
class OverlappedUploadTest {
  private static final long MIB = 1L << 20;

  @TempDir Path tmp;

  /** Reads the growing file as it grows and records what it got, beside the engine's events. */
  private static final class RecordingStore extends ForwardingLayerStore {
    private final InMemoryLayerStore delegate = new InMemoryLayerStore();
    private final List<String> events;
    private final long failAfter;

    RecordingStore(List<String> events, long failAfter) {
      this.events = events;
      this.failAfter = failAfter;
    }

    @Override
    protected LayerStore delegate() {
      return delegate;
    }

    @Override
    public boolean overlapsWrites() {
      return true;
    }

    @Override
    public PutResult put(String key, byte[] bytes, PutMode mode) throws IOException {
      events.add("put " + key.substring(key.lastIndexOf('.') + 1));
      return delegate.put(key, bytes, mode);
    }

    @Override
    public PutResult putWhileWriting(
        String key, GrowingFile source, PutMode mode, LongConsumer sent) throws IOException {
      MessageDigest sha256 = Digest.newSha256();
      ByteBuffer buffer = ByteBuffer.allocate(1 << 20);
      long offset = 0;
      try (FileChannel in = FileChannel.open(source.path(), StandardOpenOption.READ)) {
        while (true) {
          long available = source.awaitWritten(offset + 1);
          if (available == offset) {
            break;
          }
          if (offset == 0) {
            events.add(source.finished().isPresent() ? "first bytes, finished" : "first bytes");
          }
          buffer.clear().limit((int) Math.min(buffer.capacity(), available - offset));
          int n = in.read(buffer, offset);
          sha256.update(buffer.array(), 0, n);
          offset += n;
          sent.accept(offset);
          if (offset > failAfter) {
            throw new IOException("connection reset (test)");
          }
        }
      }
      GrowingFile.Finished end = source.awaitFinished();
      assertThat(Digest.of(sha256.digest())).isEqualTo(end.digest());
      assertThat(offset).isEqualTo(end.size());
      events.add("stored");
      return delegate.put(key, source.path(), end.digest(), mode, n -> {});
    }
  }

  private Engine engine(LayerStore bucket, DirectoryLayerStore cache, List<String> events) {
    return Engine.builder()
        .cache(cache)
        .privateStore(bucket)
        .workDir(tmp.resolve("base"))
        .listener(
            new EngineListener() {
              @Override
              public void progress(Progress p) {
                if (p.phase() == Progress.Phase.ARCHIVING
                    && p.finished()
                    && p.key().contains("halcyon-install")) {
                  events.add("archived");
                }
              }
            })
        .build();
  }

  private AppRecipe recipe() throws IOException {
    Path src = TestRecipes.sources(tmp.resolve("src"), "v1");
    return AppRecipe.builder(src)
        .label("app-1.0")
        .platform(TestRecipes.PLATFORM)
        .toolchain("jdk-17")
        .install(
            c -> {
              // Incompressible, so the archive is about as large as the tree: 12 MiB.
              byte[] noise = new byte[1 << 20];
              Random random = new Random(7);
              for (int i = 0; i < 12; i++) {
                random.nextBytes(noise);
                Files.write(c.layerDir().resolve("part-" + i + ".bin"), noise);
              }
            })
        .build();
  }

  /** A build machine whose private store records what it gets, and the app it builds. */
  private record Machine(
      List<String> events,
      RecordingStore bucket,
      DirectoryLayerStore cache,
      AppRecipe recipe,
      Engine engine,
      String key) {}

  /** A build machine whose store fails an upload once more than {@code failAfter} bytes went. */
  private Machine machine(long failAfter) throws IOException {
    List<String> events = new CopyOnWriteArrayList<>();
    RecordingStore bucket = new RecordingStore(events, failAfter);
    DirectoryLayerStore cache = new DirectoryLayerStore(tmp.resolve("cache"));
    AppRecipe recipe = recipe();
    Engine engine = engine(bucket, cache, events);
    return new Machine(
        events, bucket, cache, recipe, engine, engine.archiveKey(recipe.install().tag()));
  }

  @Test
  void build_storeOverlapsWrites_getsTheArchiveWhileItIsWrittenAndTheManifestAfter()
      throws Exception {
    Machine m = machine(Long.MAX_VALUE);

    m.engine().build(m.recipe());

    List<String> install =
        m.events().stream().filter(e -> !e.startsWith("put ") || e.equals("put manifest")).toList();
    // The build layer's upload comes first; the install layer's is the last of each kind. The
    // store may finish before or after the engine reports the archive written, but it got bytes
    // before, and the manifest comes after both.
    List<String> last = install.subList(install.lastIndexOf("first bytes"), install.size());
    assertThat(last).hasSize(4).startsWith("first bytes").endsWith("put manifest");
    assertThat(last.subList(1, 3)).containsExactlyInAnyOrder("archived", "stored");
    ObjectInfo stored = m.bucket().head(m.key()).orElseThrow();
    ObjectInfo cached = m.cache().head(m.key()).orElseThrow();
    assertThat(stored.size()).isEqualTo(cached.size()).isGreaterThan(12 * MIB);
    assertThat(stored.digest()).isEqualTo(cached.digest());
    try (StoredObject o = m.bucket().get(m.key()).orElseThrow();
        InputStream in = o.stream()) {
      assertThat(Digest.sha256(in.readAllBytes())).isEqualTo(cached.digest().orElseThrow());
    }
  }

  @Test
  void build_overlappedUploadFailsMidWay_noArchiveNoManifestAndTheCacheHasIt() throws Exception {
    Machine m = machine(4 * MIB);

    assertThatThrownBy(() -> m.engine().build(m.recipe()))
        .isInstanceOf(IOException.class)
        .hasMessage("connection reset (test)");

    assertThat(m.bucket().head(m.key())).isEmpty();
    assertThat(m.bucket().list(""))
        .extracting(ObjectInfo::key)
        .doesNotContain(m.key(), m.key().replace(".tar.zst", ".manifest"));
    assertThat(m.key()).endsWith(".tar.zst");
    assertThat(m.cache().head(m.key())).as("the cache took the archive").isPresent();
  }

  @Test
  void archiveAndStore_stepAfterArchivingFails_theStoreKeepsTheArchiveWithItsManifest()
      throws Exception {
    Machine m = machine(Long.MAX_VALUE);
    EngineConfig config = m.engine().config();
    ArchivePublisher publisher =
        new ArchivePublisher(config, new RunLedger(), new ScratchDir(config.layout(), m.cache()));
    Path dir = tmp.resolve("tree");
    Files.createDirectories(dir);
    Files.write(dir.resolve("app.bin"), new byte[(int) (8 * MIB)]);

    assertThatThrownBy(
            () ->
                publisher.archiveAndStore(
                    dir,
                    m.recipe().install().tag(),
                    PutMode.IF_ABSENT,
                    List.of(),
                    () -> {
                      throw new IOException("could not move the staging tree (test)");
                    }))
        .isInstanceOf(IOException.class)
        .hasMessage("could not move the staging tree (test)")
        .hasNoSuppressedExceptions();

    assertThat(m.events()).contains("stored", "put manifest");
    assertThat(m.bucket().head(m.key())).isPresent();
    assertThat(m.bucket().head(m.key().replace(".tar.zst", ".manifest"))).isPresent();
  }
}
