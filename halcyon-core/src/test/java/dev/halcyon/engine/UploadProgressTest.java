package dev.halcyon.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.halcyon.recipe.AppRecipe;
import dev.halcyon.store.DirectoryLayerStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Uploading reports the bytes the store has sent while it runs, not only its start and end. */
class UploadProgressTest {
  private static final long MIB = 1L << 20;

  @TempDir Path tmp;

  @Test
  void build_largeInstallLayer_uploadingProgressInBetweenGrowsToTheArchiveSize() throws Exception {
    Path src = TestRecipes.sources(tmp.resolve("src"), "v1");
    AppRecipe recipe =
        AppRecipe.builder(src)
            .label("app-1.0")
            .platform(TestRecipes.PLATFORM)
            .toolchain("jdk-17")
            .install(
                c -> {
                  // Incompressible, so the archive is about as large as the tree: 24 MiB.
                  byte[] noise = new byte[1 << 20];
                  Random random = new Random(7);
                  for (int i = 0; i < 24; i++) {
                    random.nextBytes(noise);
                    Files.write(c.layerDir().resolve("part-" + i + ".bin"), noise);
                  }
                })
            .build();
    List<Progress> events = new CopyOnWriteArrayList<>();
    // A folder as private storage: it reports every buffer it copies.
    DirectoryLayerStore bucket = new DirectoryLayerStore(tmp.resolve("bucket"));
    Engine engine =
        Engine.builder()
            .cache(new DirectoryLayerStore(tmp.resolve("cache")))
            .privateStore(bucket)
            .workDir(tmp.resolve("base"))
            .listener(
                new EngineListener() {
                  @Override
                  public void progress(Progress p) {
                    events.add(p);
                  }
                })
            .build();
    String key = engine.archiveKey(recipe.install().tag());

    engine.build(recipe);

    List<Progress> uploading =
        events.stream()
            .filter(p -> p.key().equals(key) && p.phase() == Progress.Phase.UPLOADING)
            .toList();
    long size = bucket.head(key).orElseThrow().size();
    assertThat(size).isGreaterThan(24 * MIB);
    assertThat(uploading.get(0)).isEqualTo(new Progress(Progress.Phase.UPLOADING, key, 0, size));
    List<Progress> between = uploading.subList(1, uploading.size() - 1);
    // Every 8 MiB of 24+: at 8, 16 and 24 MiB.
    assertThat(between).hasSize(3);
    assertThat(between).allMatch(p -> p.total() == size && p.done() > 0 && p.done() < size);
    assertThat(between).extracting(Progress::done).isSorted();
    assertThat(uploading.get(uploading.size() - 1))
        .isEqualTo(new Progress(Progress.Phase.UPLOADING, key, size, size));
  }

  @Test
  void accept_storeTotals_throttledToStepsEndingOnceAtTheTotal() {
    List<Progress> events = new CopyOnWriteArrayList<>();
    EngineListener listener =
        new EngineListener() {
          @Override
          public void progress(Progress p) {
            events.add(p);
          }
        };
    long total = 20 * MIB;
    UploadProgress progress = new UploadProgress(listener, "k", total);

    for (long sent = 0; sent <= total; sent += 64 * 1024) {
      progress.accept(sent);
    }
    progress.accept(total); // a store may repeat the last total
    progress.accept(3 * MIB); // never backwards, whatever a store says
    progress.finished();

    assertThat(events).extracting(Progress::done).containsExactly(0L, 8 * MIB, 16 * MIB, total);
    assertThat(events).allMatch(p -> p.phase() == Progress.Phase.UPLOADING && p.total() == total);
  }
}
