package dev.halcyon.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.halcyon.layer.Digest;
import dev.halcyon.layer.LayerKind;
import dev.halcyon.manifest.ArchiveManifest;
import dev.halcyon.recipe.AppRecipe;
import dev.halcyon.recipe.LayerSpec;
import dev.halcyon.store.ForwardingLayerStore;
import dev.halcyon.store.InMemoryLayerStore;
import dev.halcyon.store.LayerStore;
import dev.halcyon.store.ObjectInfo;
import dev.halcyon.store.PutMode;
import dev.halcyon.store.PutResult;
import dev.halcyon.store.StoredObject;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.LongConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run interrupted (or failing) after a layer is built but before its archive is stored: the run
 * ends with an {@link InterruptedException} that says where, and the next run archives and uploads
 * the layer from the directory in place, without building it again, so every archive the install
 * manifest names exists.
 */
class InterruptedRunTest {
  @TempDir Path tmp;
  private final List<String> ran = new ArrayList<>();
  private final InMemoryLayerStore cache = new InMemoryLayerStore();
  private final InMemoryLayerStore bucket = new InMemoryLayerStore();

  @AfterEach
  void clearFlag() {
    // A failed test must not leave the flag set for the next one on this thread.
    Thread.interrupted();
  }

  @Test
  void install_interruptedWhileArchivingDependencies_nextRunArchivesAndUploadsThem()
      throws Exception {
    AppRecipe recipe = recipe();
    String dependenciesKey = engine(bucket, EngineListener.NONE).archiveKey(dependenciesTag());
    EngineListener interrupter =
        new EngineListener() {
          @Override
          public void step(String message) {
            if (message.equals("archiving " + dependenciesKey)) {
              Thread.currentThread().interrupt();
            }
          }
        };

    assertThatThrownBy(() -> engine(bucket, interrupter).install(recipe, app()))
        .isInstanceOf(InterruptedException.class)
        .hasMessageStartingWith("interrupted while archiving " + dependenciesKey)
        .hasMessageContaining("the next run redoes what this one did not finish")
        // Where the interrupt lands decides the cause: a channel's force, or a frame compressor.
        .cause()
        .isInstanceOfAny(ClosedByInterruptException.class, InterruptedIOException.class);
    assertThat(Thread.currentThread().isInterrupted()).as("the flag is cleared").isFalse();
    assertThat(bucket.head(dependenciesKey)).isEmpty();
    assertThat(ran).containsExactly("toolchain", "dependencies");

    ran.clear();
    RunReport next = engine(bucket, EngineListener.NONE).install(recipe, app());

    assertThat(ran).as("nothing built twice").containsExactly("build", "install", "post-install");
    assertThat(next.layers())
        .extracting(LayerOutcome::source)
        .containsExactly(
            LayerSource.EXISTING, LayerSource.BUILT, LayerSource.BUILT, LayerSource.BUILT);
    assertArchivedEverywhere(dependenciesKey);
    assertInstallManifestReferencesExist();
    assertThat(Files.readString(app().resolve("lib/app.txt"))).isEqualTo("v1");

    ran.clear();
    RunReport third = engine(bucket, EngineListener.NONE).install(recipe, app());
    assertThat(ran).isEmpty();
    assertThat(third.alreadyInstalled()).isTrue();
  }

  @Test
  void install_interruptedWhileUploadingBuild_nextRunUploadsIt() throws Exception {
    AppRecipe recipe = recipe();
    String buildKey = engine(bucket, EngineListener.NONE).archiveKey(recipe.build().tag());
    LayerStore interrupting =
        bucketBeforePutOf(
            buildKey,
            // The upload reads the file through a channel: the interrupt closes it mid-way.
            () -> Thread.currentThread().interrupt());

    assertThatThrownBy(() -> engine(interrupting, EngineListener.NONE).install(recipe, app()))
        .isInstanceOf(InterruptedException.class)
        .hasMessageStartingWith("interrupted while uploading " + buildKey);
    assertThat(Thread.currentThread().isInterrupted()).isFalse();
    assertThat(bucket.head(buildKey)).isEmpty();

    ran.clear();
    engine(bucket, EngineListener.NONE).install(recipe, app());

    assertThat(ran).containsExactly("install", "post-install");
    assertArchivedEverywhere(buildKey);
    assertInstallManifestReferencesExist();
  }

  @Test
  void install_uploadOfDependenciesFails_nextRunUploadsThemFromTheDirectoryInPlace()
      throws Exception {
    AppRecipe recipe = recipe();
    String dependenciesKey = engine(bucket, EngineListener.NONE).archiveKey(dependenciesTag());
    LayerStore failing =
        bucketBeforePutOf(
            dependenciesKey,
            () -> {
              throw new IOException("connection reset while uploading " + dependenciesKey);
            });

    assertThatThrownBy(() -> engine(failing, EngineListener.NONE).install(recipe, app()))
        .isInstanceOf(IOException.class)
        .hasMessage("connection reset while uploading " + dependenciesKey);
    assertThat(cache.head(dependenciesKey)).as("the cache took the archive").isPresent();

    ran.clear();
    engine(bucket, EngineListener.NONE).install(recipe, app());

    assertThat(ran).containsExactly("build", "install", "post-install");
    assertArchivedEverywhere(dependenciesKey);
    assertInstallManifestReferencesExist();
  }

