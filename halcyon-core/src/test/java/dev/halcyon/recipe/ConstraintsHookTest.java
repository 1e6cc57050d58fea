package dev.halcyon.recipe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.halcyon.layer.Constraints;
import dev.halcyon.layer.LayerKind;
import dev.halcyon.layer.LayerTag;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code .halcyon/constraints-hook}: read by {@link MagicRecipes}, run as a real process. */
class ConstraintsHookTest {
  @TempDir Path tmp;
  private Path app;
  private final ByteArrayOutputStream log = new ByteArrayOutputStream();

  private RecipeSettings settings() {
    return new RecipeSettings(
        "linux-test-1.0-x86_64",
        "/app",
        tmp.resolve("root"),
        Optional.empty(),
        Optional.of("jdk-17"),
        log);
  }

  private void hook(String name, String body) throws Exception {
    Path file = app.resolve(".halcyon").resolve(name);
    Files.createDirectories(file.getParent());
    Files.writeString(file, "#!/bin/sh\nset -eu\n" + body + "\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  @BeforeEach
  void app() throws Exception {
    app = tmp.resolve("app");
    Files.createDirectories(app);
    Files.writeString(app.resolve("Main.txt"), "main");
    hook("build", "true");
    hook("install", "true");
    hook("dependencies-build", "true");
    Files.writeString(app.resolve(".halcyon/label"), "app-1.0\n");
  }

  private Constraints run(AppRecipe recipe) throws Exception {
    Path scratch = Files.createDirectories(tmp.resolve("scratch"));
    Path toolchain = Files.createDirectories(tmp.resolve("toolchain"));
    return recipe
        .constraints()
        .source()
        .orElseThrow()
        .constraints(
            new BuildContext(
                recipe.dependencies().orElseThrow().tag(),
                scratch,
                recipe.sourceDir(),
                Map.of(LayerKind.TOOLCHAIN, toolchain)));
  }

  @Test
  void load_hookPresent_namesNoLayerUntilItRuns_andItsListNamesThem() throws Exception {
    hook(
        "constraints-hook",
        "echo 'resolving' >&2\n"
            + "test -d \"$HALCYON_TOOLCHAIN_DIR\"\n"
            + "echo '# from pom.xml'\n"
            + "echo 'org.slf4j:slf4j-api 2.0.16'\n"
            + "printf 'com.google.guava:guava\\t33.4.0-jre\\n'");
    Files.writeString(app.resolve(".halcyon/dependencies-match"), "superset\n");

    AppRecipe recipe = MagicRecipes.load(app, settings());

    assertThat(recipe.constraintsPending()).isTrue();
    assertThat(recipe.constraints().rule()).isEqualTo(PartialMatchRule.SUPERSET);
    assertThat(recipe.dependencies().orElseThrow().tag().input(LayerTag.CONSTRAINTS_HASH))
        .isEmpty();
    Constraints list = run(recipe);
    assertThat(list.versions())
        .containsExactly(
            Map.entry("com.google.guava:guava", "33.4.0-jre"),
            Map.entry("org.slf4j:slf4j-api", "2.0.16"));
    assertThat(log.toString()).contains("resolving");
    AppRecipe named = recipe.withConstraints(list);
    assertThat(named.constraintsPending()).isFalse();
    assertThat(named.dependencies().orElseThrow().tag().input(LayerTag.CONSTRAINTS_HASH))
        .isEqualTo(list.digest().toString());
    assertThat(named.build().tag().input(LayerTag.CONSTRAINTS_HASH))
        .isEqualTo(list.digest().toString());
    // Deploy machines name only the install layer: the hook's output must not change it.
    assertThat(named.install().tag()).isEqualTo(recipe.install().tag());
  }

  @Test
  void constraints_malformedLine_failsNamingTheLine() throws Exception {
    hook("constraints-hook", "echo 'guava 33'\necho 'slf4j-api'");
    AppRecipe recipe = MagicRecipes.load(app, settings());

    assertThatThrownBy(() -> run(recipe))
        .isInstanceOf(HookFailedException.class)
        .hasMessageContaining("constraints-hook printed a bad list")
        .hasMessageContaining("line 2")
        .hasMessageContaining("'slf4j-api'");
  }

  @Test
  void constraints_hookFails_saysNoLayerIsNamedAfterAGuess() throws Exception {
    hook("constraints-hook", "echo 'no network' >&2\nexit 3");
    AppRecipe recipe = MagicRecipes.load(app, settings());

    assertThatThrownBy(() -> run(recipe))
        .isInstanceOf(HookFailedException.class)
        .hasMessageContaining("exit status 3")
        .hasMessageContaining("not")
        .hasMessageContaining("guessed name")
        .hasMessageNotContaining("\n");
    assertThat(log.toString()).contains("no network");
  }

  @Test
  void constraints_hookPrintsNothing_fails() throws Exception {
    hook("constraints-hook", "true");
    AppRecipe recipe = MagicRecipes.load(app, settings());

    assertThatThrownBy(() -> run(recipe))
        .isInstanceOf(HookFailedException.class)
        .hasMessageContaining("printed no 'name version' lines");
  }

  @Test
  void load_constraintsFile_isTheListAndNeedsNoHook() throws Exception {
    Files.writeString(app.resolve(".halcyon/constraints"), "guava 33\n");

    AppRecipe recipe = MagicRecipes.load(app, settings());

    assertThat(recipe.constraintsPending()).isFalse();
    assertThat(recipe.constraints().declared()).contains(Constraints.parse("guava 33\n"));
    assertThat(recipe.constraints().rule()).isEqualTo(PartialMatchRule.SUBSET);
  }

  @Test
  void load_badMatchRule_failsNamingTheFile() throws Exception {
    Files.writeString(app.resolve(".halcyon/dependencies-match"), "closest\n");

    assertThatThrownBy(() -> MagicRecipes.load(app, settings()))
        .hasMessageContaining(".halcyon/dependencies-match")
        .hasMessageContaining("write subset or superset");
  }
}
