package dev.halcyon.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.halcyon.recipe.AppRecipe;
import dev.halcyon.store.DirectoryLayerStore;
import dev.halcyon.store.InMemoryLayerStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Archiving reports the bytes written while it runs, not only its start and end. */
class ArchivingProgressTest {
  @TempDir Path tmp;

  @Test
  void build_largeInstallLayer_archivingProgressInBetweenGrowsToTheArchiveSize() throws Exception {
    Path src = TestRecipes.sources(tmp.resolve("src"), "v1");
    byte[] noise = new byte[1 << 20];
    AppRecipe recipe =
        AppRecipe.builder(src)
            .label("app-1.0")
            .platform(TestRecipes.PLATFORM)
            .toolchain("jdk-17")
            .install(
                c -> {
                  // Incompressible, so the archive is about as large as the tree: 24 MiB.
                  Random random = new Random(42);
                  for (int i = 0; i < 24; i++) {
                    random.nextBytes(noise);
                    Files.write(c.layerDir().resolve("part-" + i + ".bin"), noise);
                  }
                })
            .build();
    List<Progress> events = new CopyOnWriteArrayList<>();
    InMemoryLayerStore bucket = new InMemoryLayerStore();
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

    List<Progress> archiving =
        events.stream()
            .filter(p -> p.key().equals(key) && p.phase() == Progress.Phase.ARCHIVING)
            .toList();
    long size = bucket.head(key).orElseThrow().size();
    assertThat(size).isGreaterThan(24L << 20);
    assertThat(archiving).hasSizeGreaterThanOrEqualTo(4);
    assertThat(archiving.get(0).done()).isZero();
    List<Progress> between = archiving.subList(1, archiving.size() - 1);
    assertThat(between).allMatch(p -> p.total() == -1 && p.done() > 0 && p.done() < size);
    assertThat(between).extracting(Progress::done).isSorted();
    assertThat(archiving.get(archiving.size() - 1))
        .isEqualTo(new Progress(Progress.Phase.ARCHIVING, key, size, size));
  }
}
