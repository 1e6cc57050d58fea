package dev.halcyon.recipe;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.halcyon.layer.LayerKind;
import dev.halcyon.layer.LayerTag;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Everything the engine needs to know about one app: its source tree, its layers and its
 * post-install step. Made from a {@code .halcyon} folder by {@link MagicRecipes}, or directly by an
 * embedding build tool.
 *
 * @param sourceDir the app's source tree
 * @param toolchain the toolchain layer, or empty when the machine provides the toolchain
 * @param dependencies the dependencies layer, or empty when the app has none
 * @param build the build layer
 * @param install the install layer; its tag decides the deploy archive's name
 * @param postInstall runs after every install with the installed directory as layer dir, or empty
 */
public record AppRecipe(
    Path sourceDir,
    Optional<LayerSpec> toolchain,
    Optional<LayerSpec> dependencies,
    LayerSpec build,
    LayerSpec install,
    Optional<LayerBuilder> postInstall) {

  public AppRecipe {
    checkNotNull(sourceDir, "sourceDir");
    checkNotNull(toolchain, "toolchain");
    checkNotNull(dependencies, "dependencies");
    checkNotNull(build, "build");
    checkNotNull(install, "install");
    checkNotNull(postInstall, "postInstall");
    check(toolchain.map(LayerSpec::tag), LayerKind.TOOLCHAIN, install.tag());
    check(dependencies.map(LayerSpec::tag), LayerKind.DEPENDENCIES, install.tag());
    check(Optional.of(build.tag()), LayerKind.BUILD, install.tag());
    checkArgument(
        install.tag().kind() == LayerKind.INSTALL,
        "install layer has kind %s",
        install.tag().kind());
  }

  /** The app label, {@code name-version}. */
  public String label() {
    return install.tag().label();
  }

  private static void check(Optional<LayerTag> tag, LayerKind kind, LayerTag install) {
    tag.ifPresent(
        t -> {
          checkArgument(t.kind() == kind, "%s layer has kind %s", kind.id(), t.kind().id());
          checkArgument(
              t.platform().equals(install.platform()) && t.toolchain().equals(install.toolchain()),
              "%s layer is for %s/%s but the install layer for %s/%s",
              kind.id(),
              t.platform(),
              t.toolchain(),
              install.platform(),
              install.toolchain());
        });
  }
}
