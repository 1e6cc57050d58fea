package dev.halcyon.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.halcyon.layer.Digest;
import dev.halcyon.recipe.AppRecipe;
import dev.halcyon.store.InMemoryLayerStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The install layer's staging tree is deleted in the background once archived, and is gone when the
 * run returns; a tree a killed run left behind is removed by the next run.
 */
class InstallStagingTest {
  @TempDir Path tmp;

  @Test
  void build_installLayerBuilt_stagingTreeIsGoneWhenTheRunReturns() throws Exception {
    List<Path> stages = new ArrayList<>();
    Path workDir = tmp.resolve("base");

    RunReport report = engine(workDir).build(recipe(stages));

    assertThat(report.layers()).extracting(LayerOutcome::source).containsOnly(LayerSource.BUILT);
    assertThat(stages).singleElement().satisfies(stage -> assertThat(stage).doesNotExist());
    assertThat(listing(workDir.resolve("install"))).isEmpty();
  }

  @Test
  void build_trashLeftByAKilledRun_isRemoved() throws Exception {
    Path workDir = tmp.resolve("base");
    Path trash = workDir.resolve("install/.trash-0123/lib");
    Files.createDirectories(trash);
    Files.writeString(trash.resolve("left.txt"), "left by a killed run");

    engine(workDir).build(recipe(new ArrayList<>()));

    assertThat(listing(workDir.resolve("install"))).isEmpty();
  }

  private static List<String> listing(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return List.of();
    }
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.map(p -> p.getFileName().toString()).toList();
    }
  }

  private Engine engine(Path workDir) {
    return Engine.builder()
        .cache(new InMemoryLayerStore())
        .privateStore(new InMemoryLayerStore())
        .workDir(workDir)
        .build();
  }

  private AppRecipe recipe(List<Path> stages) throws IOException {
    return TestRecipes.buildAndInstall(
        TestRecipes.sources(tmp.resolve("src"), "v1"),
        Digest.sha256("v1"),
        c -> Files.writeString(c.layerDir().resolve("out.txt"), "built"),
        c -> {
          stages.add(c.layerDir());
          for (int i = 0; i < 200; i++) {
            Path file = c.layerDir().resolve("lib/d" + (i % 10) + "/f" + i + ".txt");
            Files.createDirectories(file.getParent());
            Files.writeString(file, "file " + i);
          }
        });
  }
}
