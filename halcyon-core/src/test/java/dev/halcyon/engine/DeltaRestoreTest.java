package dev.halcyon.engine;

import static dev.halcyon.archive.Trees.tree;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.halcyon.archive.Archives;
import dev.halcyon.archive.ExtractLimits;
import dev.halcyon.archive.TocFooter;
import dev.halcyon.hash.Digests;
import dev.halcyon.layer.Digest;
import dev.halcyon.manifest.ArchiveManifest;
import dev.halcyon.recipe.AppRecipe;
import dev.halcyon.store.CorruptObjectException;
import dev.halcyon.store.ForwardingLayerStore;
import dev.halcyon.store.InMemoryLayerStore;
import dev.halcyon.store.LayerStore;
import dev.halcyon.store.ObjectInfo;
import dev.halcyon.store.PutMode;
import dev.halcyon.store.RangeNotSupportedException;
import dev.halcyon.store.StoredObject;
import dev.halcyon.store.TransientStoreException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Delta restores of install archives through {@link Engine#install}: a builder machine builds
 * versions into a shared store, a deploy machine moves between them. On the in-memory store here;
 * subclasses run the same tests on the directory store and (in halcyon-s3) on S3Mock and S3Proxy.
 */
public class DeltaRestoreTest {
  private static final int JARS = 20;

  @TempDir Path tmp;

  /**
   * An install tree of {@code JARS} incompressible 100 KiB "jars", small class files, a symlink and
   * an executable; {@code changed} names the jars whose content differs in this version.
   */
  private AppRecipe recipe(String version, int... changed) throws IOException {
    Path src = TestRecipes.sources(tmp.resolve("src-" + version), version);
    return TestRecipes.buildAndInstall(
        src,
        Digest.sha256(version),
        c -> TestRecipes.write(c.layerDir().resolve("out.txt"), version),
        c -> {
          Path lib = c.layerDir().resolve("lib");
          Files.createDirectories(lib);
          for (int i = 0; i < JARS; i++) {
            int salt = 0;
            for (int j : changed) {
              if (j == i) {
                salt = version.hashCode();
              }
            }
            Files.write(lib.resolve("dep-" + i + ".jar"), bytes(i * 31 + salt, 100 << 10));
          }
          for (int i = 0; i < 40; i++) {
            TestRecipes.write(
                c.layerDir().resolve("classes/app/C" + i + ".class"),
                "class " + i + (changed.length > 0 && i == 0 ? version : ""));
          }
          Path bin = c.layerDir().resolve("bin/run");
          TestRecipes.write(bin, "#!/bin/sh\necho " + version + "\n");
          Files.setPosixFilePermissions(bin, PosixFilePermissions.fromString("rwxr-xr-x"));
          Files.createSymbolicLink(c.layerDir().resolve("lib/current.jar"), Path.of("dep-0.jar"));
        });
  }

  private static byte[] bytes(long seed, int n) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  /** The shared bucket builders upload to and deployers restore from. */
  LayerStore bucket;

  private final List<String> steps = new ArrayList<>();

  /** The store the test runs against; subclasses run the same tests on other stores. */
  LayerStore newBucket() throws Exception {
    return new InMemoryLayerStore();
  }

  @BeforeEach
  void openBucket() throws Exception {
    bucket = newBucket();
  }

  @AfterEach
  void closeBucket() throws Exception {
    if (bucket instanceof InMemoryLayerStore m) {
      m.assertNoOpenStreams();
    }
    bucket.close();
  }

  private Engine engine(String machine, boolean delta) {
    return Engine.builder()
        .cache(new InMemoryLayerStore())
        .privateStore(bucket)
        .workDir(tmp.resolve(machine).resolve("base"))
        .noBuild(machine.equals("deployer"))
        .deltaRestore(delta)
        .listener(
            new EngineListener() {
              @Override
              public void step(String message) {
                steps.add(message);
              }
            })
        .build();
  }

  private Engine deployer() {
    return engine("deployer", true);
  }

  /** What the faulty view of the bucket does to ranged reads. */
  private enum Fault {
    NO_RANGES,
    DAMAGED_FRAMES,
    DAMAGED_TOC,
    BROKEN_OFF
  }

  private Engine faultyDeployer(Fault fault) {
    LayerStore faulty =
        new ForwardingLayerStore() {
          @Override
          protected LayerStore delegate() {
            return bucket;
          }

          @Override
          public Optional<InputStream> getRange(ObjectInfo object, long offset, long length)
              throws IOException {
            boolean tail = offset + length >= object.size() - TocFooter.SIZE;
            switch (fault) {
              case NO_RANGES:
                throw new RangeNotSupportedException("the test server ignores Range");
              case DAMAGED_FRAMES:
                if (tail) {
                  return super.getRange(object, offset, length);
                }
                byte[] b = read(super.getRange(object, offset, length));
                b[b.length / 2] ^= 0x55;
                return Optional.of(new ByteArrayInputStream(b));
              case DAMAGED_TOC:
                byte[] t = read(super.getRange(object, offset, length));
                if (tail && length > TocFooter.SIZE) {
                  t[t.length - 3] ^= 0x55;
                }
                return Optional.of(new ByteArrayInputStream(t));
              case BROKEN_OFF:
                if (tail) {
                  return super.getRange(object, offset, length);
                }
                throw new TransientStoreException("connection reset by the test server; run again");
            }
            throw new AssertionError(fault);
          }
        };
    return Engine.builder()
        .cache(new InMemoryLayerStore())
        .privateStore(faulty)
        .workDir(tmp.resolve("deployer").resolve("base"))
        .noBuild(true)
        .listener(
            new EngineListener() {
              @Override
              public void step(String message) {
                steps.add(message);
              }
            })
        .build();
  }

  private static byte[] read(Optional<InputStream> in) throws IOException {
    try (InputStream s = in.orElseThrow()) {
      return s.readAllBytes();
    }
  }

  private Path deployedV1ThenV2Built() throws Exception {
    Path app = built(recipe("v1"), recipe("v2", 7));
    install(deployer(), recipe("v1"), app);
    steps.clear();
    return app;
  }

  @Test
  void install_serverIgnoresRange_fallsBackToOneFullDownload() throws Exception {
    Path app = deployedV1ThenV2Built();

    LayerOutcome o = install(faultyDeployer(Fault.NO_RANGES), recipe("v2", 7), app);

    assertThat(o.source()).isEqualTo(LayerSource.PRIVATE);
    assertThat(steps)
        .contains("install  full  " + bucket.describe() + " does not serve ranged reads");
    assertThat(tree(app)).isEqualTo(tree(fullExtraction(deployer(), recipe("v2", 7))));
  }

  @Test
  void install_httpPublicStorageThatIgnoresRange_fallsBackToOneFullDownload() throws Exception {
    Path app = built(recipe("v1"), recipe("v2", 7));
    java.util.concurrent.atomic.AtomicInteger rangedGets =
        new java.util.concurrent.atomic.AtomicInteger();
    // A real HTTP server in front of the bucket that answers every GET, ranged or not, with 200
    // and the whole object, as some servers and caches do.
    com.sun.net.httpserver.HttpServer server =
        com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/bucket/",
        ex -> {
          String key = ex.getRequestURI().getPath().substring("/bucket/".length());
          Optional<StoredObject> o = bucket.get(key);
          byte[] body;
          if (o.isEmpty()) {
            ex.sendResponseHeaders(404, -1);
            ex.close();
            return;
          }
          try (StoredObject stored = o.get()) {
            body = stored.stream().readAllBytes();
          }
          if (ex.getRequestHeaders().getFirst("Range") != null) {
            rangedGets.incrementAndGet();
          }
          if (ex.getRequestMethod().equals("HEAD")) {
            ex.getResponseHeaders().add("Content-Length", String.valueOf(body.length));
            ex.sendResponseHeaders(200, -1);
          } else {
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
          }
          ex.close();
        });
    server.start();
    try {
      LayerStore http =
          new dev.halcyon.store.HttpLayerStore(
              java.net.URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/bucket"));
      Engine fromHttp =
          Engine.builder()
              .cache(new InMemoryLayerStore())
              .publicStore(http)
              .noMirror(true)
              .workDir(tmp.resolve("deployer").resolve("base"))
              .noBuild(true)
              .listener(
                  new EngineListener() {
                    @Override
                    public void step(String message) {
                      steps.add(message);
                    }
                  })
              .build();
      install(fromHttp, recipe("v1"), app);
      steps.clear();

      LayerOutcome o = install(fromHttp, recipe("v2", 7), app);

      assertThat(o.source()).isEqualTo(LayerSource.PUBLIC);
      assertThat(rangedGets.get()).as("ranged GETs answered with 200").isPositive();
      assertThat(steps)
          .contains("install  full  " + http.describe() + " does not serve ranged reads");
      assertThat(tree(app)).isEqualTo(tree(fullExtraction(deployer(), recipe("v2", 7))));
    } finally {
      server.stop(0);
    }
  }

  @Test
  void install_damagedFrames_fallBackToAFullDownloadThatSucceeds() throws Exception {
    Path app = deployedV1ThenV2Built();

    LayerOutcome o = install(faultyDeployer(Fault.DAMAGED_FRAMES), recipe("v2", 7), app);

    assertThat(o.source()).isEqualTo(LayerSource.PRIVATE);
    assertThat(steps)
        .anyMatch(s -> s.startsWith("install  full  the frames of ") && s.contains("damaged"));
    assertThat(tree(app)).isEqualTo(tree(fullExtraction(deployer(), recipe("v2", 7))));
  }

  @Test
  void install_damagedTableOfContents_isRefusedAndTheOldTreeStays() throws Exception {
    Path app = deployedV1ThenV2Built();
    TreeMap<String, String> before = tree(app);

    assertThatThrownBy(() -> install(faultyDeployer(Fault.DAMAGED_TOC), recipe("v2", 7), app))
        .isInstanceOf(CorruptObjectException.class)
        .hasMessageContaining("refusing")
        .hasMessageContaining("table of contents");

    assertThat(tree(app)).isEqualTo(before);
    assertThat(app.getParent()).isDirectoryNotContaining("glob:**/.app.extract-*");
  }

  @Test
  void install_tableOfContentsNotTheManifests_fallsBackToAFullDownloadThatSucceeds()
      throws Exception {
    Path app = deployedV1ThenV2Built();
    // Every install manifest now records another table of contents than its archive's footer.
    for (ObjectInfo info : bucket.list("")) {
      if (!info.key().endsWith("." + ArchiveManifest.EXTENSION)) {
        continue;
      }
      ArchiveManifest m;
      try (StoredObject o = bucket.get(info.key()).orElseThrow()) {
        m = ArchiveManifest.parse(new String(o.stream().readAllBytes(), StandardCharsets.UTF_8));
      }
      if (m.tocDigest().isPresent()) {
        Digest other = Digest.sha256("another table".getBytes(StandardCharsets.UTF_8));
        bucket.put(
            info.key(),
            m.withTocDigest(Optional.of(other)).format().getBytes(StandardCharsets.UTF_8),
            PutMode.OVERWRITE);
      }
    }

    LayerOutcome o = install(deployer(), recipe("v2", 7), app);

    assertThat(o.source()).isEqualTo(LayerSource.PRIVATE);
    assertThat(steps)
        .anyMatch(
            s ->
                s.startsWith("install  full  the table of contents of ")
                    && s.contains("is not the one its manifest records"));
    assertThat(tree(app)).isEqualTo(tree(fullExtraction(deployer(), recipe("v2", 7))));
  }

  @Test
  void install_rangeBrokenOff_isTransientAndTheOldTreeStays() throws Exception {
    Path app = deployedV1ThenV2Built();
    TreeMap<String, String> before = tree(app);

    assertThatThrownBy(() -> install(faultyDeployer(Fault.BROKEN_OFF), recipe("v2", 7), app))
        .isInstanceOf(TransientStoreException.class)
        .hasMessageContaining("run again");

    assertThat(tree(app)).isEqualTo(before);
    assertThat(app.getParent()).isDirectoryNotContaining("glob:**/.app.extract-*");
  }

  @Test
  void install_gzipArchives_restoreByFullDownload() throws Exception {
    Engine gzBuilder =
        Engine.builder()
            .cache(new InMemoryLayerStore())
            .privateStore(bucket)
            .workDir(tmp.resolve("builder/base"))
            .compression(dev.halcyon.archive.Compression.GZIP)
            .build();
    gzBuilder.install(recipe("v1"), tmp.resolve("builder/app"));
    gzBuilder.install(recipe("v2", 7), tmp.resolve("builder/app"));
    Engine gzDeployer =
        Engine.builder()
            .cache(new InMemoryLayerStore())
            .privateStore(bucket)
            .workDir(tmp.resolve("deployer/base"))
            .compression(dev.halcyon.archive.Compression.GZIP)
            .noBuild(true)
            .build();
    Path app = tmp.resolve("deployer/root/app");
    gzDeployer.install(recipe("v1"), app);

    LayerOutcome o = gzDeployer.install(recipe("v2", 7), app).layers().get(0);

    assertThat(o.source()).isEqualTo(LayerSource.PRIVATE);
    assertThat(Files.readString(app.resolve("bin/run"))).contains("v2");
  }

  private LayerOutcome install(Engine engine, AppRecipe recipe, Path app) throws Exception {
    return engine.install(recipe, app).layers().get(0);
  }

  @Test
  void install_redeployOfOneChangedJar_fetchesOnlyThatJarAndEqualsAFullExtraction()
      throws Exception {
    AppRecipe v1 = recipe("v1");
    AppRecipe v2 = recipe("v2", 7);
    Path app = built(v1, v2);

    LayerOutcome first = install(deployer(), v1, app);
    assertThat(first.source()).isEqualTo(LayerSource.PRIVATE);
    assertThat(steps).anyMatch(s -> s.startsWith("install  full  nothing installed at"));

    LayerOutcome second = install(deployer(), v2, app);

    assertThat(second.source()).isEqualTo(LayerSource.DELTA);
    DeltaPlan plan = second.delta().orElseThrow();
    // The jar, the first class, the launcher script and the layer's tag file differ.
    assertThat(plan.fetched()).isEqualTo(4);
    assertThat(plan.reused()).isEqualTo(plan.files() - 4);
    assertThat(plan.bytesFetched()).isLessThan(second.archiveBytes() / 10);
    assertThat(plan.linked()).isGreaterThan(JARS - 2);
    assertThat(tree(app)).isEqualTo(tree(fullExtraction(deployer(), v2)));
  }

  @Test
  void install_rollbackToThePreviousVersion_isADeltaFromTheFileCache() throws Exception {
    AppRecipe v1 = recipe("v1");
    AppRecipe v2 = recipe("v2", 3);
    Path app = built(v1, v2);
    install(deployer(), v1, app);
    install(deployer(), v2, app);

    LayerOutcome back = install(deployer(), v1, app);

    assertThat(back.source()).isEqualTo(LayerSource.DELTA);
    assertThat(back.delta().orElseThrow().fetched()).isZero();
    assertThat(tree(app)).isEqualTo(tree(fullExtraction(deployer(), v1)));
  }

  @Test
  void install_rollback_movesTheFilesOutOfTheFileCacheInsteadOfSharingThem() throws Exception {
    AppRecipe v1 = recipe("v1");
    AppRecipe v2 = recipe("v2", 3);
    Path app = built(v1, v2);
    install(deployer(), v1, app);
    Path jar = app.resolve("lib/dep-3.jar");
    String hex = Digests.sha256(jar).hex();
    Path cached =
        tmp.resolve("deployer/base/files/sha256").resolve(hex.substring(0, 2)).resolve(hex);
    install(deployer(), v2, app);
    assertThat(cached).isRegularFile();

    install(deployer(), v1, app);

    assertThat(cached).doesNotExist();
    assertThat(Files.getAttribute(jar, "unix:nlink", LinkOption.NOFOLLOW_LINKS)).isEqualTo(1);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(jar)))
        .isEqualTo(
            PosixFilePermissions.toString(
                Files.getPosixFilePermissions(
                    fullExtraction(deployer(), v1).resolve("lib/dep-3.jar"))));
  }

  @Test
  void install_fileCacheEntryWithAnotherName_isCopiedNotMoved() throws Exception {
    AppRecipe v1 = recipe("v1");
    AppRecipe v2 = recipe("v2", 3);
    Path app = built(v1, v2);
    install(deployer(), v1, app);
    Path jar = app.resolve("lib/dep-3.jar");
    String hex = Digests.sha256(jar).hex();
    Path cached =
        tmp.resolve("deployer/base/files/sha256").resolve(hex.substring(0, 2)).resolve(hex);
    install(deployer(), v2, app);
    Path alias = Files.createLink(tmp.resolve("alias.jar"), cached);

    install(deployer(), v1, app);

    assertThat(cached).isRegularFile();
    assertThat(Files.getAttribute(jar, "unix:nlink", LinkOption.NOFOLLOW_LINKS)).isEqualTo(1);
    assertThat(Files.getAttribute(alias, "unix:nlink", LinkOption.NOFOLLOW_LINKS)).isEqualTo(2);
  }

  @Test
  void install_damagedFileCacheEntry_isDroppedAndItsFileFetched() throws Exception {
    AppRecipe v1 = recipe("v1");
    AppRecipe v2 = recipe("v2", 3);
    Path app = built(v1, v2);
    install(deployer(), v1, app);
    String hex = Digests.sha256(app.resolve("lib/dep-3.jar")).hex();
    Path cached =
        tmp.resolve("deployer/base/files/sha256").resolve(hex.substring(0, 2)).resolve(hex);
    install(deployer(), v2, app);
    Files.setPosixFilePermissions(cached, PosixFilePermissions.fromString("rw-r--r--"));
    Files.write(cached, bytes(5, 100 << 10)); // same size, other bytes

    LayerOutcome back = install(deployer(), v1, app);

    assertThat(back.source()).isEqualTo(LayerSource.DELTA);
    assertThat(back.delta().orElseThrow().fetched()).isEqualTo(1);
    assertThat(cached).doesNotExist();
    assertThat(tree(app)).isEqualTo(tree(fullExtraction(deployer(), v1)));
  }

  @Test
  void install_failedDeltaAfterTakingFromTheFileCache_putsTheFilesBack() throws Exception {
    AppRecipe v1 = recipe("v1");
    AppRecipe v2 = recipe("v2", 3);
    AppRecipe v3 = recipe("v3"); // v1's jars, its own out.txt and launcher
    Path app = built(v1, v2, v3);
    install(deployer(), v1, app);
    String hex = Digests.sha256(app.resolve("lib/dep-3.jar")).hex();
    Path cached =
        tmp.resolve("deployer/base/files/sha256").resolve(hex.substring(0, 2)).resolve(hex);
    install(deployer(), v2, app); // v1's dep-3 now in the file cache
    assertThat(cached).isRegularFile();

    // v3 takes dep-3 from the cache, then the frames of the files it fetches are damaged.
    LayerOutcome o = install(faultyDeployer(Fault.DAMAGED_FRAMES), v3, app);

    assertThat(o.source()).isEqualTo(LayerSource.PRIVATE);
    assertThat(steps).anyMatch(s -> s.startsWith("install  full  the frames of "));
    assertThat(cached).isRegularFile();
    assertThat(Digests.sha256(cached).hex()).isEqualTo(hex);
  }

  @Test
  void install_locallyModifiedFile_isNotReused() throws Exception {
    AppRecipe v1 = recipe("v1");
    AppRecipe v2 = recipe("v2", 7);
    Path app = built(v1, v2);
    install(deployer(), v1, app);
    // Same size, other bytes, the old mtime put back: only ctime and the content tell.
    Path jar = app.resolve("lib/dep-2.jar");
    var mtime = Files.getLastModifiedTime(jar);
    Files.write(jar, bytes(999, 100 << 10));
    Files.setLastModifiedTime(jar, mtime);

    LayerOutcome second = install(deployer(), v2, app);

    assertThat(second.delta().orElseThrow().fetched()).isEqualTo(4 + 1);
    assertThat(tree(app)).isEqualTo(tree(fullExtraction(deployer(), v2)));
  }

  @Test
  void install_changingTheNewTreeAfterADelta_neverReachesTheFileCache() throws Exception {
    AppRecipe v1 = recipe("v1");
    AppRecipe v2 = recipe("v2", 5);
    Path app = built(v1, v2);
    install(deployer(), v1, app);
    install(deployer(), v2, app);
    install(deployer(), v1, app); // dep-5 of v1 copied back from the file cache

    Files.write(app.resolve("lib/dep-5.jar"), bytes(1, 10));
    Files.write(app.resolve("lib/dep-6.jar"), bytes(2, 10));

    Path cache = tmp.resolve("deployer/base/files/sha256");
    List<Path> cached;
    try (Stream<Path> s = Files.walk(cache)) {
      cached = s.filter(Files::isRegularFile).toList();
    }
    assertThat(cached).isNotEmpty();
    for (Path f : cached) {
      assertThat(Digests.sha256(f).hex()).isEqualTo(f.getFileName().toString());
    }
  }

  /** The replaced trees waiting beside {@code app} for the next restore to delete them. */
  private static List<Path> trash(Path app) throws IOException {
    try (Stream<Path> s = Files.list(app.getParent())) {
      return s.filter(p -> p.getFileName().toString().startsWith(".app.trash-")).toList();
    }
  }

  @Test
  void install_redeployAfterARedeploy_provesEveryFileByItsFingerprint() throws Exception {
    AppRecipe v1 = recipe("v1");
    AppRecipe v2 = recipe("v2", 7);
    AppRecipe v3 = recipe("v3", 7, 11);
    Path app = built(v1, v2, v3);
    install(deployer(), v1, app);
    install(deployer(), v2, app);
    List<Path> afterV2 = trash(app);
    assertThat(afterV2).as("the tree v2 replaced waits in the trash").hasSize(1);

    LayerOutcome third = install(deployer(), v3, app);

    DeltaPlan plan = third.delta().orElseThrow();
    assertThat(plan.hashed()).as("files hashed to prove them").isZero();
    assertThat(plan.linked()).isGreaterThan(JARS - 3);
    assertThat(tree(app)).isEqualTo(tree(fullExtraction(deployer(), v3)));
    List<Path> afterV3 = trash(app);
    assertThat(afterV3).hasSize(1).doesNotContainAnyElementsOf(afterV2);
  }

  @Test
  void install_fileModifiedWithItsMtimePutBackWhileTheTrashIsPending_isNotReused()
      throws Exception {
    AppRecipe v1 = recipe("v1");
    AppRecipe v2 = recipe("v2", 7);
    AppRecipe v3 = recipe("v3", 7, 11);
    Path app = built(v1, v2, v3);
    install(deployer(), v1, app);
    install(deployer(), v2, app);
    // dep-2 was hard-linked from v1's tree, which is in the trash: same inode, two names.
    Path jar = app.resolve("lib/dep-2.jar");
    assertThat(Files.getAttribute(jar, "unix:nlink")).isEqualTo(2);
    var mtime = Files.getLastModifiedTime(jar);
    Files.write(jar, bytes(999, 100 << 10));
    Files.setLastModifiedTime(jar, mtime);

    LayerOutcome third = install(deployer(), v3, app);

    DeltaPlan plan = third.delta().orElseThrow();
    assertThat(plan.hashed()).as("only the changed file is hashed").isEqualTo(1);
    // v3's changed jars 7 and 11, its class, launcher and tag file, and the modified dep-2.
    assertThat(plan.fetched()).isEqualTo(5 + 1);
    assertThat(tree(app)).isEqualTo(tree(fullExtraction(deployer(), v3)));
  }

  @Test
  void install_trashLeftHalfDeletedByAKilledRun_isFinishedAndOnlyItsFilesAreHashed()
      throws Exception {
    AppRecipe v1 = recipe("v1");
    AppRecipe v2 = recipe("v2", 7);
    AppRecipe v3 = recipe("v3", 7, 11);
    Path app = built(v1, v2, v3);
    install(deployer(), v1, app);
    install(deployer(), v2, app);
    // As a run killed while deleting the trash leaves it: some names gone (which changed the
    // ctime of the installed files they shared an inode with), and a tree moved aside by a run
    // killed between the swap and the rename into the trash.
    Path pending = trash(app).get(0);
    for (int i = 0; i < 4; i++) {
      Files.delete(pending.resolve("lib/dep-" + i + ".jar"));
    }
    Path old = app.resolveSibling(".app.old-1234");
    Files.createDirectories(old.resolve("lib"));
    Files.writeString(old.resolve("lib/left.jar"), "left");

    LayerOutcome third = install(deployer(), v3, app);

    DeltaPlan plan = third.delta().orElseThrow();
    assertThat(plan.hashed()).as("the files whose other name was deleted").isEqualTo(4);
    assertThat(plan.fetched()).isEqualTo(5);
    assertThat(tree(app)).isEqualTo(tree(fullExtraction(deployer(), v3)));
    assertThat(pending).doesNotExist();
    assertThat(old).doesNotExist();
    assertThat(trash(app)).hasSize(1);
  }

  @Test
  void install_fullRestoreOverADeltaInstall_deletesTheTrash() throws Exception {
    AppRecipe v1 = recipe("v1");
    AppRecipe v2 = recipe("v2", 7);
    Path app = built(v1, v2);
    install(deployer(), v1, app);
    install(deployer(), v2, app);
    assertThat(trash(app)).hasSize(1);

    install(engine("deployer", false), v1, app);

    assertThat(trash(app)).isEmpty();
    assertThat(tree(app)).isEqualTo(tree(fullExtraction(deployer(), v1)));
  }

  @Test
  void install_deltaTurnedOff_restoresByFullDownload() throws Exception {
    AppRecipe v1 = recipe("v1");
    AppRecipe v2 = recipe("v2", 7);
    Path app = built(v1, v2);
    install(engine("deployer", false), v1, app);

    LayerOutcome second = install(engine("deployer", false), v2, app);

    assertThat(second.source()).isEqualTo(LayerSource.PRIVATE);
    assertThat(second.delta()).isEmpty();
  }

  /** The tree a full extraction of {@code recipe}'s install archive gives. */
  private Path fullExtraction(Engine engine, AppRecipe recipe) throws Exception {
    String key = engine.archiveKey(recipe.install().tag());
    Path out = tmp.resolve("full-" + key.hashCode());
    try (StoredObject o = bucket.get(key).orElseThrow()) {
      Archives.extract(
          o.stream(), dev.halcyon.archive.Compression.ZSTD, out, ExtractLimits.DEFAULT);
    }
    return out;
  }

  /**
   * Builds and publishes {@code versions} in turn on the builder machine; returns the app directory
   * of the deployer, where nothing is installed yet.
   */
  private Path built(AppRecipe... versions) throws Exception {
    for (AppRecipe v : versions) {
      engine("builder", true).install(v, tmp.resolve("builder/app"));
    }
    return tmp.resolve("deployer/root/app");
  }

  static String text(LayerStore store, String key) throws IOException {
    try (StoredObject o = store.get(key).orElseThrow()) {
      return new String(o.stream().readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
