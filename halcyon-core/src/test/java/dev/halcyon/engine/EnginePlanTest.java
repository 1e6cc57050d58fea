package dev.halcyon.engine;

import static dev.halcyon.engine.TestRecipes.write;
import static org.assertj.core.api.Assertions.assertThat;

import dev.halcyon.layer.Constraints;
import dev.halcyon.layer.IgnoreRules;
import dev.halcyon.recipe.AppRecipe;
import dev.halcyon.recipe.DependencyConstraints;
import dev.halcyon.recipe.PartialMatchRule;
import dev.halcyon.store.DirectoryLayerStore;
import dev.halcyon.store.InMemoryLayerStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Engine#plan}: where each layer would come from, what differs, and that nothing is written.
 */
class EnginePlanTest {
  @TempDir Path tmp;
  private DirectoryLayerStore cache;
  private final InMemoryLayerStore bucket = new InMemoryLayerStore();

  @BeforeEach
  void openCache() throws Exception {
    cache = new DirectoryLayerStore(tmp.resolve("cache"));
  }

  private AppRecipe recipe(String version) throws Exception {
    Path src = TestRecipes.sources(tmp.resolve("src"), "main " + version);
    return AppRecipe.builder(src)
        .label("app-1.0")
        .platform(TestRecipes.PLATFORM)
        .toolchain("jdk-17")
        .constraints(Constraints.parse("guava 33\n"))
        .dependenciesLayer(c -> write(c.layerDir().resolve("repo/guava.jar"), "guava"))
        .buildLayer(c -> write(c.layerDir().resolve("out/app.txt"), version))
        .install(c -> write(c.layerDir().resolve("app.txt"), version))
        .build();
  }

  private Engine engine(boolean noBuild) {
    return Engine.builder()
        .cache(cache)
        .privateStore(bucket)
        .workDir(tmp.resolve("base"))
        .noBuild(noBuild)
        .build();
  }

