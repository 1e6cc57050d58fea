package dev.halcyon.recipe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.halcyon.layer.LayerKind;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code .halcyon/install-from}: the install step that links the build's output. */
class InstallFromRecipeTest {
  @TempDir Path tmp;
  private Path app;

  @BeforeEach
  void app() throws Exception {
    app = tmp.resolve("app");
    Files.createDirectories(app.resolve(".halcyon"));
    Files.writeString(app.resolve(".halcyon/label"), "app-1.0\n");
    hook("build", "mkdir -p out/lib && echo jar > out/lib/app.jar");
  }

  private RecipeSettings settings() {
    return new RecipeSettings(
        "linux-test-1.0-x86_64",
        "/app",
        tmp.resolve("root"),
        Optional.empty(),
        Optional.of("jdk-17"),
        new ByteArrayOutputStream());
  }

  private void hook(String name, String body) throws Exception {
    Path file = app.resolve(".halcyon").resolve(name);
    Files.writeString(file, "#!/bin/sh\nset -eu\n" + body + "\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  @Test
  void load_installFromWithoutInstallHook_buildableAndLinksTheNamedDirectory() throws Exception {
    Files.writeString(app.resolve(".halcyon/install-from"), "# the build's output\nout\n");
    assertThatCode(() -> MagicRecipes.checkBuildable(app)).doesNotThrowAnyException();
    AppRecipe recipe = MagicRecipes.load(app, settings());
    Path build = tmp.resolve("build");
    Files.createDirectories(build.resolve("out/lib"));
    Files.writeString(build.resolve("out/lib/app.jar"), "jar");
    Path layer = Files.createDirectories(tmp.resolve("stage"));

    recipe
        .install()
        .builder()
        .build(
            new BuildContext(recipe.install().tag(), layer, app, Map.of(LayerKind.BUILD, build)));

    assertThat(
            Files.getAttribute(layer.resolve("lib/app.jar"), "unix:ino", LinkOption.NOFOLLOW_LINKS))
        .isEqualTo(
            Files.getAttribute(
                build.resolve("out/lib/app.jar"), "unix:ino", LinkOption.NOFOLLOW_LINKS));
  }

  @Test
  void checkBuildable_installFromAndInstallHook_refusedNamingBoth() throws Exception {
    Files.writeString(app.resolve(".halcyon/install-from"), "out\n");
    hook("install", "cp -a out/. \"$1\"/");

    assertThatThrownBy(() -> MagicRecipes.checkBuildable(app))
        .hasMessage(
            "cannot build "
                + app.toAbsolutePath().normalize()
                + ": it has both .halcyon/install and .halcyon/install-from; keep one (install-from"
                + " links the directory it names, the hook copies into $1)");
  }

  @Test
  void load_emptyInstallFrom_refusedSayingWhatToWrite() throws Exception {
    Files.writeString(app.resolve(".halcyon/install-from"), "\n# nothing\n");

    assertThatThrownBy(() -> MagicRecipes.load(app, settings()))
        .hasMessageContaining("empty .halcyon/install-from in ")
        .hasMessageContaining("write the directory to install, e.g. target/app");
  }

  @Test
  void checkBuildable_neitherInstallStep_namesTheMissingHook() throws Exception {
    assertThatThrownBy(() -> MagicRecipes.checkBuildable(app))
        .hasMessageContaining(".halcyon/install is missing");
  }
}