  /** What a test does to the upload of one key. */
  @FunctionalInterface
  private interface BeforePut {
    void run() throws IOException;
  }

  /** The bucket, which runs {@code beforePut} first when asked to put {@code target}. */
  private LayerStore bucketBeforePutOf(String target, BeforePut beforePut) {
    return new ForwardingLayerStore() {
      @Override
      protected LayerStore delegate() {
        return bucket;
      }

      @Override
      public PutResult put(String key, Path source, Digest digest, PutMode mode)
          throws IOException {
        if (key.equals(target)) {
          beforePut.run();
        }
        return super.put(key, source, digest, mode);
      }

      @Override
      public PutResult put(String key, Path source, Digest digest, PutMode mode, LongConsumer sent)
          throws IOException {
        if (key.equals(target)) {
          beforePut.run();
        }
        return super.put(key, source, digest, mode, sent);
      }

      @Override
      public void close() {}
    };
  }

  private void assertArchivedEverywhere(String key) throws IOException {
    assertThat(bucket.head(key)).as("%s uploaded", key).isPresent();
    assertThat(cache.head(key)).as("%s cached", key).isPresent();
    assertThat(cache.head(key).get().digest()).isEqualTo(bucket.head(key).get().digest());
    bucket.assertNoOpenStreams();
    cache.assertNoOpenStreams();
  }

  private void assertInstallManifestReferencesExist() throws IOException {
    List<String> manifests =
        bucket.list("").stream()
            .map(ObjectInfo::key)
            .filter(k -> k.contains("halcyon-install-") && k.endsWith(ArchiveManifest.EXTENSION))
            .toList();
    assertThat(manifests).hasSize(1);
    ArchiveManifest manifest;
    try (StoredObject o = bucket.get(manifests.get(0)).orElseThrow()) {
      manifest = ArchiveManifest.parse(new String(o.stream().readAllBytes(), UTF_8));
    }
    assertThat(manifest.builtOn()).hasSize(3);
    assertThat(manifest.tool()).as("the tool that wrote it").contains("halcyon-jvm " + VERSION);
    for (String ref : manifest.builtOn()) {
      assertThat(bucket.head(ref))
          .as("%s, which the install archive was built on", ref)
          .isPresent();
    }
  }

  private static final java.nio.charset.Charset UTF_8 = StandardCharsets.UTF_8;

  /** The version Maven builds (surefire runs from the module directory, beside its pom). */
  private static final String VERSION = projectVersion();

  private static String projectVersion() {
    try {
      String pom = Files.readString(Path.of("pom.xml"));
      java.util.regex.Matcher m =
          java.util.regex.Pattern.compile(
                  "<parent>.*?<version>([^<]+)</version>", java.util.regex.Pattern.DOTALL)
              .matcher(pom);
      return m.find() ? m.group(1) : "(no version in pom.xml)";
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private Engine engine(LayerStore privateStore, EngineListener listener) {
    return Engine.builder()
        .cache(cache)
        .privateStore(privateStore)
        .workDir(tmp.resolve("base"))
        .listener(listener)
        .build();
  }

  private Path app() {
    return tmp.resolve("root/app");
  }

  private static dev.halcyon.layer.LayerTag dependenciesTag() {
    return TestRecipes.dependencies();
  }

  private AppRecipe recipe() throws IOException {
    Path src = TestRecipes.sources(tmp.resolve("src"), "v1");
    Digest sourceHash = Digest.sha256("v1");
    return new AppRecipe(
        src,
        Optional.of(
            new LayerSpec(
                TestRecipes.toolchain(),
                c -> write(c.layerDir().resolve("bin/javac"), "toolchain"))),
        Optional.of(
            new LayerSpec(
                TestRecipes.dependencies(),
                c -> write(c.layerDir().resolve("repo/guava.jar"), "dependencies"))),
        new LayerSpec(
            TestRecipes.build(sourceHash),
            c -> {
              assertThat(c.dir(LayerKind.DEPENDENCIES).orElseThrow().resolve("repo/guava.jar"))
                  .exists();
              ran.add("build");
              TestRecipes.write(
                  c.layerDir().resolve("out/app.txt"),
                  Files.readString(c.layerDir().resolve("Main.txt")));
            }),
        new LayerSpec(
            TestRecipes.install(sourceHash),
            c -> {
              ran.add("install");
              Path built = c.dir(LayerKind.BUILD).orElseThrow().resolve("out/app.txt");
              TestRecipes.write(c.layerDir().resolve("lib/app.txt"), Files.readString(built));
            }),
        Optional.of(c -> ran.add("post-install")));
  }

  private void write(Path file, String hook) throws IOException {
    ran.add(hook);
    TestRecipes.write(file, hook);
  }
}
