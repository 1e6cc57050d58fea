package dev.halcyon.engine;

import static dev.halcyon.archive.Trees.tree;
import static org.assertj.core.api.Assertions.assertThat;

import dev.halcyon.archive.ArchiveToc;
import dev.halcyon.archive.Archives;
import dev.halcyon.archive.ExtractLimits;
import dev.halcyon.archive.TocChunk;
import dev.halcyon.archive.TocEntry;
import dev.halcyon.archive.TocFooter;
import dev.halcyon.layer.Digest;
import dev.halcyon.recipe.AppRecipe;
import dev.halcyon.store.DirectoryLayerStore;
import dev.halcyon.store.ForwardingLayerStore;
import dev.halcyon.store.InMemoryLayerStore;
import dev.halcyon.store.LayerStore;
import dev.halcyon.store.ObjectInfo;
import dev.halcyon.store.PutMode;
import dev.halcyon.store.StoredObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Delta restores that take files out of an earlier install archive in the deployer's local cache (a
 * directory store, as the CLI's): the install directory is gone, the file cache is empty, and the
 * archive of the version installed before is still cached. Real archives written by the builder's
 * engine, real files; what the deployer reads from storage is counted by a wrapper.
 */
class CachedArchiveDeltaTest {
  private static final int JARS = 12;

  /** Over the archive writer's 4 MiB chunk size twice: three chunks. */
  private static final int BIG = (9 << 20) + 1000;

  @TempDir Path tmp;

  private final InMemoryLayerStore bucket = new InMemoryLayerStore();
  private final CountingStore counted = new CountingStore(bucket);
  private final List<String> steps = new ArrayList<>();
  private final List<String> warnings = new ArrayList<>();

  @AfterEach
  void noLeaks() {
    bucket.assertNoOpenStreams();
  }

  /**
   * An install tree of {@code JARS} incompressible 100 KiB jars, a 9 MiB jar (three chunks), class
   * files, a launcher naming the version and a symlink; {@code changed} jars differ in this
   * version, and with {@code bigTail} the big jar's last chunk does.
   */
  private AppRecipe recipe(String version, boolean bigTail, int... changed) throws IOException {
    Path src = TestRecipes.sources(tmp.resolve("src-" + version), version);
    return TestRecipes.buildAndInstall(
        src,
        Digest.sha256(version),
        c -> TestRecipes.write(c.layerDir().resolve("out.txt"), version),
        c -> {
          Path lib = c.layerDir().resolve("lib");
          Files.createDirectories(lib);
          for (int i = 0; i < JARS; i++) {
            int jar = i;
            int salt = Arrays.stream(changed).anyMatch(j -> j == jar) ? version.hashCode() : 0;
            Files.write(lib.resolve("dep-" + i + ".jar"), bytes(i * 31L + salt, 100 << 10));
          }
          byte[] big = bytes(4242, BIG);
          if (bigTail) {
            byte[] tail = bytes(version.hashCode(), 1000);
            System.arraycopy(tail, 0, big, BIG - tail.length, tail.length);
          }
          Files.write(lib.resolve("big.jar"), big);
          for (int i = 0; i < 20; i++) {
            TestRecipes.write(
                c.layerDir().resolve("classes/app/C" + i + ".class"),
                "class " + i + (changed.length > 0 && i == 0 ? version : ""));
          }
          Path bin = c.layerDir().resolve("bin/run");
          TestRecipes.write(bin, "#!/bin/sh\necho " + version + "\n");
          Files.setPosixFilePermissions(bin, PosixFilePermissions.fromString("rwxr-xr-x"));
          Files.createSymbolicLink(lib.resolve("current.jar"), Path.of("dep-0.jar"));
        });
  }

  private static byte[] bytes(long seed, int n) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  /** Counts what the deployer reads from the bucket: ranged bytes and whole-archive downloads. */
  static final class CountingStore extends ForwardingLayerStore {
    private final LayerStore delegate;
    final AtomicLong rangedBytes = new AtomicLong();
    final AtomicInteger fullDownloads = new AtomicInteger();

    CountingStore(LayerStore delegate) {
      this.delegate = delegate;
    }

    @Override
    protected LayerStore delegate() {
      return delegate;
    }

    @Override
    public Optional<StoredObject> get(String key) throws IOException {
      Optional<StoredObject> o = super.get(key);
      if (o.isPresent() && key.endsWith(".tar.zst")) {
        fullDownloads.incrementAndGet();
      }
      return o;
    }

    @Override
    public Optional<InputStream> getRange(ObjectInfo object, long offset, long length)
        throws IOException {
      rangedBytes.addAndGet(Math.max(0, Math.min(length, object.size() - offset)));
      return super.getRange(object, offset, length);
    }

    void reset() {
      rangedBytes.set(0);
      fullDownloads.set(0);
    }
  }

  private Path cacheDir() {
    return tmp.resolve("deployer/cache");
  }

