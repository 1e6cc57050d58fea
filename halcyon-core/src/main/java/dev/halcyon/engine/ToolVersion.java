package dev.halcyon.engine;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * The name and version of this library, as the build recorded them in {@code
 * halcyon-version.properties} beside this class, for the manifests the engine writes.
 */
final class ToolVersion {
  /** E.g. {@code halcyon-jvm 0.1.0}; {@code halcyon-jvm unknown} if the resource is missing. */
  static final String NAME = "halcyon-jvm " + read();

  private ToolVersion() {}

  private static String read() {
    try (InputStream in = ToolVersion.class.getResourceAsStream("halcyon-version.properties")) {
      if (in == null) {
        return "unknown";
      }
      Properties p = new Properties();
      p.load(in);
      String version = p.getProperty("version", "unknown").trim();
      // An unfiltered copy (an IDE that skipped Maven's resource filtering) names no version.
      return version.isEmpty() || version.startsWith("$") ? "unknown" : version;
    } catch (IOException e) {
      return "unknown";
    }
  }
}
