package dev.halcyon.layer;

import java.util.regex.Pattern;

/**
 * The one grammar of the names that appear in layer tags and archive keys: platform ids, toolchain
 * ids and app labels. Recipes, namers and platform detection all check names here, so a name is
 * valid everywhere or nowhere. None of them may contain {@code ..}, and none ends in a dot, so
 * every name is one safe path segment. Stateless and thread-safe.
 */
public final class Names {
  private static final Pattern PLATFORM = Pattern.compile("[a-z0-9][a-z0-9._-]*");

  /** {@code name-version}: a name of {@code [a-z0-9_]}, a dash, a version without a dash. */
  private static final Pattern TOOLCHAIN =
      Pattern.compile("[a-z0-9_]+-[A-Za-z0-9_+](?:[A-Za-z0-9._+]*[A-Za-z0-9_+])?");

  private static final Pattern LABEL =
      Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9._+-]*[A-Za-z0-9_+-])?");

  private Names() {}

  /**
   * Whether {@code s} is a platform id, such as {@code linux-debian-12-x86_64}.
   *
   * @param s the text to check, not null
   * @return true if {@code s} is lower-case letters, digits, {@code .}, {@code _} and {@code -},
   *     starts with a letter or digit and has no {@code ..}
   */
  public static boolean isPlatform(String s) {
    return PLATFORM.matcher(s).matches() && !s.contains("..");
  }

  /**
   * Whether {@code s} is a toolchain id, such as {@code jdk-17} or {@code maven-3.9.9.1f4ff73}.
   *
   * @param s the text to check, not null
   * @return true if {@code s} is a lower-case name, a {@code -} and a version (letters, digits,
   *     {@code .}, {@code _}, {@code +}, not ending in {@code .}), with no {@code ..}
   */
  public static boolean isToolchain(String s) {
    return TOOLCHAIN.matcher(s).matches() && !s.contains("..");
  }

  /**
   * Whether {@code s} is an app label, such as {@code demo-app-1.0}.
   *
   * @param s the text to check, not null
   * @return true if {@code s} is letters, digits, {@code .}, {@code _}, {@code +} and {@code -},
   *     starts with a letter or digit, does not end in {@code .} and has no {@code ..}
   */
  public static boolean isLabel(String s) {
    return LABEL.matcher(s).matches() && !s.contains("..");
  }
}
