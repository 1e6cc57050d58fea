package dev.halcyon.archive;

import java.util.regex.Pattern;

/** The rules of {@link ArchiveOrder#VOLATILITY}. */
final class VolatilityOrder {
  private static final Pattern VERSIONED = Pattern.compile(".*-[0-9][^/]*\\.jar");

  private VolatilityOrder() {}

  static int rank(String path) {
    String name = path.substring(path.lastIndexOf('/') + 1);
    if (name.endsWith(".class")) {
      return 4;
    }
    if (!name.endsWith(".jar")) {
      return 2;
    }
    if (name.contains("-SNAPSHOT")) {
      return 1;
    }
    return VERSIONED.matcher(name).matches() ? 0 : 3;
  }
}
