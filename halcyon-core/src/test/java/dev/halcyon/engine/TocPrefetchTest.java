package dev.halcyon.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.halcyon.archive.ArchiveToc;
import dev.halcyon.archive.Archives;
import dev.halcyon.archive.Compression;
import dev.halcyon.archive.TocEntry;
import dev.halcyon.archive.TocFooter;
import dev.halcyon.recipe.AppRecipe;
import dev.halcyon.store.ForwardingLayerStore;
import dev.halcyon.store.InMemoryLayerStore;
import dev.halcyon.store.LayerStore;
import dev.halcyon.store.ObjectInfo;
import dev.halcyon.store.PutMode;
import dev.halcyon.store.RangeNotSupportedException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full restore reads the archive's table of contents while it extracts: the prefetched table is
 * used only when its footer is the verified archive's, and any failure to prefetch only means the
 * table is read from the cache afterwards, as before.
 */
class TocPrefetchTest {
  @TempDir Path tmp;

  /** Records the ranged reads it serves, or refuses them all. */
  private static final class RangeRecordingStore extends ForwardingLayerStore {
    private final LayerStore delegate;
    private final boolean ranges;
    final List<Long> lengths = new CopyOnWriteArrayList<>();

    RangeRecordingStore(LayerStore delegate, boolean ranges) {
      this.delegate = delegate;
      this.ranges = ranges;
    }

    @Override
    protected LayerStore delegate() {
      return delegate;
    }

    @Override
    public Optional<InputStream> getRange(ObjectInfo object, long offset, long length)
        throws IOException {
      if (!ranges) {
        throw new RangeNotSupportedException("no ranges here (test)");
      }
      lengths.add(length);
      return delegate.getRange(object, offset, length);
    }
  }

  private ObjectInfo archive(LayerStore store, String key, String content) throws IOException {
    Path dir = tmp.resolve(key);
    for (int i = 0; i < 30; i++) {
      TestRecipes.write(dir.resolve("lib/f" + i + ".txt"), content + i);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Archives.write(dir, out, Compression.ZSTD);
    store.put(key, out.toByteArray(), PutMode.OVERWRITE);
    return store.head(key).orElseThrow();
  }

  @Test
  void tocMatching_theArchivesOwnFooter_givesItsTable() throws Exception {
    InMemoryLayerStore store = new InMemoryLayerStore();
    ObjectInfo info = archive(store, "a.tar.zst", "one");

    try (TocPrefetch prefetch = TocPrefetch.start(store, info)) {
      Optional<ArchiveToc> toc = prefetch.tocMatching(TocReader.footer(store, info));

      assertThat(toc).isPresent();
      assertThat(toc.get().entries())
          .filteredOn(e -> e.type() == TocEntry.Type.FILE)
          .extracting(TocEntry::path)
          .contains("lib/f0.txt", "lib/f29.txt");
    }
  }

  @Test
  void tocMatching_anotherArchivesFooter_isEmpty() throws Exception {
    InMemoryLayerStore store = new InMemoryLayerStore();
    ObjectInfo one = archive(store, "a.tar.zst", "one");
    ObjectInfo two = archive(store, "b.tar.zst", "two");
    TocFooter other = TocReader.footer(store, two);

    try (TocPrefetch prefetch = TocPrefetch.start(store, one)) {
      assertThat(prefetch.tocMatching(other)).isEmpty();
    }
  }

  @Test
  void tocMatching_storeWithoutRangesOrArchiveWithoutTable_isEmpty() throws Exception {
    InMemoryLayerStore store = new InMemoryLayerStore();
    ObjectInfo info = archive(store, "a.tar.zst", "one");
    TocFooter footer = TocReader.footer(store, info);
    store.put("plain.tar.zst", new byte[200], PutMode.OVERWRITE);
    ObjectInfo plain = store.head("plain.tar.zst").orElseThrow();

    try (TocPrefetch noRanges = TocPrefetch.start(new RangeRecordingStore(store, false), info);
        TocPrefetch noTable = TocPrefetch.start(store, plain)) {
      assertThat(noRanges.tocMatching(footer)).isEmpty();
      assertThat(noTable.tocMatching(footer)).isEmpty();
      assertThat(TocPrefetch.none().tocMatching(footer)).isEmpty();
    }
  }

  private AppRecipe recipe() throws IOException {
    Path src = TestRecipes.sources(tmp.resolve("src"), "v1");
    return AppRecipe.builder(src)
        .label("app-1.0")
        .platform(TestRecipes.PLATFORM)
        .toolchain("jdk-17")
        .install(
            c -> {
              for (int i = 0; i < 40; i++) {
                Files.writeString(c.layerDir().resolve("f" + i + ".txt"), "file " + i);
              }
            })
        .build();
  }

  private static Engine engine(LayerStore cache, LayerStore bucket, Path base, boolean build) {
    return Engine.builder().cache(cache).privateStore(bucket).workDir(base).noBuild(!build).build();
  }

  /**
   * A fresh machine's full restore takes the table of contents from the private store during the
   * extraction, so it reads only the footer of the cached copy afterwards; the install record has
   * every digest (a redeploy of the same tree then hashes nothing).
   */
  @Test
  void install_fullRestore_readsTheTableFromTheStoreWhileExtracting() throws Exception {
    InMemoryLayerStore bucket = new InMemoryLayerStore();
    AppRecipe recipe = recipe();
    engine(new InMemoryLayerStore(), bucket, tmp.resolve("builder"), true).build(recipe);
    RangeRecordingStore cache = new RangeRecordingStore(new InMemoryLayerStore(), true);
    RangeRecordingStore remote = new RangeRecordingStore(bucket, true);
    Path app = tmp.resolve("root/app");

    engine(cache, remote, tmp.resolve("deployer"), false).install(recipe, app);

    assertThat(remote.lengths).as("footer and table from the store").hasSize(2);
    assertThat(cache.lengths).as("only the cached copy's footer").containsExactly(64L);
    assertThat(InstallRecord.read(installRecord(app)).entries()).hasSize(40 + 1);
  }

  /** Without ranged reads from the private store, the table is read from the cache, as before. */
  @Test
  void install_fullRestoreFromAStoreWithoutRanges_readsTheTableFromTheCache() throws Exception {
    InMemoryLayerStore bucket = new InMemoryLayerStore();
    AppRecipe recipe = recipe();
    engine(new InMemoryLayerStore(), bucket, tmp.resolve("builder"), true).build(recipe);
    RangeRecordingStore cache = new RangeRecordingStore(new InMemoryLayerStore(), true);
    Path app = tmp.resolve("root/app");

    engine(cache, new RangeRecordingStore(bucket, false), tmp.resolve("deployer"), false)
        .install(recipe, app);

    assertThat(cache.lengths).as("footer, then footer and table").hasSize(3);
    assertThat(InstallRecord.read(installRecord(app)).entries()).hasSize(40 + 1);
  }

  private Path installRecord(Path app) {
    return new WorkDirLayout(tmp.resolve("deployer"))
        .installRecord(app.toAbsolutePath().normalize());
  }
}
