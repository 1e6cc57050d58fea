package dev.halcyon.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.halcyon.layer.Digest;
import dev.halcyon.recipe.AppRecipe;
import dev.halcyon.store.ForwardingLayerStore;
import dev.halcyon.store.InMemoryLayerStore;
import dev.halcyon.store.LayerStore;
import dev.halcyon.store.ObjectInfo;
import dev.halcyon.store.PutMode;
import dev.halcyon.store.PutResult;
import dev.halcyon.store.StoredObject;
import dev.halcyon.store.TransientStoreException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A download that fails mid-archive is a failed download, not a damaged archive: the engine fails
 * with the store's exception, warns of no damage, keeps the cache entry, and a build machine does
 * not rebuild and overwrite the good archive in storage.
 */
class DownloadFailureTest {
  @TempDir Path tmp;
  private final List<String> warnings = new ArrayList<>();

  @Test
  void install_privateDownloadFailsMidArchive_throwsTheStoreFailureWithoutDamageWarning()
      throws Exception {
    InMemoryLayerStore bucket = new InMemoryLayerStore();
    AppRecipe recipe = recipe("v1");
    engine("builder", new InMemoryLayerStore(), bucket, false).build(recipe);
    FlakyStore flaky = new FlakyStore(bucket);
    TransientStoreException failure = flaky.failReadsHalfway("connection reset by the test");
    InMemoryLayerStore deployCache = new InMemoryLayerStore();
    Path app = tmp.resolve("deployer/root/app");

    assertThatThrownBy(() -> engine("deployer", deployCache, flaky, true).install(recipe, app))
        .isSameAs(failure);

    assertThat(warnings).isEmpty();
    assertThat(app).doesNotExist();
    assertThat(deployCache.list("")).isEmpty();
    assertThat(flaky.failures.get()).isEqualTo(1);
    bucket.assertNoOpenStreams();
  }

  @Test
  void install_cacheReadFailsMidArchive_throwsAndKeepsTheCacheEntry() throws Exception {
    InMemoryLayerStore bucket = new InMemoryLayerStore();
    AppRecipe recipe = recipe("v1");
    Engine builder = engine("builder", new InMemoryLayerStore(), bucket, false);
    builder.build(recipe);
    String key = builder.archiveKey(recipe.install().tag());
    InMemoryLayerStore cache = new InMemoryLayerStore();
    FlakyStore flakyCache = new FlakyStore(cache);
    engine("deployer", flakyCache, bucket, true).install(recipe, tmp.resolve("deployer/root/app"));
    ObjectInfo cached = cache.head(key).orElseThrow();
    TransientStoreException failure = flakyCache.failReadsHalfway("disk read failed in the test");

    assertThatThrownBy(
            () ->
                engine("deployer", flakyCache, bucket, true)
                    .install(recipe, tmp.resolve("deployer/other/app")))
        .isSameAs(failure);

    assertThat(warnings).isEmpty();
    assertThat(cache.head(key)).contains(cached);
    assertThat(tmp.resolve("deployer/other/app")).doesNotExist();
    cache.assertNoOpenStreams();
  }

  @Test
  void install_buildMachineDownloadFailsMidArchive_throwsAndLeavesTheStoredArchive()
      throws Exception {
    InMemoryLayerStore bucket = new InMemoryLayerStore();
    AppRecipe recipe = recipe("v1");
    Engine first = engine("builder", new InMemoryLayerStore(), bucket, false);
    first.build(recipe);
    String key = first.archiveKey(recipe.install().tag());
    ObjectInfo stored = bucket.head(key).orElseThrow();
    FlakyStore flaky = new FlakyStore(bucket);
    TransientStoreException failure = flaky.failReadsHalfway("connection reset by the test");

    assertThatThrownBy(
            () ->
                engine("second-builder", new InMemoryLayerStore(), flaky, false)
                    .install(recipe, tmp.resolve("second-builder/root/app")))
        .isSameAs(failure);

    assertThat(warnings).isEmpty();
    assertThat(flaky.writes.get()).isZero();
    assertThat(bucket.head(key)).contains(stored);
    bucket.assertNoOpenStreams();
  }