  private List<Path> filesUnder(Path dir) throws Exception {
    if (!Files.exists(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.walk(dir)) {
      return files.sorted().toList();
    }
  }

  @Test
  void plan_nothingStored_wouldBuildEveryLayerAndWritesNothing() throws Exception {
    AppRecipe recipe = recipe("v1");
    List<Path> before = filesUnder(tmp);

    Plan plan = engine(false).plan(recipe);

    assertThat(plan.steps()).allMatch(PlanStep::wouldBuild);
    assertThat(plan.steps()).allMatch(s -> s.nearest().isEmpty());
    assertThat(plan.install().key()).isEqualTo(engine(false).archiveKey(recipe.install().tag()));
    assertThat(plan.buildForbidden()).isFalse();
    assertThat(filesUnder(tmp)).as("no file written").isEqualTo(before);
    assertThat(bucket.list("")).isEmpty();
    assertThat(plan.format()).contains("would build").contains(plan.install().key());
  }

  @Test
  void plan_afterABuild_findsTheInstallArchiveAndSkipsTheRest() throws Exception {
    AppRecipe recipe = recipe("v1");
    engine(false).build(recipe);

    Plan plan = engine(false).plan(recipe);

    assertThat(plan.install().source()).isEqualTo(LayerSource.CACHE);
    assertThat(plan.wouldBuild()).isFalse();
    assertThat(plan.steps().subList(0, 2)).noneMatch(PlanStep::needed);
    assertThat(plan.format()).contains("not needed").contains("cache");
  }

  @Test
  void plan_changedSource_namesTheDifferingInputAgainstTheNearestStoredTag() throws Exception {
    engine(false).build(recipe("v1"));
    AppRecipe v2 = recipe("v2");

    Plan plan = engine(false).plan(v2);

    PlanStep dependencies = plan.steps().get(0);
    assertThat(dependencies.source()).isEqualTo(LayerSource.EXISTING);
    PlanStep build = plan.steps().get(1);
    assertThat(build.wouldBuild()).isTrue();
    assertThat(build.nearest()).isPresent();
    assertThat(build.differences()).hasSize(1).allMatch(d -> d.contains("source-hash"));
    assertThat(plan.install().wouldBuild()).isTrue();
    assertThat(plan.install().differences()).hasSize(1).allMatch(d -> d.contains("source-hash"));
  }

  @Test
  void plan_changedSource_listsEveryCopyTheNearbyManifestsAndThePartialSearch() throws Exception {
    engine(false).build(recipe("v1"));
    AppRecipe v2 = recipe("v2");

    Plan plan = engine(false).plan(v2);

    assertThat(plan.stores()).containsExactly(cache.describe(), bucket.describe());
    PlanStep dependencies = plan.steps().get(0);
    assertThat(dependencies.copies())
        .extracting(PlanStep.Copy::tier)
        .containsExactly(LayerSource.CACHE, LayerSource.PRIVATE);
    assertThat(dependencies.stored()).isTrue();
    assertThat(dependencies.partial()).as("a current copy needs no partial match").isEmpty();
    PlanStep build = plan.steps().get(1);
    assertThat(build.stored()).as("the build archives hold v1").isFalse();
    PlanStep.Copy inBucket = build.copies().get(build.copies().size() - 1);
    assertThat(inBucket.tier()).isEqualTo(LayerSource.PRIVATE);
    assertThat(inBucket.recorded()).isPresent();
    assertThat(inBucket.differences()).hasSize(1).allMatch(d -> d.contains("source-hash"));
    PlanStep install = plan.install();
    assertThat(install.copies()).isEmpty();
    assertThat(install.nearby())
        .singleElement()
        .satisfies(
            n -> {
              assertThat(n.store()).isEqualTo(bucket.describe());
              assertThat(n.key()).isEqualTo(engine(false).archiveKey(recipe("v1").install().tag()));
              assertThat(n.differences()).hasSize(1).allMatch(d -> d.contains("source-hash"));
            });
  }

  private AppRecipe recipeWithList(String list) throws Exception {
    Path src = TestRecipes.sources(tmp.resolve("src"), "main v1");
    Constraints constraints = Constraints.parse(list);
    return AppRecipe.builder(src)
        .label("app-1.0")
        .platform(TestRecipes.PLATFORM)
        .toolchain("jdk-17")
        .constraints(constraints)
        .dependencyConstraints(DependencyConstraints.of(constraints, PartialMatchRule.SUBSET))
        .dependenciesLayer(c -> write(c.layerDir().resolve("repo/guava.jar"), "guava"))
        .buildLayer(c -> write(c.layerDir().resolve("out/app.txt"), "v1"))
        .install(c -> write(c.layerDir().resolve("app.txt"), "v1"))
        .build();
  }

  @Test
  void plan_newDependencyList_searchesForALayerToExtend() throws Exception {
    engine(false).build(recipeWithList("guava 33\n"));
    AppRecipe more = recipeWithList("guava 33\ngson 2.11\n");

    PlanStep dependencies = engine(false).plan(more).steps().get(0);

    assertThat(dependencies.copies()).isEmpty();
    PlanStep.Partial partial = dependencies.partial().orElseThrow();
    assertThat(partial.stores()).containsExactly(bucket.describe());
    assertThat(partial.needed().size()).isEqualTo(2);
    assertThat(partial.best()).as(partial.candidates().toString()).isPresent();
    PartialMatches.Candidate best = partial.best().orElseThrow();
    assertThat(best.overlap()).isEqualTo(1);
    assertThat(best.missing()).containsExactly("gson 2.11");
  }

  @Test
  void plan_deployMachineWithNothingStored_saysBuildIsForbidden() throws Exception {
    Plan plan = engine(true).plan(recipe("v1"), tmp.resolve("root/app"));

    assertThat(plan.buildForbidden()).isTrue();
    assertThat(plan.format()).contains("building is off here");
  }

  @Test
  void plan_installDirHoldsTheApp_installIsInPlace() throws Exception {
    AppRecipe recipe = recipe("v1");
    Path app = tmp.resolve("root/app");
    engine(false).install(recipe, app);

    Plan plan = engine(true).plan(recipe, app);

    assertThat(plan.install().source()).isEqualTo(LayerSource.EXISTING);
    assertThat(plan.buildForbidden()).isFalse();
  }

  @Test
  void run_ignoreRulesLeaveIgnoredFilesOutOfTheBuildLayer() throws Exception {
    Path src = TestRecipes.sources(tmp.resolve("src"), "main");
    write(src.resolve("target/stale.jar"), "stale output");
    AppRecipe recipe =
        AppRecipe.builder(src)
            .label("app-1.0")
            .platform(TestRecipes.PLATFORM)
            .toolchain("jdk-17")
            .ignore(IgnoreRules.DEFAULT.plus(IgnoreRules.of("target")))
            .buildLayer(c -> {})
            .install(
                c -> {
                  Path build = c.dir(dev.halcyon.layer.LayerKind.BUILD).orElseThrow();
                  write(
                      c.layerDir().resolve("seen.txt"),
                      Files.exists(build.resolve("target/stale.jar"))
                          + " "
                          + Files.exists(build.resolve("Main.txt")));
                })
            .build();

    engine(false).install(recipe, tmp.resolve("root/app"));

    assertThat(tmp.resolve("root/app/seen.txt")).hasContent("false true");
  }

  @Test
  void run_withoutBuildLayer_installReadsTheSourceTree() throws Exception {
    Path src = TestRecipes.sources(tmp.resolve("src"), "compiled elsewhere");
    AppRecipe recipe =
        AppRecipe.builder(src)
            .label("app-1.0")
            .platform(TestRecipes.PLATFORM)
            .toolchain("jdk-17")
            .install(
                c -> {
                  assertThat(c.dir(dev.halcyon.layer.LayerKind.BUILD)).isEmpty();
                  Files.copy(c.sourceDir().resolve("Main.txt"), c.layerDir().resolve("Main.txt"));
                })
            .build();

    RunReport report = engine(false).install(recipe, tmp.resolve("root/app"));

    assertThat(report.layers()).hasSize(1);
    assertThat(tmp.resolve("root/app/Main.txt")).hasContent("compiled elsewhere");
  }

  @Test
  void install_dirNotEndingInThePrefix_refusedBeforeAnythingIsDone() throws Exception {
    AppRecipe recipe = recipe("v1");

    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> engine(false).install(recipe, tmp.resolve("root/elsewhere")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("made for prefix /app");
    assertThat(bucket.list("")).isEmpty();
  }
}
