package dev.halcyon.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.halcyon.layer.Digest;
import dev.halcyon.layer.LayerKind;
import dev.halcyon.recipe.AppRecipe;
import dev.halcyon.recipe.HookFailedException;
import dev.halcyon.recipe.LayerSpec;
import dev.halcyon.store.InMemoryLayerStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine as an embedding build tool uses it: its own layer specs and builders (plain Java, no
 * {@code .halcyon} files) and its own stores.
 */
class EngineTest {
  @TempDir Path tmp;
  private final List<String> ran = new ArrayList<>();

  private AppRecipe recipe(String source) throws Exception {
    Path src = TestRecipes.sources(tmp.resolve("src"), source);
    Digest sourceHash = Digest.sha256(source);
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
              String text = Files.readString(c.layerDir().resolve("Main.txt"));
              assertThat(c.dir(LayerKind.DEPENDENCIES).orElseThrow().resolve("repo/guava.jar"))
                  .exists();
              write(c.layerDir().resolve("out/app.txt"), "build", text);
            }),
        new LayerSpec(
            TestRecipes.install(sourceHash),
            c -> {
              Path built = c.dir(LayerKind.BUILD).orElseThrow().resolve("out/app.txt");
              write(c.layerDir().resolve("lib/app.txt"), "install", Files.readString(built));
            }),
        Optional.of(c -> ran.add("post-install")));
  }

  private void write(Path file, String hook) throws java.io.IOException {
    write(file, hook, hook);
  }

  private void write(Path file, String hook, String content) throws java.io.IOException {
    ran.add(hook);
    Files.createDirectories(file.getParent());
    Files.writeString(file, content, StandardCharsets.UTF_8);
  }

  private Engine engine(String machine, InMemoryLayerStore shared, boolean noBuild) {
    return Engine.builder()
        .cache(new InMemoryLayerStore())
        .privateStore(shared)
        .workDir(tmp.resolve(machine).resolve("base"))
        .noBuild(noBuild)
        .build();
  }

  @Test
  void install_onBuildThenDeployMachine_deployRestoresOnlyTheInstallArchive() throws Exception {
    InMemoryLayerStore bucket = new InMemoryLayerStore();
    AppRecipe recipe = recipe("v1");
    Path builderApp = tmp.resolve("builder/root/app");

    RunReport built = engine("builder", bucket, false).install(recipe, builderApp);

    assertThat(ran)
        .containsExactly("toolchain", "dependencies", "build", "install", "post-install");
    assertThat(built.layers()).extracting(LayerOutcome::source).containsOnly(LayerSource.BUILT);
    assertThat(Files.readString(builderApp.resolve("lib/app.txt"))).isEqualTo("v1");
    assertThat(bucket.list(""))
        .extracting(i -> i.key())
        .anyMatch(k -> k.contains("halcyon-install-"));

    ran.clear();
    Path deployApp = tmp.resolve("deployer/root/app");
    RunReport deployed = engine("deployer", bucket, true).install(recipe, deployApp);

    assertThat(ran).containsExactly("post-install");
    assertThat(deployed.layers())
        .singleElement()
        .satisfies(
            l -> {
              assertThat(l.tag().kind()).isEqualTo(LayerKind.INSTALL);
              assertThat(l.source()).isEqualTo(LayerSource.PRIVATE);
            });
    assertThat(Files.readString(deployApp.resolve("lib/app.txt"))).isEqualTo("v1");
    bucket.assertNoOpenStreams();
  }

  @Test
  void install_noBuildAndNoArchive_throwsBuildForbiddenAndChangesNothing() throws Exception {
    InMemoryLayerStore bucket = new InMemoryLayerStore();
    Path deployApp = tmp.resolve("deployer/root/app");
    engine("builder", bucket, false).install(recipe("v1"), tmp.resolve("builder/root/app"));
    engine("deployer", bucket, true).install(recipe("v1"), deployApp);
    ran.clear();

    assertThatThrownBy(() -> engine("deployer", bucket, true).install(recipe("v2"), deployApp))
        .isInstanceOf(BuildForbiddenException.class)
        .hasMessageStartingWith("build required but forbidden: no install archive ")
        .hasMessageContaining("building is off here")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("HALCYON_"));
    assertThat(ran).isEmpty();
    assertThat(Files.readString(deployApp.resolve("lib/app.txt"))).isEqualTo("v1");
  }

  @Test
  void install_sourceChanged_rebuildsOnlyBuildAndInstall() throws Exception {
    InMemoryLayerStore bucket = new InMemoryLayerStore();
    Path app = tmp.resolve("builder/root/app");
    engine("builder", bucket, false).install(recipe("v1"), app);
    ran.clear();

    RunReport second = engine("builder", bucket, false).install(recipe("v2"), app);

    assertThat(ran).containsExactly("build", "install", "post-install");
    assertThat(second.layers())
        .extracting(LayerOutcome::source)
        .containsExactly(
            LayerSource.EXISTING, LayerSource.EXISTING, LayerSource.BUILT, LayerSource.BUILT);
    assertThat(Files.readString(app.resolve("lib/app.txt"))).isEqualTo("v2");
  }

  @Test
  void install_alreadyCurrent_doesNothing() throws Exception {
    InMemoryLayerStore bucket = new InMemoryLayerStore();
    Path app = tmp.resolve("builder/root/app");
    engine("builder", bucket, false).install(recipe("v1"), app);
    ran.clear();

    RunReport again = engine("builder", bucket, false).install(recipe("v1"), app);

    assertThat(again.alreadyInstalled()).isTrue();
    assertThat(ran).isEmpty();
  }

  @Test
  void install_targetNotInstalledByHalcyon_isRefusedAndKept() throws Exception {
    Path app = tmp.resolve("root/app");
    Files.createDirectories(app);
    Files.writeString(app.resolve("precious.txt"), "keep me");

    assertThatThrownBy(
            () -> engine("builder", new InMemoryLayerStore(), false).install(recipe("v1"), app))
        .isInstanceOf(java.io.IOException.class)
        .hasMessageContaining("is not empty and was not installed by halcyon");
    assertThat(Files.readString(app.resolve("precious.txt"))).isEqualTo("keep me");
  }

  @Test
  void install_builderFails_nothingUploadedAndAppNotInstalled() throws Exception {
    InMemoryLayerStore bucket = new InMemoryLayerStore();
    AppRecipe ok = recipe("v1");
    AppRecipe failing =
        new AppRecipe(
            ok.sourceDir(),
            ok.toolchain(),
            ok.dependencies(),
            new LayerSpec(
                ok.build().tag(),
                c -> {
                  throw new HookFailedException("compiler said no");
                }),
            ok.install(),
            ok.postInstall());
    Path app = tmp.resolve("root/app");

    assertThatThrownBy(() -> engine("builder", bucket, false).install(failing, app))
        .isInstanceOf(HookFailedException.class)
        .hasMessage("compiler said no");
    assertThat(app).doesNotExist();
    assertThat(bucket.list(""))
        .extracting(i -> i.key())
        .noneMatch(k -> k.contains("halcyon-build-") || k.contains("halcyon-install-"));
  }

  @Test
  void install_noBuildDependenciesAndDependenciesMissing_throwsBeforeAnythingIsFetched()
      throws Exception {
    InMemoryLayerStore bucket = new InMemoryLayerStore();
    Engine engine =
        Engine.builder()
            .cache(new InMemoryLayerStore())
            .privateStore(bucket)
            .workDir(tmp.resolve("m/base"))
            .noBuildDependencies(true)
            .build();

    assertThatThrownBy(() -> engine.install(recipe("v1"), tmp.resolve("m/root/app")))
        .isInstanceOf(BuildForbiddenException.class)
        .hasMessageContaining("building dependencies is off here")
        .satisfies(
            e -> assertThat(((BuildForbiddenException) e).kind()).isEqualTo(LayerKind.TOOLCHAIN));
    assertThat(ran).isEmpty();
  }

  @Test
  void install_noBuildDependenciesWithDependenciesStored_buildsTheAppOnly() throws Exception {
    InMemoryLayerStore bucket = new InMemoryLayerStore();
    engine("builder", bucket, false).install(recipe("v1"), tmp.resolve("builder/root/app"));
    ran.clear();
    Engine appOnly =
        Engine.builder()
            .cache(new InMemoryLayerStore())
            .privateStore(bucket)
            .workDir(tmp.resolve("other/base"))
            .noBuildDependencies(true)
            .build();

    RunReport report = appOnly.install(recipe("v2"), tmp.resolve("other/root/app"));

    assertThat(ran).containsExactly("build", "install", "post-install");
    assertThat(report.layers())
        .extracting(LayerOutcome::source)
        .containsExactly(
            LayerSource.PRIVATE, LayerSource.PRIVATE, LayerSource.BUILT, LayerSource.BUILT);
  }

  @Test
  void install_archiveWithWrongTagUnderTheKey_isIgnoredAndRebuilt() throws Exception {
    InMemoryLayerStore bucket = new InMemoryLayerStore();
    Engine builder = engine("builder", bucket, false);
    AppRecipe v1 = recipe("v1");
    builder.install(v1, tmp.resolve("builder/root/app"));
    String installKey = builder.archiveKey(v1.install().tag());
    String buildKey = builder.archiveKey(v1.build().tag());
    // Put the build archive's bytes under the install archive's key: a swapped archive.
    byte[] swapped;
    try (var in = bucket.get(buildKey).orElseThrow()) {
      swapped = in.stream().readAllBytes();
    }
    bucket.delete(installKey);
    bucket.put(installKey, swapped, dev.halcyon.store.PutMode.OVERWRITE);
    ran.clear();
    List<String> warnings = new ArrayList<>();
    Engine other =
        Engine.builder()
            .cache(new InMemoryLayerStore())
            .privateStore(bucket)
            .workDir(tmp.resolve("other/base"))
            .listener(
                new EngineListener() {
                  @Override
                  public void warning(String message) {
                    warnings.add(message);
                  }
                })
            .build();

    other.install(v1, tmp.resolve("other/root/app"));

    assertThat(warnings)
        .anySatisfy(
            w ->
                assertThat(w)
                    .contains(installKey)
                    .contains("does not match")
                    .contains("kind: needed 'install', found 'build'"));
    assertThat(ran).contains("install");
    assertThat(Files.readString(tmp.resolve("other/root/app/lib/app.txt"))).isEqualTo("v1");
  }
}