  private Engine deployer() throws IOException {
    return Engine.builder()
        .cache(new DirectoryLayerStore(cacheDir()))
        .privateStore(counted)
        .workDir(tmp.resolve("deployer/base"))
        .noBuild(true)
        .listener(
            new EngineListener() {
              @Override
              public void step(String message) {
                steps.add(message);
              }

              @Override
              public void warning(String message) {
                warnings.add(message);
              }
            })
        .build();
  }

  /** Builds and publishes {@code versions}; returns the deployer's (empty) app directory. */
  private Path built(AppRecipe... versions) throws Exception {
    Engine builder =
        Engine.builder()
            .cache(new InMemoryLayerStore())
            .privateStore(bucket)
            .workDir(tmp.resolve("builder/base"))
            .build();
    for (AppRecipe v : versions) {
      builder.install(v, tmp.resolve("builder/app"));
    }
    return tmp.resolve("deployer/root/app");
  }

  private String key(AppRecipe recipe) throws IOException {
    return deployer().archiveKey(recipe.install().tag());
  }

  /** Deploys {@code v1} (a full download the cache keeps), then deletes the installed tree. */
  private void deployedThenDeleted(AppRecipe v1, Path app) throws Exception {
    assertThat(install(v1, app).source()).isEqualTo(LayerSource.PRIVATE);
    assertThat(new DirectoryLayerStore(cacheDir()).head(key(v1))).isPresent();
    Archives.deleteTree(app);
    steps.clear();
    warnings.clear();
    counted.reset();
  }

  private LayerOutcome install(AppRecipe recipe, Path app) throws Exception {
    return deployer().install(recipe, app).layers().get(0);
  }

  /** The tree a full extraction of {@code recipe}'s install archive gives. */
  private Path fullExtraction(AppRecipe recipe) throws Exception {
    String key = key(recipe);
    Path out = tmp.resolve("full-" + Integer.toHexString(key.hashCode()));
    try (StoredObject o = bucket.get(key).orElseThrow()) {
      Archives.extract(
          o.stream(), dev.halcyon.archive.Compression.ZSTD, out, ExtractLimits.DEFAULT);
    }
    return out;
  }

  @Test
  void install_installDirGoneAndV1Cached_fetchesOnlyWhatV1LacksAndEqualsAFullExtraction()
      throws Exception {
    AppRecipe v1 = recipe("v1", false);
    AppRecipe v2 = recipe("v2", false, 7);
    Path app = built(v1, v2);
    deployedThenDeleted(v1, app);

    LayerOutcome o = install(v2, app);

    assertThat(o.source()).isEqualTo(LayerSource.DELTA);
    DeltaPlan plan = o.delta().orElseThrow();
    // dep-7, the first class, the launcher and the layer's tag file differ from v1.
    assertThat(plan.fetched()).isEqualTo(4);
    assertThat(plan.fromArchives()).isEqualTo(plan.files() - 4);
    assertThat(plan.reused()).isEqualTo(plan.files() - 4);
    assertThat(plan.linked()).isZero();
    assertThat(plan.bytesFromArchives()).isGreaterThanOrEqualTo(BIG + (JARS - 1) * (100L << 10));
    assertThat(counted.fullDownloads.get()).isZero();
    assertThat(counted.rangedBytes.get())
        .isEqualTo(plan.bytesFetched())
        .isLessThan(3 * (100 << 10));
    assertThat(tree(app)).isEqualTo(tree(fullExtraction(v2)));
    assertThat(warnings).isEmpty();
  }

  @Test
  void install_bigFileWithOneChangedChunk_takesTheOtherChunksFromTheCachedArchive()
      throws Exception {
    AppRecipe v1 = recipe("v1", false);
    AppRecipe v2 = recipe("v2", true);
    Path app = built(v1, v2);
    deployedThenDeleted(v1, app);

    LayerOutcome o = install(v2, app);

    DeltaPlan plan = o.delta().orElseThrow();
    // The launcher, the tag file, and big.jar's last chunk; big.jar's first two chunks are local.
    assertThat(plan.fetched()).isEqualTo(3);
    assertThat(plan.fromArchives()).isEqualTo(plan.files() - 3);
    assertThat(plan.bytesFromArchives()).isGreaterThanOrEqualTo((8L << 20) + JARS * (100L << 10));
    assertThat(counted.rangedBytes.get()).isLessThan(2 << 20);
    assertThat(tree(app)).isEqualTo(tree(fullExtraction(v2)));
  }

  @Test
  void install_installedTreePresent_reusesItBeforeTheCachedArchive() throws Exception {
    AppRecipe v1 = recipe("v1", false);
    AppRecipe v2 = recipe("v2", false, 7);
    Path app = built(v1, v2);
    install(v1, app);

    DeltaPlan plan = install(v2, app).delta().orElseThrow();

    assertThat(plan.fromArchives()).isZero();
    assertThat(plan.linked()).isGreaterThan(JARS - 2);
    assertThat(plan.fetched()).isEqualTo(4);
    assertThat(tree(app)).isEqualTo(tree(fullExtraction(v2)));
  }

