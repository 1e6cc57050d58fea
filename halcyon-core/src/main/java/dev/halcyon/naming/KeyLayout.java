package dev.halcyon.naming;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.halcyon.layer.LayerKind;
import java.util.Optional;
import java.util.function.Function;

/**
 * The shape both namers share: {@code <platform>/<toolchain-file-prefix><toolchain>[-<qualifier>]
 * .<ext>} for toolchains, {@code <platform>/<toolchain>/<file>.<ext>} for the other kinds. The
 * namers differ in two file prefixes and in extra rules on toolchain ids.
 */
final class KeyLayout {
  private static final String BUILD_PREFIX = "halcyon-build-";
  private static final String INSTALL_PREFIX = "halcyon-install-";

  private final String layoutName;
  private final String toolchainFilePrefix;
  private final String dependenciesFilePrefix;
  private final Function<ArchiveName, String> extraProblem;

  /**
   * @param layoutName how messages call this layout
   * @param extraProblem rules beyond the shared ones, returning what is wrong or null
   */
  KeyLayout(
      String layoutName,
      String toolchainFilePrefix,
      String dependenciesFilePrefix,
      Function<ArchiveName, String> extraProblem) {
    this.layoutName = layoutName;
    this.toolchainFilePrefix = toolchainFilePrefix;
    this.dependenciesFilePrefix = dependenciesFilePrefix;
    this.extraProblem = extraProblem;
  }

  String key(ArchiveName name) {
    checkNotNull(name, "name");
    String problem = problem(name);
    checkArgument(
        problem == null, "cannot name %s archive in %s: %s", name.kind().id(), layoutName, problem);
    return render(name);
  }

  Optional<ArchiveName> parse(String key) {
    checkNotNull(key, "key");
    String[] parts = key.split("/", -1);
    Optional<ArchiveName> name;
    if (parts.length == 2) {
      name = parseToolchain(parts[0], parts[1]);
    } else if (parts.length == 3) {
      name = parseLayer(parts[0], parts[1], parts[2]);
    } else {
      name = Optional.empty();
    }
    // Only keys this layout would write itself count as its own, so each name has exactly one key.
    return name.filter(n -> problem(n) == null && render(n).equals(key));
  }

  String toolchainPrefix(String platform, String toolchain) {
    checkNotNull(platform, "platform");
    checkNotNull(toolchain, "toolchain");
    checkArgument(ArchiveKeys.isPlatform(platform), "%s", ArchiveKeys.badPlatform(platform));
    checkArgument(ArchiveKeys.isToolchain(toolchain), "%s", ArchiveKeys.badToolchain(toolchain));
    return platform + "/" + toolchain + "/";
  }

  private Optional<ArchiveName> parseToolchain(String platform, String file) {
    Optional<String[]> split = ArchiveKeys.splitExtension(file);
    if (split.isEmpty() || !split.get()[0].startsWith(toolchainFilePrefix)) {
      return Optional.empty();
    }
    String ext = split.get()[1];
    String rest = split.get()[0].substring(toolchainFilePrefix.length());
    return ArchiveKeys.splitToolchainAndQualifier(rest)
        .filter(tq -> fitsArchiveName(platform, tq[0], tq[1], ext))
        .map(tq -> new ArchiveName(LayerKind.TOOLCHAIN, platform, tq[0], "", "", tq[1], ext));
  }

  private Optional<ArchiveName> parseLayer(String platform, String toolchain, String file) {
    Optional<String[]> split = ArchiveKeys.splitExtension(file);
    if (split.isEmpty()) {
      return Optional.empty();
    }
    String stem = split.get()[0];
    String ext = split.get()[1];
    if (stem.startsWith(BUILD_PREFIX)) {
      String label = stem.substring(BUILD_PREFIX.length());
      return fitsArchiveName(platform, toolchain, label, ext)
          ? Optional.of(new ArchiveName(LayerKind.BUILD, platform, toolchain, label, "", "", ext))
          : Optional.empty();
    }
    LayerKind kind;
    String rest;
    if (stem.startsWith(INSTALL_PREFIX)) {
      kind = LayerKind.INSTALL;
      rest = stem.substring(INSTALL_PREFIX.length());
    } else if (stem.startsWith(dependenciesFilePrefix)) {
      kind = LayerKind.DEPENDENCIES;
      rest = stem.substring(dependenciesFilePrefix.length());
    } else {
      return Optional.empty();
    }
    return ArchiveKeys.splitHashAndLabel(rest)
        .filter(hl -> fitsArchiveName(platform, toolchain, hl[0], hl[1], ext))
        .map(hl -> new ArchiveName(kind, platform, toolchain, hl[1], hl[0], "", ext));
  }

