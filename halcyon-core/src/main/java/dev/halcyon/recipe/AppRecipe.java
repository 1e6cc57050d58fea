package dev.halcyon.recipe;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.halcyon.layer.Constraints;
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
 * @param constraints the dependency list for partial matching of the dependencies layer; when it
 *     has a {@link DependencyConstraints#source()}, the dependencies and build tags lack their
 *     {@link LayerTag#CONSTRAINTS_HASH} until {@link #withConstraints} fills it in
 */
public record AppRecipe(
    Path sourceDir,
    Optional<LayerSpec> toolchain,
    Optional<LayerSpec> dependencies,
    LayerSpec build,
    LayerSpec install,
    Optional<LayerBuilder> postInstall,
    DependencyConstraints constraints) {

  public AppRecipe {
    checkNotNull(sourceDir, "sourceDir");
    checkNotNull(toolchain, "toolchain");
    checkNotNull(dependencies, "dependencies");
    checkNotNull(build, "build");
    checkNotNull(install, "install");
    checkNotNull(postInstall, "postInstall");
    checkNotNull(constraints, "constraints");
    check(toolchain.map(LayerSpec::tag), LayerKind.TOOLCHAIN, install.tag());
    check(dependencies.map(LayerSpec::tag), LayerKind.DEPENDENCIES, install.tag());
    check(Optional.of(build.tag()), LayerKind.BUILD, install.tag());
    checkArgument(
        install.tag().kind() == LayerKind.INSTALL,
        "install layer has kind %s",
        install.tag().kind());
  }

  /** A recipe without a dependency list ({@link DependencyConstraints#NONE}). */
  public AppRecipe(
      Path sourceDir,
      Optional<LayerSpec> toolchain,
      Optional<LayerSpec> dependencies,
      LayerSpec build,
      LayerSpec install,
      Optional<LayerBuilder> postInstall) {
    this(
        sourceDir,
        toolchain,
        dependencies,
        build,
        install,
        postInstall,
        DependencyConstraints.NONE);
  }

  /**
   * Whether the dependencies and build tags still wait for the constraints hash, which {@link
   * #withConstraints} gives them once the constraints source has run.
   */
  public boolean constraintsPending() {
    return constraints.source().isPresent();
  }

  /**
   * This recipe with {@code list} as its dependency list: the dependencies and build tags get its
   * digest as their {@link LayerTag#CONSTRAINTS_HASH}, and the list is kept for partial matching
   * (the rule is unchanged).
   */
  public AppRecipe withConstraints(Constraints list) {
    checkNotNull(list, "list");
    String hash = list.digest().toString();
    return new AppRecipe(
        sourceDir,
        toolchain,
        dependencies.map(
            d -> new LayerSpec(d.tag().with(LayerTag.CONSTRAINTS_HASH, hash), d.builder())),
        new LayerSpec(build.tag().with(LayerTag.CONSTRAINTS_HASH, hash), build.builder()),
        install,
        postInstall,
        DependencyConstraints.of(list, constraints.rule()));
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
