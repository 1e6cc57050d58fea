package dev.halcyon.engine;

import static dev.halcyon.engine.TestRecipes.write;
import static org.assertj.core.api.Assertions.assertThat;

import dev.halcyon.layer.LayerKind;
import dev.halcyon.recipe.AppRecipe;
import dev.halcyon.store.DirectoryLayerStore;
import dev.halcyon.store.InMemoryLayerStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Typed events (progress, layers, warnings) to a per-run listener, and the run's report. */
class EngineEventsTest {
  @TempDir Path tmp;
  private final InMemoryLayerStore bucket = new InMemoryLayerStore();

  /** Records every event as a line. */
  private static final class Recorder implements EngineListener {
    final List<Progress> progress = new CopyOnWriteArrayList<>();
    final List<String> events = new ArrayList<>();

    @Override
    public void layerStarted(LayerKind kind) {
      events.add("started " + kind.id());
    }

    @Override
    public void layerReady(LayerOutcome outcome) {
      events.add("finished " + outcome.tag().kind().id() + " " + outcome.source());
    }

    @Override
    public void progress(Progress p) {
      progress.add(p);
    }

    @Override
    public void warning(String message) {
      events.add("warning " + message);
    }
  }

  private AppRecipe recipe(String version) throws Exception {
    Path src = TestRecipes.sources(tmp.resolve("src"), "main " + version);
    return AppRecipe.builder(src)
        .label("app-1.0")
        .platform(TestRecipes.PLATFORM)
        .toolchain("jdk-17")
        .buildLayer(c -> write(c.layerDir().resolve("out/app.txt"), version))
        .install(c -> write(c.layerDir().resolve("app.txt"), version))
        .build();
  }

  private Engine.Builder engine(String machine) throws Exception {
    return Engine.builder()
        .cache(new DirectoryLayerStore(tmp.resolve(machine + "/cache")))
        .privateStore(bucket)
        .workDir(tmp.resolve(machine + "/base"));
  }

  @Test
  void build_perRunListener_hearsLayersArchivingAndUploads() throws Exception {
    AppRecipe recipe = recipe("v1");
    Recorder engineWide = new Recorder();
    Recorder thisRun = new Recorder();
    Engine engine = engine("builder").listener(engineWide).build();
    String installKey = engine.archiveKey(recipe.install().tag());

    RunReport report = engine.build(recipe, thisRun);

    assertThat(thisRun.events)
        .containsExactly(
            "started install",
            "started build",
            "finished build BUILT",
            "started install",
            "finished install BUILT");
    assertThat(engineWide.events).isEqualTo(thisRun.events);
    assertThat(thisRun.progress)
        .filteredOn(p -> p.key().equals(installKey))
        .extracting(Progress::phase, Progress::finished)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(Progress.Phase.ARCHIVING, false),
            org.assertj.core.groups.Tuple.tuple(Progress.Phase.ARCHIVING, true),
            org.assertj.core.groups.Tuple.tuple(Progress.Phase.UPLOADING, false),
            org.assertj.core.groups.Tuple.tuple(Progress.Phase.UPLOADING, true));
    assertThat(report.uploaded())
        .containsExactly(engine.archiveKey(recipe.build().tag()), installKey);
    assertThat(report.built()).hasSize(2);
    assertThat(report.restored()).isEmpty();
    assertThat(report.warnings()).isEmpty();

    // A second run of the same engine without the per-run listener: that one hears nothing more.
    engine.build(recipe);
    assertThat(thisRun.events).hasSize(5);
  }

  @Test
  void install_onAnotherMachine_reportsDownloadProgressAndWhatWasRestored() throws Exception {
    AppRecipe recipe = recipe("v1");
    engine("builder").build().build(recipe);
    Recorder deploy = new Recorder();
    Engine deployer = engine("deployer").noBuild(true).build();

    RunReport report = deployer.install(recipe, tmp.resolve("root/app"), deploy);

    String key = deployer.archiveKey(recipe.install().tag());
    assertThat(deploy.progress).isNotEmpty().allMatch(p -> p.phase() == Progress.Phase.DOWNLOADING);
    assertThat(deploy.progress.get(deploy.progress.size() - 1).finished()).isTrue();
    assertThat(report.restored()).extracting(LayerOutcome::key).containsExactly(key);
    assertThat(report.uploaded()).isEmpty();
  }

  @Test
  void build_cleaning_reportsEvictedKeys_andPrunerSummary() throws Exception {
    Engine.Builder b = engine("builder").pruner((store, r) -> "pruned 0 archives");
    AppRecipe v1 = recipe("v1");
    Engine engine = b.build();
    engine.build(v1);
    String oldInstall = engine.archiveKey(v1.install().tag());

    RunReport report = engine.build(recipe("v2"));

    assertThat(report.evicted()).contains(oldInstall);
    assertThat(report.pruned()).contains("pruned 0 archives");
  }

  @Test
  void warnings_reachTheReport() throws Exception {
    AppRecipe recipe = recipe("v1");
    Engine engine = engine("builder").cacheMaxSize(0).build();

    RunReport report = engine.build(recipe);

    assertThat(report.warnings())
        .singleElement()
        .asString()
        .contains("over HALCYON_CACHE_MAX_SIZE");
  }

  @Test
  void hashing_sourceTree_reportsBytesAsHashingProgressThenTheTotal() throws Exception {
    Path src = TestRecipes.sources(tmp.resolve("hashed"), "main");
    write(src.resolve("lib/big.bin"), "x".repeat(200_000));
    write(src.resolve("lib/small.txt"), "small");
    long content = 4 + 200_000 + 5;
    Recorder recorder = new Recorder();
    List<long[]> counts = new ArrayList<>();

    AppRecipe.builder(src)
        .label("app-1.0")
        .platform(TestRecipes.PLATFORM)
        .toolchain("jdk-17")
        .hashListener(
            (files, bytes) -> {
              counts.add(new long[] {files, bytes});
              recorder.hashing(src.toString()).hashed(files, bytes);
            })
        .install(c -> {})
        .build();
    AppRecipe.builder(src)
        .label("app-1.0")
        .platform(TestRecipes.PLATFORM)
        .toolchain("jdk-17")
        .hashListener(recorder.hashing(src.toString()))
        .install(c -> {})
        .build();

    assertThat(counts).hasSize(3);
    assertThat(counts.get(2)).containsExactly(3, content);
    assertThat(counts).extracting(c -> c[1]).isSorted();
    List<Progress> last = recorder.progress.subList(3, recorder.progress.size());
    assertThat(last)
        .allMatch(p -> p.phase() == Progress.Phase.HASHING && p.key().equals(src.toString()));
    assertThat(last).hasSize(4);
    assertThat(last.subList(0, 3)).noneMatch(Progress::finished);
    assertThat(last.get(3).finished()).isTrue();
    assertThat(last.get(3).done()).isEqualTo(content);
    assertThat(last.get(3).total()).isEqualTo(content);
  }
}