  /** True unless a part holds what {@link ArchiveName}'s constructor rejects. */
  private static boolean fitsArchiveName(String platform, String toolchain, String... rest) {
    if (platform.isEmpty() || toolchain.isEmpty() || rest[rest.length - 1].isEmpty()) {
      return false;
    }
    for (String part : rest) {
      if (part.indexOf('/') >= 0 || part.contains("..")) {
        return false;
      }
    }
    return !platform.contains("..") && !toolchain.contains("..");
  }

  private String render(ArchiveName name) {
    String file;
    switch (name.kind()) {
      case TOOLCHAIN:
        String qualifier = name.qualifier().isEmpty() ? "" : "-" + name.qualifier();
        file = toolchainFilePrefix + name.toolchain() + qualifier;
        break;
      case DEPENDENCIES:
        file = dependenciesFilePrefix + name.hash() + "-" + name.label();
        break;
      case BUILD:
        file = BUILD_PREFIX + name.label();
        break;
      case INSTALL:
        file = INSTALL_PREFIX + name.hash() + "-" + name.label();
        break;
      default:
        throw new IllegalStateException("unknown layer kind " + name.kind());
    }
    file += "." + name.extension();
    return name.kind() == LayerKind.TOOLCHAIN
        ? name.platform() + "/" + file
        : name.platform() + "/" + name.toolchain() + "/" + file;
  }

  /** What makes {@code name} inexpressible in this layout, or null if nothing does. */
  private String problem(ArchiveName name) {
    if (!ArchiveKeys.isPlatform(name.platform())) {
      return ArchiveKeys.badPlatform(name.platform());
    }
    if (!ArchiveKeys.isToolchain(name.toolchain())) {
      return ArchiveKeys.badToolchain(name.toolchain());
    }
    if (!ArchiveKeys.isExtension(name.extension())) {
      return "unknown extension '" + name.extension() + "': use one of " + ArchiveKeys.EXTENSIONS;
    }
    String shared = sharedProblem(name);
    return shared != null ? shared : extraProblem.apply(name);
  }

  private static String sharedProblem(ArchiveName name) {
    if (name.kind() == LayerKind.TOOLCHAIN) {
      if (!name.label().isEmpty() || !name.hash().isEmpty()) {
        return "a toolchain name has no label and no hash (got label '"
            + name.label()
            + "', hash '"
            + name.hash()
            + "')";
      }
      if (!name.qualifier().isEmpty() && !ArchiveKeys.isLabel(name.qualifier())) {
        return "bad qualifier '"
            + name.qualifier()
            + "': use letters, digits, '.', '_', '+' and '-', starting with a letter or digit and"
            + " not ending with '.'";
      }
      return null;
    }
    if (!name.qualifier().isEmpty()) {
      return "only toolchain names have a qualifier (got '" + name.qualifier() + "')";
    }
    if (!ArchiveKeys.isLabel(name.label())) {
      return ArchiveKeys.badLabel(name.label());
    }
    switch (name.kind()) {
      case DEPENDENCIES:
        return ArchiveKeys.isShortHashAndMagic(name.hash())
            ? null
            : "bad dependencies hash '"
                + name.hash()
                + "': expected <constraints7>[.<magic7>] in lower-case hex";
      case INSTALL:
        return ArchiveKeys.isShortHash(name.hash())
            ? null
            : "bad install hash '" + name.hash() + "': expected 7 lower-case hex digits";
      default:
        return name.hash().isEmpty()
            ? null
            : "a build name has no hash (got '" + name.hash() + "')";
    }
  }
}
