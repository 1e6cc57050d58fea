package dev.halcyon.recipe;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import dev.halcyon.layer.Constraints;
import dev.halcyon.layer.Digest;
import dev.halcyon.layer.IgnoreRules;
import dev.halcyon.layer.LayerKind;
import dev.halcyon.layer.LayerTag;
import dev.halcyon.layer.Names;
import dev.halcyon.layer.Platforms;
import dev.halcyon.layer.TreeHashes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Builds an {@link AppRecipe} from declared inputs, deriving every layer's tag so that none can
 * miss one: the source hash (of the tree under the ignore rules, which the build layer's copy also
 * applies) goes into the build and install tags, the constraints hash into the dependencies and
 * build tags, the prefix into the install tag, platform and toolchain into all. Labels, toolchain
 * and platform ids and the prefix are checked by {@link #build()}, each refusal one line.
 *
 * <p>Only the install layer is required. Without {@link #buildLayer} the install step reads the
 * source tree directly (a build tool that already compiled the app); without {@link
 * #dependenciesLayer} or {@link #toolchainLayer} those layers do not exist.
 *
 * <pre>{@code
 * AppRecipe recipe = AppRecipe.builder(projectDir)
 *     .label("shop-1.0")
 *     .toolchain("jdk-17")
 *     .prefix("/app")
 *     .ignore(IgnoreRules.DEFAULT.plus(IgnoreRules.of("target")))
 *     .constraints(Constraints.of(Map.of("org.slf4j:slf4j-api", "2.0.16")))
 *     .install(ctx -> copy(ctx.sourceDir().resolve("app.jar"), ctx.layerDir()))
 *     .build();
 * }</pre>
 *
 * Not thread-safe; {@link #build()} may be called again after changing an input.
 */
public final class RecipeBuilder {
  private final Path sourceDir;
  private String label;
  private String platform;
  private String toolchain = "jdk-" + Runtime.version().feature();
  private String prefix = "/app";
  private IgnoreRules ignore = IgnoreRules.DEFAULT;
  private Digest constraintsHash = Constraints.EMPTY.digest();
  private DependencyConstraints dependencyConstraints = DependencyConstraints.NONE;
  private Optional<Digest> sourceHash = Optional.empty();
  private TreeHashes.Listener hashListener = TreeHashes.Listener.NONE;
  private LayerBuilder toolchainBuilder;
  private Digest toolchainRecipe;
  private LayerBuilder dependenciesBuilder;
  private Digest dependenciesRecipe;
  private LayerBuilder buildBuilder;
  private LayerBuilder installBuilder;
  private LayerBuilder postInstall;

  RecipeBuilder(Path sourceDir) {
    this.sourceDir = checkNotNull(sourceDir, "sourceDir").toAbsolutePath().normalize();
  }

  /**
   * The app label, {@code name-version} (e.g. {@code shop-1.0-SNAPSHOT}); required.
   *
   * @param label letters, digits, {@code .}, {@code _}, {@code +} and {@code -}, checked by {@link
   *     #build()}
   * @return this builder
   */
  public RecipeBuilder label(String label) {
    this.label = checkNotNull(label, "label");
    return this;
  }

  /**
   * The platform id; default {@link Platforms#detect()}.
   *
   * @param platform a platform id such as {@code linux-debian-12-x86_64}, checked by {@link
   *     #build()}
   * @return this builder
   */
  public RecipeBuilder platform(String platform) {
    this.platform = checkNotNull(platform, "platform");
    return this;
  }

  /**
   * The toolchain id, {@code name-version} such as {@code jdk-17}; default this JVM's.
   *
   * @param toolchain the id of the toolchain the app is built with, checked by {@link #build()}
   * @return this builder
   */
  public RecipeBuilder toolchain(String toolchain) {
    this.toolchain = checkNotNull(toolchain, "toolchain");
    return this;
  }

  /**
   * Where the app is installed on every machine, an absolute path; default {@code /app}.
   *
   * @param prefix an absolute path such as {@code /app}, checked by {@link #build()}
   * @return this builder
   */
  public RecipeBuilder prefix(String prefix) {
    this.prefix = checkNotNull(prefix, "prefix");
    return this;
  }

  /**
   * What the source hash and the build layer's copy leave out; default {@link IgnoreRules#DEFAULT}
   * (pass {@code DEFAULT.plus(...)} to keep those).
   *
   * @param ignore the rules; {@link IgnoreRules#NONE} hashes and copies everything
   * @return this builder
   */
  public RecipeBuilder ignore(IgnoreRules ignore) {
    this.ignore = checkNotNull(ignore, "ignore");
    return this;
  }

  /**
   * The app's exact dependency list; default none.
   *
   * @param constraints the list; its digest becomes the dependencies and build layers' constraints
   *     hash
   * @return this builder
   */
  public RecipeBuilder constraints(Constraints constraints) {
    this.constraintsHash = checkNotNull(constraints, "constraints").digest();
    return this;
  }

  /**
   * The dependency list partial matching compares (and its rule). When it has a {@link
   * DependencyConstraints#source()} (a constraints hook), the dependencies and build tags get no
   * constraints hash here: the engine runs the source on a build machine and fills it in ({@link
   * AppRecipe#withConstraints}).
   *
   * @param constraints the declared list or its source, and the rule; {@link
   *     DependencyConstraints#NONE} for no partial matching
   * @return this builder
   */
  public RecipeBuilder dependencyConstraints(DependencyConstraints constraints) {
    this.dependencyConstraints = checkNotNull(constraints, "constraints");
    return this;
  }

  /**
   * Who hears how far hashing the source tree at {@link #build()} has got (files and bytes); e.g.
   * {@code engineListener.hashing(sourceDir.toString())}. Default: nobody.
   *
   * @param listener called on the thread that calls {@link #build()}; must return quickly
   * @return this builder
   */
  public RecipeBuilder hashListener(TreeHashes.Listener listener) {
    this.hashListener = checkNotNull(listener, "listener");
    return this;
  }

  /**
   * A constraints hash computed elsewhere (e.g. of project files), instead of constraints.
   *
   * @param hash the digest to use as the constraints hash
   * @return this builder
   */
  public RecipeBuilder constraintsHash(Digest hash) {
    this.constraintsHash = checkNotNull(hash, "hash");
    return this;
  }

  /**
   * A source hash computed elsewhere with the same ignore rules, instead of hashing the tree at
   * {@link #build()}; for a caller that already hashed it.
   *
   * @param hash the tree's digest under this builder's ignore rules, as {@link
   *     TreeHashes#hash(Path, IgnoreRules)} gives it
   * @return this builder
   */
  public RecipeBuilder sourceHash(Digest hash) {
    this.sourceHash = Optional.of(checkNotNull(hash, "hash"));
    return this;
  }

  /**
   * A toolchain layer built by {@code builder}; {@code recipeHash} is the digest of whatever
   * decides how it is built (a script, a plugin version), and its short form is appended to the
   * toolchain id so that a changed recipe is a different toolchain.
   *
   * @param builder fills the toolchain layer
   * @param recipeHash the digest of how the toolchain is built
   * @return this builder
   */
  public RecipeBuilder toolchainLayer(LayerBuilder builder, Digest recipeHash) {
    this.toolchainBuilder = checkNotNull(builder, "builder");
    this.toolchainRecipe = checkNotNull(recipeHash, "recipeHash");
    return this;
  }

  /**
   * A dependencies layer identified by the constraints (and toolchain, platform, label).
   *
   * @param builder fills the dependencies layer
   * @return this builder
   */
  public RecipeBuilder dependenciesLayer(LayerBuilder builder) {
    return dependenciesLayer(builder, null);
  }

  /**
   * A dependencies layer identified by the constraints and {@code recipeHash}, the digest of
   * whatever decides how it is built; {@code null} for none.
   *
   * @param builder fills the dependencies layer
   * @param recipeHash the digest of how it is built, or {@code null} for none
   * @return this builder
   */
  public RecipeBuilder dependenciesLayer(LayerBuilder builder, Digest recipeHash) {
    this.dependenciesBuilder = checkNotNull(builder, "builder");
    this.dependenciesRecipe = recipeHash;
    return this;
  }

  /**
   * A build layer: the source tree (less the ignored paths) is copied over the previous build of
   * the same label and {@code builder} builds it in place; the install step then finds it as {@code
   * BuildContext.dir(LayerKind.BUILD)}.
   *
   * @param builder builds the copied source tree in place
   * @return this builder
   */
  public RecipeBuilder buildLayer(LayerBuilder builder) {
    this.buildBuilder = checkNotNull(builder, "builder");
    return this;
  }

  /**
   * Fills the install layer, the directory deployed to {@code prefix}; required.
   *
   * @param builder fills the install layer
   * @return this builder
   */
  public RecipeBuilder install(LayerBuilder builder) {
    this.installBuilder = checkNotNull(builder, "builder");
    return this;
  }

  /**
   * Runs after every install, with the installed directory as its layer directory.
   *
   * @param builder the post-install step
   * @return this builder
   */
  public RecipeBuilder postInstall(LayerBuilder builder) {
    this.postInstall = checkNotNull(builder, "builder");
    return this;
  }

  /**
   * Checks the inputs, hashes the source tree and returns the recipe.
   *
   * @return the recipe, every tag derived from the inputs given
   * @throws IllegalArgumentException one line naming the bad input and what to give instead
   * @throws IllegalStateException if no label or install step was given
   * @throws IOException if the source tree cannot be read
   */
  public AppRecipe build() throws IOException {
    checkState(label != null, "a recipe needs a label: call label(\"name-version\")");
    checkState(installBuilder != null, "a recipe needs an install step: call install(builder)");
    checkArgument(
        Names.isLabel(label),
        "bad app label '%s': use name-version with letters, digits, '.', '_', '+', '-' (e.g."
            + " artifactId-version, not groupId:artifactId-version)",
        label);
    checkArgument(
        Names.isToolchain(toolchain),
        "bad toolchain id '%s': write name-version, e.g. jdk-17 or maven-3.9.9 (name [a-z0-9_],"
            + " no '-' in the version)",
        toolchain);
    String platformId = platform != null ? platform : Platforms.detect();
    checkArgument(
        Names.isPlatform(platformId),
        "bad platform id '%s': use [a-z0-9._-], e.g. linux-debian-12-x86_64",
        platformId);
    checkArgument(
        prefix.startsWith("/") && !Path.of(prefix).normalize().toString().equals("/"),
        "bad prefix '%s': give the absolute directory the app is installed in, e.g. /app",
        prefix);
    if (!Files.isDirectory(sourceDir)) {
      throw new IOException("app directory " + sourceDir + " does not exist or is not a directory");
    }
    String toolchainId =
        toolchainBuilder != null ? toolchain + "." + toolchainRecipe.shortHex() : toolchain;
    String source =
        (sourceHash.isPresent()
                ? sourceHash.get()
                : TreeHashes.hash(sourceDir, ignore, hashListener))
            .toString();
    // A constraints source runs on build machines only: until it has, no constraints hash.
    String constraints =
        dependencyConstraints.source().isPresent() ? "" : constraintsHash.toString();

    Optional<LayerSpec> toolchainSpec = Optional.empty();
    if (toolchainBuilder != null) {
      LayerTag tag =
          LayerTag.of(LayerKind.TOOLCHAIN, platformId, toolchainId, "")
              .with(LayerTag.MAGIC_HASH, toolchainRecipe.toString());
      toolchainSpec = Optional.of(new LayerSpec(tag, toolchainBuilder));
    }
    Optional<LayerSpec> dependenciesSpec = Optional.empty();
    if (dependenciesBuilder != null) {
      LayerTag tag =
          LayerTag.of(LayerKind.DEPENDENCIES, platformId, toolchainId, label)
              .with(LayerTag.CONSTRAINTS_HASH, constraints)
              .with(
                  LayerTag.MAGIC_HASH,
                  dependenciesRecipe == null ? "" : dependenciesRecipe.toString());
      dependenciesSpec = Optional.of(new LayerSpec(tag, dependenciesBuilder));
    }
    Optional<LayerSpec> buildSpec = Optional.empty();
    if (buildBuilder != null) {
      LayerTag tag =
          LayerTag.of(LayerKind.BUILD, platformId, toolchainId, label)
              .with(LayerTag.CONSTRAINTS_HASH, constraints)
              .with(LayerTag.SOURCE_HASH, source);
      buildSpec = Optional.of(new LayerSpec(tag, buildBuilder));
    }
    LayerTag installTag =
        LayerTag.of(LayerKind.INSTALL, platformId, toolchainId, label)
            .with(LayerTag.PREFIX, Path.of(prefix).normalize().toString())
            .with(LayerTag.SOURCE_HASH, source);
    return new AppRecipe(
        sourceDir,
        toolchainSpec,
        dependenciesSpec,
        buildSpec,
        new LayerSpec(installTag, installBuilder),
        Optional.ofNullable(postInstall),
        ignore,
        dependenciesSpec.isPresent() ? dependencyConstraints : DependencyConstraints.NONE);
  }
}
