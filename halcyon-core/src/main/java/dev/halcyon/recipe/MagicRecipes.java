package dev.halcyon.recipe;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.halcyon.layer.Constraints;
import dev.halcyon.layer.Digest;
import dev.halcyon.layer.IgnoreRules;
import dev.halcyon.layer.Names;
import dev.halcyon.layer.TreeHashes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads an app's {@code .halcyon} folder (magic files and hooks) into an {@link AppRecipe}. Only
 * reads and hashes files: no hook runs here, so a deploy machine can compute every archive name
 * from the source tree alone.
 */
public final class MagicRecipes {
  /**
   * Project files that name the dependencies layer when there is no {@code .halcyon/constraints}.
   */
  static final List<String> PROJECT_FILES =
      List.of(
          "pom.xml",
          "package.json",
          "package-lock.json",
          "build.gradle",
          "build.gradle.kts",
          "settings.gradle",
          "settings.gradle.kts",
          "cabal.config",
          "stack.yaml");

  private MagicRecipes() {}

  /**
   * The recipe of the app in {@code sourceDir}.
   *
   * @param sourceDir the app's directory, holding its {@code .halcyon} folder
   * @param settings the platform, prefix and overrides of this run
   * @return the recipe; its tags are final unless a constraints hook is pending ({@link
   *     AppRecipe#constraintsPending()})
   * @throws IOException if the tree cannot be read, or a magic file is invalid (the message names
   *     the file and what to write in it)
   */
  public static AppRecipe load(Path sourceDir, RecipeSettings settings) throws IOException {
    return load(sourceDir, settings, TreeHashes.Listener.NONE);
  }

  /**
   * Like {@link #load(Path, RecipeSettings)}, telling {@code hashListener} how far hashing the
   * source tree has got (see {@link RecipeBuilder#hashListener}); e.g. {@code
   * engineListener.hashing(sourceDir.toString())}, so a caller can show progress for a large tree
   * before an engine exists.
   *
   * @param sourceDir the app's directory, holding its {@code .halcyon} folder
   * @param settings the platform, prefix and overrides of this run
   * @param hashListener told of hashing progress on the calling thread; {@link
   *     TreeHashes.Listener#NONE} for none
   * @return the recipe; its tags are final unless a constraints hook is pending ({@link
   *     AppRecipe#constraintsPending()})
   * @throws IOException if the tree cannot be read, or a magic file is invalid (the message names
   *     the file and what to write in it)
   */
  public static AppRecipe load(
      Path sourceDir, RecipeSettings settings, TreeHashes.Listener hashListener)
      throws IOException {
    checkNotNull(sourceDir, "sourceDir");
    checkNotNull(settings, "settings");
    checkNotNull(hashListener, "hashListener");
    Path source = sourceDir.toAbsolutePath().normalize();
    if (!Files.isDirectory(source)) {
      throw new IOException("app directory " + source + " does not exist or is not a directory");
    }
    Path magic = source.resolve(".halcyon");
    String label = settings.label().isPresent() ? settings.label().get() : label(source);
    checkLabel(label, settings.label().isPresent() ? "--label / HALCYON_LABEL" : ".halcyon/label");

    boolean hasToolchainLayer = Files.exists(magic.resolve("toolchain-build"));
    String toolchainName =
        settings.toolchain().isPresent()
            ? settings.toolchain().get()
            : magicLine(magic, "toolchain").orElse("jdk-" + Runtime.version().feature());
    if (!Names.isToolchain(toolchainName)) {
      throw new IOException(
          "bad toolchain id '"
              + toolchainName
              + "' (from .halcyon/toolchain or HALCYON_TOOLCHAIN): write name-version, e.g. jdk-17 or maven-3.9.9 (name [a-z0-9_], no '-' in the version)");
    }
    Digest toolchainMagic = hashMagic(magic, rel -> rel.startsWith("toolchain"));

    IgnoreRules ignore = IgnoreRules.DEFAULT;
    Optional<String> extraIgnore = magicText(magic, "extra-source-hash-ignore");
    if (extraIgnore.isPresent()) {
      ignore = ignore.plus(IgnoreRules.parse(extraIgnore.get()));
    }
    DependencyConstraints constraints = dependencyConstraints(source, magic, settings);
    // The tags come from the same builder an embedder uses, so the two front ends cannot drift.
    RecipeBuilder recipe =
        AppRecipe.builder(source)
            .label(label)
            .platform(settings.platform())
            .toolchain(toolchainName)
            .prefix(settings.prefix())
            .ignore(ignore)
            .constraintsHash(constraintsHash(source, magic))
            .dependencyConstraints(constraints)
            .buildLayer(Hooks.hook(source, "build", settings, true))
            .install(installStep(source, magic, settings))
            .hashListener(hashListener);
    if (hasToolchainLayer) {
      recipe.toolchainLayer(Hooks.hook(source, "toolchain-build", settings, true), toolchainMagic);
    }
    if (Files.exists(magic.resolve("dependencies-build"))) {
      // Without a hook, the project files count too: a dependency bumped in pom.xml but not in
      // .halcyon/constraints must not reuse a repository that lacks it. A hook reads the project
      // itself, so its list cannot drift, and layers of other project files stay comparable.
      Digest hooks =
          hashMagic(
              magic,
              rel ->
                  rel.startsWith("toolchain")
                      || rel.startsWith("dependencies")
                      || rel.equals(Hooks.CONSTRAINTS_HOOK));
      Digest depsMagic =
          constraints.source().isPresent()
              ? hooks
              : Digest.sha256(hooks + "\n" + projectFilesHash(source));
      recipe.dependenciesLayer(Hooks.hook(source, "dependencies-build", settings, true), depsMagic);
    }
    if (Files.exists(magic.resolve("post-install"))) {
      recipe.postInstall(Hooks.hook(source, "post-install", settings, false));
    }
    return recipe.build();
  }