  @Test
  void isCorruption_storeFailureBelowADecoderComplaint_isNotCorruption() {
    IOException decoder =
        new dev.halcyon.archive.CorruptArchiveException(
            "cannot read archive: truncated", new TransientStoreException("connection reset"));

    assertThat(TieredRestore.isCorruption(decoder)).isFalse();
    assertThat(
            TieredRestore.isCorruption(
                new dev.halcyon.archive.CorruptArchiveException("bad", null)))
        .isTrue();
    assertThat(
            TieredRestore.isCorruption(
                new IOException("x", new dev.halcyon.store.CorruptObjectException("digest"))))
        .isTrue();
    assertThat(TieredRestore.isCorruption(new java.io.InterruptedIOException("timed out")))
        .isFalse();
  }

  private Engine engine(String machine, LayerStore cache, LayerStore bucket, boolean noBuild) {
    return Engine.builder()
        .cache(cache)
        .privateStore(bucket)
        .workDir(tmp.resolve(machine).resolve("base"))
        .noBuild(noBuild)
        .listener(
            new EngineListener() {
              @Override
              public void warning(String message) {
                warnings.add(message);
              }
            })
        .build();
  }

  private AppRecipe recipe(String source) throws IOException {
    return TestRecipes.buildAndInstall(
        TestRecipes.sources(tmp.resolve("src"), source),
        Digest.sha256(source),
        c -> TestRecipes.write(c.layerDir().resolve("out/app.txt"), source),
        c -> {
          TestRecipes.write(c.layerDir().resolve("lib/app.txt"), source);
          // Incompressible, so that the archive is long enough to fail in the middle of.
          byte[] noise = new byte[256 * 1024];
          new java.util.Random(1).nextBytes(noise);
          Files.write(c.layerDir().resolve("lib/noise.bin"), noise);
        });
  }

  /**
   * Delegates to a store; once armed, every stream it hands out throws a {@link
   * TransientStoreException} halfway through the object. Counts writes, every way of writing.
   */
  private static final class FlakyStore extends ForwardingLayerStore {
    private final LayerStore delegate;
    final AtomicInteger writes = new AtomicInteger();
    final AtomicInteger failures = new AtomicInteger();
    private volatile TransientStoreException failure;

    FlakyStore(LayerStore delegate) {
      this.delegate = delegate;
    }

    @Override
    protected LayerStore delegate() {
      return delegate;
    }

    TransientStoreException failReadsHalfway(String message) {
      failure = new TransientStoreException(message);
      return failure;
    }

    @Override
    public Optional<StoredObject> get(String key) throws IOException {
      Optional<StoredObject> found = delegate.get(key);
      TransientStoreException f = failure;
      if (found.isEmpty() || f == null) {
        return found;
      }
      StoredObject object = found.get();
      long failAt = object.info().size() / 2;
      InputStream failing =
          new FilterInputStream(object.stream()) {
            private long read;

            @Override
            public int read() throws IOException {
              byte[] one = new byte[1];
              return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
              if (read >= failAt) {
                failures.incrementAndGet();
                throw f;
              }
              int n = super.read(b, off, (int) Math.min(len, failAt - read));
              if (n > 0) {
                read += n;
              }
              return n;
            }
          };
      return Optional.of(new StoredObject(object.info(), failing));
    }

    @Override
    public PutResult put(String key, Path source, Digest digest, PutMode mode) throws IOException {
      writes.incrementAndGet();
      return delegate.put(key, source, digest, mode);
    }

    @Override
    public PutResult put(String key, Path source, Digest digest, PutMode mode, LongConsumer sent)
        throws IOException {
      writes.incrementAndGet();
      return delegate.put(key, source, digest, mode, sent);
    }

    @Override
    public PutResult putMoving(String key, Path source, Digest digest, PutMode mode)
        throws IOException {
      writes.incrementAndGet();
      return delegate.putMoving(key, source, digest, mode);
    }

    @Override
    public PutResult put(String key, byte[] bytes, PutMode mode) throws IOException {
      writes.incrementAndGet();
      return delegate.put(key, bytes, mode);
    }

    @Override
    public boolean delete(String key) throws IOException {
      writes.incrementAndGet();
      return delegate.delete(key);
    }

    @Override
    public int deleteAll(Collection<String> keys) throws IOException {
      writes.addAndGet(keys.size());
      return delegate.deleteAll(keys);
    }

    @Override
    public String describe() {
      return "flaky " + delegate.describe();
    }
  }
}
