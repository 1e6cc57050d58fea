package dev.halcyon.recipe;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import dev.halcyon.layer.Constraints;
import dev.halcyon.layer.IgnoreRules;
import dev.halcyon.layer.LayerKind;
import dev.halcyon.layer.LayerTag;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Everything the engine needs to know about one app: its source tree, its layers and its
 * post-install step. Made with {@link #builder} (which derives every tag from the declared inputs),
 * from a {@code .halcyon} folder by {@link MagicRecipes} (which uses the same builder), or — for
 * those who need tags of their own — directly through the constructors, which check only that the
 * layers agree on kind, platform and toolchain.
 *
 * <p>Immutable; thread-safe when its layer builders are.
 *
 * @param sourceDir the app's source tree
 * @param toolchain the toolchain layer, or empty when the machine provides the toolchain
 * @param dependencies the dependencies layer, or empty when the app has none
 * @param buildLayer the build layer (a copy of the source tree, built in place), or empty when the
 *     install step reads the source tree itself (e.g. a build tool already compiled it)
 * @param install the install layer; its tag decides the deploy archive's name
 * @param postInstall runs after every install with the installed directory as layer dir, or empty
 * @param sourceIgnore what the build layer's copy of the source tree leaves out (the rules the
 *     source hash was computed with, so nothing unhashed reaches a build)
 * @param constraints the dependency list for partial matching of the dependencies layer; when it
 *     has a {@link DependencyConstraints#source()}, the dependencies and build tags lack their
 *     {@link LayerTag#CONSTRAINTS_HASH} until {@link #withConstraints} fills it in
 */
public record AppRecipe(
    Path sourceDir,
    Optional<LayerSpec> toolchain,
    Optional<LayerSpec> dependencies,
    Optional<LayerSpec> buildLayer,
    LayerSpec install,
    Optional<LayerBuilder> postInstall,
    IgnoreRules sourceIgnore,
    DependencyConstraints constraints) {

  /**
   * Checks that the layers agree with the install layer on platform and toolchain, and that each
   * has the kind of its slot.
   *
   * @param sourceDir the app's source tree
   * @param toolchain a layer of kind {@link LayerKind#TOOLCHAIN}, if any
   * @param dependencies a layer of kind {@link LayerKind#DEPENDENCIES}, if any
   * @param buildLayer a layer of kind {@link LayerKind#BUILD}, if any
   * @param install a layer of kind {@link LayerKind#INSTALL}
   * @param postInstall the post-install step, if any
   * @param sourceIgnore what the build layer's copy leaves out
   * @param constraints the dependency list or its source; {@link DependencyConstraints#NONE} for
   *     none
   * @throws IllegalArgumentException naming the layer, if its kind, platform or toolchain does not
   *     fit
   */
  public AppRecipe {
    checkNotNull(sourceDir, "sourceDir");
    checkNotNull(toolchain, "toolchain");
    checkNotNull(dependencies, "dependencies");
    checkNotNull(buildLayer, "buildLayer");
    checkNotNull(install, "install");
    checkNotNull(postInstall, "postInstall");
    checkNotNull(sourceIgnore, "sourceIgnore");
    checkNotNull(constraints, "constraints");
    check(toolchain.map(LayerSpec::tag), LayerKind.TOOLCHAIN, install.tag());
    check(dependencies.map(LayerSpec::tag), LayerKind.DEPENDENCIES, install.tag());
    check(buildLayer.map(LayerSpec::tag), LayerKind.BUILD, install.tag());
    checkArgument(
        install.tag().kind() == LayerKind.INSTALL,
        "install layer has kind %s",
        install.tag().kind());
  }

  /**
   * A recipe with a build layer whose copy of the source tree leaves out {@link
   * IgnoreRules#DEFAULT}: the hand-built path, with every tag given.
   *
   * @param sourceDir the app's source tree
   * @param toolchain the toolchain layer, or empty when the machine provides the toolchain
   * @param dependencies the dependencies layer, or empty when the app has none
   * @param build the build layer
   * @param install the install layer
   * @param postInstall runs after every install, or empty
   * @throws IllegalArgumentException naming the layer, if its kind, platform or toolchain does not
   *     fit
   */
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
        Optional.of(checkNotNull(build, "build")),
        install,
        postInstall,
        IgnoreRules.DEFAULT,
        DependencyConstraints.NONE);
  }

  /**
   * A recipe without a dependency list ({@link DependencyConstraints#NONE}).
   *
   * @param sourceDir the app's source tree
   * @param toolchain the toolchain layer, or empty when the machine provides the toolchain
   * @param dependencies the dependencies layer, or empty when the app has none
   * @param buildLayer the build layer, or empty when the install step reads the source tree itself
   * @param install the install layer
   * @param postInstall runs after every install, or empty
   * @param sourceIgnore what the build layer's copy of the source tree leaves out
   * @throws IllegalArgumentException naming the layer, if its kind, platform or toolchain does not
   *     fit
   */
  public AppRecipe(
      Path sourceDir,
      Optional<LayerSpec> toolchain,
      Optional<LayerSpec> dependencies,
      Optional<LayerSpec> buildLayer,
      LayerSpec install,
      Optional<LayerBuilder> postInstall,
      IgnoreRules sourceIgnore) {
    this(
        sourceDir,
        toolchain,
        dependencies,
        buildLayer,
        install,
        postInstall,
        sourceIgnore,
        DependencyConstraints.NONE);
  }

  /**
   * A recipe with a build layer whose copy of the source tree leaves out {@link
   * IgnoreRules#DEFAULT}, and the dependency list {@code constraints}.
   *
   * @param sourceDir the app's source tree
   * @param toolchain the toolchain layer, or empty when the machine provides the toolchain
   * @param dependencies the dependencies layer, or empty when the app has none
   * @param build the build layer
   * @param install the install layer
   * @param postInstall runs after every install, or empty
   * @param constraints the dependency list or its source, for partial matching
   * @throws IllegalArgumentException naming the layer, if its kind, platform or toolchain does not
   *     fit
   */
  public AppRecipe(
      Path sourceDir,
      Optional<LayerSpec> toolchain,
      Optional<LayerSpec> dependencies,
      LayerSpec build,
      LayerSpec install,
      Optional<LayerBuilder> postInstall,
      DependencyConstraints constraints) {
    this(
        sourceDir,
        toolchain,
        dependencies,
        Optional.of(checkNotNull(build, "build")),
        install,
        postInstall,
        IgnoreRules.DEFAULT,
        constraints);
  }

  /**
   * A builder that derives every layer's tag from the inputs it is given (source hash with the
   * ignore rules, constraints, toolchain, platform, prefix), so no tag can miss an input.
   *
   * @param sourceDir the app's source tree; it is hashed when the builder's {@code build()} runs,
   *     not now
   * @return a new builder
   */
  public static RecipeBuilder builder(Path sourceDir) {
    return new RecipeBuilder(sourceDir);
  }

  /**
   * The build layer.
   *
   * @return the build layer's spec
   * @throws IllegalStateException if this recipe has none ({@link #buildLayer} is empty)
   */
  public LayerSpec build() {
    checkState(buildLayer.isPresent(), "the recipe of %s has no build layer", label());
    return buildLayer.get();
  }

  /**
   * Every layer, in the order a run obtains them: toolchain, dependencies, build, install.
   *
   * @return the layers present, lowest first, the install layer last; at least the install layer
   */
  public List<LayerSpec> layers() {
    List<LayerSpec> all = new ArrayList<>(4);
    toolchain.ifPresent(all::add);
    dependencies.ifPresent(all::add);
    buildLayer.ifPresent(all::add);
    all.add(install);
    return List.copyOf(all);
  }

  /**
   * Whether the dependencies and build tags still wait for the constraints hash, which {@link
   * #withConstraints} gives them once the constraints source has run.
   *
   * @return true while the dependency list comes from a {@link ConstraintsSource} that has not run
   *     yet
   */
  public boolean constraintsPending() {
    return constraints.source().isPresent();
  }

  /**
   * This recipe with {@code list} as its dependency list: the dependencies and build tags get its
   * digest as their {@link LayerTag#CONSTRAINTS_HASH}, and the list is kept for partial matching
   * (the rule is unchanged).
   *
   * @param list the dependency list the constraints source produced
   * @return a new recipe; this one is unchanged
   */
  public AppRecipe withConstraints(Constraints list) {
    checkNotNull(list, "list");
    String hash = list.digest().toString();
    return new AppRecipe(
        sourceDir,
        toolchain,
        dependencies.map(
            d -> new LayerSpec(d.tag().with(LayerTag.CONSTRAINTS_HASH, hash), d.builder())),
        buildLayer.map(
            b -> new LayerSpec(b.tag().with(LayerTag.CONSTRAINTS_HASH, hash), b.builder())),
        install,
        postInstall,
        sourceIgnore,
        DependencyConstraints.of(list, constraints.rule()));
  }

  /**
   * The app label, {@code name-version}.
   *
   * @return the install layer's label, e.g. {@code demo-app-1.0}
   */
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