  /**
   * Links the directory {@code .halcyon/install-from} names (inside the build layer unless
   * absolute) into the install layer, else runs {@code .halcyon/install}; both present is refused.
   */
  private static LayerBuilder installStep(Path source, Path magic, RecipeSettings settings)
      throws IOException {
    Optional<String> from = magicLine(magic, INSTALL_FROM);
    if (from.isEmpty()) {
      if (Files.exists(magic.resolve(INSTALL_FROM))) {
        throw new IOException(
            "empty .halcyon/"
                + INSTALL_FROM
                + " in "
                + source
                + ": write the directory to install, e.g. target/app (inside the build layer)");
      }
      return Hooks.hook(source, "install", settings, true);
    }
    LayerBuilder linking = LayerBuilder.linking(from.get());
    return context -> {
      if (Files.exists(magic.resolve("install"))) {
        throw new HookFailedException(bothInstallSteps(source));
      }
      linking.build(context);
    };
  }

  private static final String INSTALL_FROM = "install-from";

  private static String bothInstallSteps(Path source) {
    return "cannot build "
        + source
        + ": it has both .halcyon/install and .halcyon/"
        + INSTALL_FROM
        + "; keep one (install-from links the directory it names, the hook copies into $1)";
  }

  /**
   * The list of {@code .halcyon/constraints}, else the {@code .halcyon/constraints-hook} that
   * prints it, with the rule of {@code .halcyon/dependencies-match} ({@code subset} by default).
   */
  private static DependencyConstraints dependencyConstraints(
      Path source, Path magic, RecipeSettings settings) throws IOException {
    PartialMatchRule rule = PartialMatchRule.SUBSET;
    Optional<String> match = magicLine(magic, "dependencies-match");
    if (match.isPresent()) {
      try {
        rule = PartialMatchRule.parse(match.get());
      } catch (IllegalArgumentException e) {
        throw new IOException(
            "bad .halcyon/dependencies-match in " + source + ": " + e.getMessage(), e);
      }
    }
    Optional<Constraints> listed = constraintsFile(source, magic);
    if (listed.isPresent()) {
      return DependencyConstraints.of(listed.get(), rule);
    }
    if (Files.exists(magic.resolve(Hooks.CONSTRAINTS_HOOK))) {
      return DependencyConstraints.from(Hooks.constraintsHook(source, settings), rule);
    }
    return new DependencyConstraints(Optional.empty(), Optional.empty(), rule);
  }