  @Test
  void install_cachedArchiveWithDamagedFrames_isDroppedAndItsFilesFetched() throws Exception {
    AppRecipe v1 = recipe("v1", false);
    AppRecipe v2 = recipe("v2", false, 7);
    Path app = built(v1, v2);
    deployedThenDeleted(v1, app);
    String v1Key = key(v1);
    // Bit rot: one byte of dep-3's frame flipped, the file's mtime put back, so the directory
    // store's digest record still vouches for the file.
    Path file = cacheDir().resolve(v1Key);
    ArchiveToc toc = TocReader.read(bucket, bucket.head(v1Key).orElseThrow()).toc();
    TocChunk chunk =
        toc.entries().stream()
            .filter(e -> e.path().equals("lib/dep-3.jar"))
            .map(TocEntry::chunks)
            .findFirst()
            .orElseThrow()
            .get(0);
    flipByteAt(file, chunk.offset() + chunk.length() / 2);

    LayerOutcome o = install(v2, app);

    assertThat(o.source()).isEqualTo(LayerSource.DELTA);
    DeltaPlan plan = o.delta().orElseThrow();
    assertThat(plan.fromArchives()).isZero();
    assertThat(plan.fetched()).isEqualTo(plan.files());
    assertThat(warnings).anyMatch(w -> w.startsWith(v1Key + " in ") && w.contains("is damaged"));
    assertThat(new DirectoryLayerStore(cacheDir()).head(v1Key)).isEmpty();
    assertThat(tree(app)).isEqualTo(tree(fullExtraction(v2)));
  }

  @Test
  void install_truncatedCachedArchive_isIgnoredAndTheArchiveDownloadedInFull() throws Exception {
    AppRecipe v1 = recipe("v1", false);
    AppRecipe v2 = recipe("v2", false, 7);
    Path app = built(v1, v2);
    deployedThenDeleted(v1, app);
    String v1Key = key(v1);
    LayerStore cache = new DirectoryLayerStore(cacheDir());
    byte[] whole;
    try (StoredObject s = cache.get(v1Key).orElseThrow()) {
      whole = s.stream().readAllBytes();
    }
    cache.put(v1Key, Arrays.copyOf(whole, whole.length / 2), PutMode.OVERWRITE);

    LayerOutcome o = install(v2, app);

    assertThat(o.source()).isEqualTo(LayerSource.PRIVATE);
    assertThat(steps)
        .contains(
            "delta: not using " + v1Key + " from the local cache: no table of contents in " + v1Key)
        .anyMatch(s -> s.startsWith("install  full  only 0 of "));
    assertThat(warnings).isEmpty();
    assertThat(counted.fullDownloads.get()).isEqualTo(1);
    assertThat(tree(app)).isEqualTo(tree(fullExtraction(v2)));
  }

  @Test
  void install_cachedArchiveWithDamagedTableOfContents_isDroppedAndTheRunSucceeds()
      throws Exception {
    AppRecipe v1 = recipe("v1", false);
    AppRecipe v2 = recipe("v2", false, 7);
    Path app = built(v1, v2);
    deployedThenDeleted(v1, app);
    String v1Key = key(v1);
    Path file = cacheDir().resolve(v1Key);
    flipByteAt(file, Files.size(file) - TocFooter.SIZE - 10);

    LayerOutcome o = install(v2, app);

    assertThat(o.source()).isEqualTo(LayerSource.PRIVATE);
    assertThat(warnings)
        .anyMatch(w -> w.startsWith(v1Key + " in ") && w.contains("table of contents"));
    assertThat(new DirectoryLayerStore(cacheDir()).head(v1Key)).isEmpty();
    assertThat(tree(app)).isEqualTo(tree(fullExtraction(v2)));
  }

  @Test
  void install_cachedArchiveUsedAsASource_isKeptByTheRunsCacheCleaning() throws Exception {
    AppRecipe v1 = recipe("v1", false);
    AppRecipe v2 = recipe("v2", false, 7);
    AppRecipe v3 = recipe("v3", false, 7, 9);
    Path app = built(v1, v2, v3);
    deployedThenDeleted(v1, app);
    String v1Key = key(v1);

    RunReport second = deployer().install(v2, app);

    assertThat(second.layers().get(0).delta().orElseThrow().fromArchives()).isPositive();
    assertThat(second.evicted()).doesNotContain(v1Key);
    assertThat(new DirectoryLayerStore(cacheDir()).head(v1Key)).isPresent();

    // The same cleaning drops it once a run no longer reads from it: v3 has v2 installed.
    RunReport third = deployer().install(v3, app);

    assertThat(third.layers().get(0).delta().orElseThrow().fromArchives()).isZero();
    assertThat(third.evicted()).contains(v1Key);
    assertThat(new DirectoryLayerStore(cacheDir()).head(v1Key)).isEmpty();
  }

  private static void flipByteAt(Path file, long offset) throws IOException {
    FileTime mtime = Files.getLastModifiedTime(file);
    var perms = Files.getPosixFilePermissions(file);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.seek(offset);
      int b = f.read();
      f.seek(offset);
      f.write(b ^ 0x55);
    }
    Files.setPosixFilePermissions(file, perms);
    Files.setLastModifiedTime(file, mtime);
  }
}
