package dev.halcyon.naming;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.halcyon.layer.Digest;
import dev.halcyon.layer.LayerKind;
import dev.halcyon.layer.LayerTag;
import dev.halcyon.layer.Names;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/** The grammar both namers share: valid name parts, known extensions, names from tags. */
final class ArchiveKeys {

  /** Known extensions, longest first so that {@link #splitExtension} prefers {@code tar.gz}. */
  static final List<String> EXTENSIONS =
      List.of("constraints", "manifest", "tar.zst", "tar.gz", "tar.xz", "tar", "tag");

  /** {@code <name>-<version>[.<magic7>]}: exactly one dash, so it can be found in a file name. */

  /** Labels and qualifiers: may hold dashes and dots, may not end in a dot (no {@code ..}). */
  private static final Pattern SHORT_HASH = Pattern.compile("[0-9a-f]{7}");

  private static final Pattern SHORT_HASH_AND_MAGIC =
      Pattern.compile("[0-9a-f]{7}(?:\\.[0-9a-f]{7})?");

  private ArchiveKeys() {}

  static boolean isPlatform(String s) {
    return Names.isPlatform(s);
  }

  static boolean isToolchain(String s) {
    return Names.isToolchain(s);
  }

  static boolean isLabel(String s) {
    return Names.isLabel(s);
  }

  static boolean isShortHash(String s) {
    return SHORT_HASH.matcher(s).matches();
  }

  static boolean isShortHashAndMagic(String s) {
    return SHORT_HASH_AND_MAGIC.matcher(s).matches();
  }

  static boolean isExtension(String s) {
    return EXTENSIONS.contains(s);
  }

  /** The name part before the dash of a toolchain id, e.g. {@code jdk} of {@code jdk-17.0.15}. */
  static String toolchainName(String toolchain) {
    return toolchain.substring(0, toolchain.indexOf('-'));
  }

  /**
   * Splits {@code <name>-<version>[-<qualifier>]} into {@code [toolchain id, qualifier]}; empty if
   * there is no dash at all.
   */
  static Optional<String[]> splitToolchainAndQualifier(String text) {
    int first = text.indexOf('-');
    if (first < 0) {
      return Optional.empty();
    }
    int second = text.indexOf('-', first + 1);
    if (second < 0) {
      return Optional.of(new String[] {text, ""});
    }
    return Optional.of(new String[] {text.substring(0, second), text.substring(second + 1)});
  }

  /** Splits {@code <hash>-<label>} at the first dash; empty if there is none. */
  static Optional<String[]> splitHashAndLabel(String text) {
    int dash = text.indexOf('-');
    if (dash < 0) {
      return Optional.empty();
    }
    return Optional.of(new String[] {text.substring(0, dash), text.substring(dash + 1)});
  }

  /** {@code [stem, extension]} for the longest known extension {@code file} ends with. */
  static Optional<String[]> splitExtension(String file) {
    String best = null;
    for (String ext : EXTENSIONS) {
      if (file.endsWith("." + ext) && (best == null || ext.length() > best.length())) {
        best = ext;
      }
    }
    if (best == null) {
      return Optional.empty();
    }
    return Optional.of(new String[] {file.substring(0, file.length() - best.length() - 1), best});
  }

  /**
   * The name of the layer {@code tag} with {@code extension}: short source hash for install, short
   * constraints hash (plus {@code .<magic7>} when the tag has a magic hash) for dependencies, the
   * {@link LayerTag#QUALIFIER} input for toolchains.
   */
  static ArchiveName fromTag(LayerTag tag, String extension) {
    checkNotNull(tag, "tag");
    checkNotNull(extension, "extension");
    checkArgument(
        isExtension(extension),
        "unknown archive extension '%s': use one of %s",
        extension,
        EXTENSIONS);
    String label = tag.kind() == LayerKind.TOOLCHAIN ? "" : tag.label();
    String hash = "";
    String qualifier = "";
    switch (tag.kind()) {
      case TOOLCHAIN:
        qualifier = tag.input(LayerTag.QUALIFIER);
        break;
      case DEPENDENCIES:
        hash = shortHash(tag, LayerTag.CONSTRAINTS_HASH);
        if (!tag.input(LayerTag.MAGIC_HASH).isEmpty()) {
          hash += "." + shortHash(tag, LayerTag.MAGIC_HASH);
        }
        break;
      case INSTALL:
        hash = shortHash(tag, LayerTag.SOURCE_HASH);
        break;
      case BUILD:
      default:
        break;
    }
    return new ArchiveName(
        tag.kind(), tag.platform(), tag.toolchain(), label, hash, qualifier, extension);
  }

  private static String shortHash(LayerTag tag, String input) {
    String value = tag.input(input);
    checkArgument(
        !value.isEmpty(),
        "a %s tag (label '%s') needs the input '%s' to be named",
        tag.kind().id(),
        tag.label(),
        input);
    try {
      return Digest.parse(value).shortHex();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "input '"
              + input
              + "' of the "
              + tag.kind().id()
              + " tag (label '"
              + tag.label()
              + "') is not a sha256 digest: '"
              + value
              + "'",
          e);
    }
  }

  static String badPlatform(String platform) {
    return "bad platform '"
        + platform
        + "': use lower-case letters, digits, '.', '_' and '-', e.g. linux-debian-12-x86_64";
  }

  static String badToolchain(String toolchain) {
    return "bad toolchain id '"
        + toolchain
        + "': use <name>-<version>[.<magic7>], the name of [a-z0-9_], the version without '-',"
        + " e.g. jdk-17.0.15";
  }

  static String badLabel(String label) {
    return "bad label '"
        + label
        + "': use letters, digits, '.', '_', '+' and '-', starting with a letter or digit and not"
        + " ending with '.'";
  }
}