  /**
   * Refuses, before anything is copied or run, a source tree whose {@code .halcyon} folder lacks a
   * hook that building it needs: {@code build} and {@code install} always, and every other hook
   * that is present must be executable.
   *
   * @param sourceDir the app's directory, holding its {@code .halcyon} folder
   * @throws IOException one line naming every missing or non-executable hook and what to add
   */
  public static void checkBuildable(Path sourceDir) throws IOException {
    Path source = sourceDir.toAbsolutePath().normalize();
    Path magic = source.resolve(".halcyon");
    List<String> missing = new ArrayList<>();
    List<String> notExecutable = new ArrayList<>();
    for (String hook :
        List.of(
            "toolchain-build",
            Hooks.CONSTRAINTS_HOOK,
            "dependencies-build",
            "build",
            "install",
            "post-install")) {
      Path file = magic.resolve(hook);
      boolean required =
          hook.equals("build")
              || (hook.equals("install") && !Files.exists(magic.resolve(INSTALL_FROM)));
      if (!Files.exists(file)) {
        if (required) {
          missing.add(".halcyon/" + hook);
        }
      } else if (!Files.isExecutable(file)) {
        notExecutable.add(".halcyon/" + hook);
      }
    }
    if (Files.exists(magic.resolve("install")) && Files.exists(magic.resolve(INSTALL_FROM))) {
      throw new IOException(bothInstallSteps(source));
    }
    if (!missing.isEmpty()) {
      throw new IOException(
          "cannot build "
              + source
              + ": "
              + (Files.isDirectory(magic) ? "" : "it has no .halcyon folder, so ")
              + String.join(" and ", missing)
              + (missing.size() == 1 ? " is" : " are")
              + " missing; add executables that build the app in $1 (.halcyon/build) and copy what"
              + " is installed into $1 (.halcyon/install), or give the app's directory (README, 'The"
              + " app recipe'); nothing was copied");
    }
    if (!notExecutable.isEmpty()) {
      throw new IOException(
          "cannot build "
              + source
              + ": "
              + String.join(" and ", notExecutable)
              + (notExecutable.size() == 1 ? " is" : " are")
              + " not executable; run chmod +x on "
              + (notExecutable.size() == 1 ? "it" : "them"));
    }
  }

  /**
   * The app label from {@code .halcyon/label}, else from pom.xml, package.json or a *.cabal file.
   */
  static String label(Path source) throws IOException {
    Optional<String> magic = magicLine(source.resolve(".halcyon"), "label");
    if (magic.isPresent()) {
      return magic.get();
    }
    Path pom = source.resolve("pom.xml");
    if (Files.isRegularFile(pom)) {
      String xml =
          Files.readString(pom, StandardCharsets.UTF_8)
              .replaceAll("(?s)<parent>.*?</parent>", "")
              .replaceAll("(?s)<!--.*?-->", "");
      Optional<String> id = firstGroup(xml, "<artifactId>\\s*([^<\\s]+)\\s*</artifactId>");
      Optional<String> version = firstGroup(xml, "<version>\\s*([^<\\s]+)\\s*</version>");
      if (id.isPresent() && version.isPresent() && !version.get().contains("${")) {
        return id.get() + "-" + version.get();
      }
    }
    Path packageJson = source.resolve("package.json");
    if (Files.isRegularFile(packageJson)) {
      String json = Files.readString(packageJson, StandardCharsets.UTF_8);
      Optional<String> name = firstGroup(json, "\"name\"\\s*:\\s*\"([^\"]+)\"");
      Optional<String> version = firstGroup(json, "\"version\"\\s*:\\s*\"([^\"]+)\"");
      if (name.isPresent() && version.isPresent()) {
        return name.get().replace('@', ' ').trim().replace('/', '-') + "-" + version.get();
      }
    }
    try (var files = Files.list(source)) {
      List<Path> cabal = files.filter(p -> p.getFileName().toString().endsWith(".cabal")).toList();
      if (cabal.size() == 1) {
        String text = Files.readString(cabal.get(0), StandardCharsets.UTF_8);
        Optional<String> name = firstGroup(text, "(?im)^name:\\s*(\\S+)");
        Optional<String> version = firstGroup(text, "(?im)^version:\\s*(\\S+)");
        if (name.isPresent() && version.isPresent()) {
          return name.get() + "-" + version.get();
        }
      }
    }
    throw new IOException(
        "cannot tell the app label of "
            + source
            + ": write name-version into .halcyon/label (or give --label)");
  }

  private static void checkLabel(String label, String from) throws IOException {
    if (!Names.isLabel(label)) {
      throw new IOException(
          "bad app label '"
              + label
              + "' (from "
              + from
              + "): use name-version with letters, digits, '.', '_', '+', '-'");
    }
  }

  /**
   * The first line of magic file {@code .halcyon/<name>} of the app in {@code sourceDir}, for
   * settings that a magic file may give (such as {@code prefix}); empty when absent.
   *
   * @param sourceDir the app's directory, holding its {@code .halcyon} folder
   * @param name the magic file's name, e.g. {@code prefix}
   * @return the file's first line, stripped; empty if the file does not exist
   * @throws IOException if the file exists but cannot be read
   */
  public static Optional<String> magicSetting(Path sourceDir, String name) throws IOException {
    return magicLine(sourceDir.resolve(".halcyon"), name);
  }

  private static Digest constraintsHash(Path source, Path magic) throws IOException {
    Optional<Constraints> listed = constraintsFile(source, magic);
    return listed.isPresent() ? listed.get().digest() : projectFilesHash(source);
  }

  /** The list in {@code .halcyon/constraints}, if there is one. */
  private static Optional<Constraints> constraintsFile(Path source, Path magic) throws IOException {
    Optional<String> text = magicText(magic, "constraints");
    if (text.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(Constraints.parse(text.get()));
    } catch (IllegalArgumentException e) {
      throw new IOException(
          "bad .halcyon/constraints in "
              + source
              + ": "
              + e.getMessage()
              + " (write one 'name version' per line)",
          e);
    }
  }

  /** The digest of the project files at the top of the tree (pom.xml, package.json, *.cabal...). */
  private static Digest projectFilesHash(Path source) throws IOException {
    StringBuilder files = new StringBuilder();
    List<String> names = new ArrayList<>(PROJECT_FILES);
    try (var list = Files.list(source)) {
      list.map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".cabal"))
          .sorted()
          .forEach(names::add);
    }
    for (String name : names) {
      Path file = source.resolve(name);
      if (Files.isRegularFile(file)) {
        files
            .append(name)
            .append('\0')
            .append(Digest.sha256(Files.readAllBytes(file)))
            .append('\n');
      }
    }
    return Digest.sha256(files.toString());
  }

  private static Digest hashMagic(Path magic, Predicate<String> include) throws IOException {
    if (!Files.isDirectory(magic)) {
      return Digest.sha256("");
    }
    return TreeHashes.hash(
        magic, rel -> include.test(rel.contains("/") ? rel.substring(0, rel.indexOf('/')) : rel));
  }

  private static Optional<String> magicText(Path magic, String name) throws IOException {
    Path file = magic.resolve(name);
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    return Optional.of(Files.readString(file, StandardCharsets.UTF_8));
  }

  /** The first non-blank, non-comment line of a magic file, trimmed. */
  private static Optional<String> magicLine(Path magic, String name) throws IOException {
    Optional<String> text = magicText(magic, name);
    if (text.isEmpty()) {
      return Optional.empty();
    }
    return text.get()
        .lines()
        .map(String::strip)
        .filter(l -> !l.isEmpty() && !l.startsWith("#"))
        .findFirst();
  }

  private static Optional<String> firstGroup(String text, String regex) {
    Matcher m = Pattern.compile(regex).matcher(text);
    return m.find() ? Optional.of(m.group(1)) : Optional.empty();
  }
}
