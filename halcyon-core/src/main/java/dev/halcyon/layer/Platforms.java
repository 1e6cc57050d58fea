package dev.halcyon.layer;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Platform identifiers in Halcyon's format {@code <os>[-<distro>][-<version>]-<arch>}, e.g. {@code
 * linux-debian-12-x86_64}, {@code linux-ubuntu-22.04-aarch64}, {@code linux-rhel-9-x86_64}, {@code
 * osx-14.2-aarch64}. The platform is the first part of every key and part of every tag, so layers
 * are never shared between machines that could not run them.
 *
 * <ul>
 *   <li>{@code os}: {@code linux}, {@code osx}, {@code freebsd}, {@code windows} (others: the
 *       lower-cased letters and digits of {@code os.name}).
 *   <li>{@code distro} (Linux only): the {@code ID} of {@code /etc/os-release} (or {@code
 *       /usr/lib/os-release}), lower-cased, letters only ({@code opensuse-leap} gives {@code
 *       opensuseleap}); left out when there is no such file. Unlike the original, the older
 *       lsb-release / redhat-release fallbacks are not read.
 *   <li>{@code version}: Linux: {@code VERSION_ID}; other systems: {@code os.version} (FreeBSD: up
 *       to the first {@code -}). Only digits and dots are kept, cut to {@code major.minor}; RHEL
 *       and RHEL-likes ({@code ID=rhel} or {@code rhel} in {@code ID_LIKE}, e.g. Rocky, Alma) keep
 *       only the major version. Left out when empty.
 *   <li>{@code arch}: {@code x86_64} (from {@code amd64}, {@code x86_64}, {@code x64}), {@code
 *       aarch64} (from {@code aarch64}, {@code arm64}), {@code i386} (from {@code x86}, {@code
 *       i386}..{@code i686}); others: the lower-cased letters, digits and underscores of {@code
 *       os.arch}.
 * </ul>
 *
 * <p>The system property {@value #PROPERTY} overrides detection (callers such as the engine may
 * also pass their own value, e.g. from {@code HALCYON_PLATFORM}, through {@link #checkPlatform}).
 * Stateless and thread-safe.
 */
public final class Platforms {

  /** System property that, when set, is returned by {@link #detect()} instead of detecting. */
  public static final String PROPERTY = "halcyon.platform";

  private static final Pattern MAJOR_MINOR = Pattern.compile("^([0-9]*\\.[0-9]*)");
  private static final List<Path> OS_RELEASE =
      List.of(Path.of("/etc/os-release"), Path.of("/usr/lib/os-release"));

  private Platforms() {}

  /**
   * The platform of this machine, or the value of the system property {@value #PROPERTY} when it is
   * set.
   *
   * @return the platform id, e.g. {@code linux-debian-12-x86_64}; never empty
   * @throws IllegalArgumentException if the property is set to something that is not a platform id
   */
  public static String detect() {
    String override = System.getProperty(PROPERTY);
    if (override != null && !override.isBlank()) {
      return checkPlatform(override.strip());
    }
    return detect(
        System.getProperty("os.name", ""),
        System.getProperty("os.version", ""),
        System.getProperty("os.arch", ""),
        readOsRelease());
  }

  /**
   * The platform for the given {@code os.name}, {@code os.arch} and {@code /etc/os-release} text,
   * with no {@code os.version} (which only matters outside Linux).
   *
   * @param osName the value of the {@code os.name} system property, e.g. {@code Linux}
   * @param osArch the value of {@code os.arch}, e.g. {@code amd64}
   * @param osReleaseText the content of {@code /etc/os-release}, or empty where there is none
   * @return the platform id, e.g. {@code linux-debian-12-x86_64}
   */
  public static String detect(String osName, String osArch, Optional<String> osReleaseText) {
    return detect(osName, "", osArch, osReleaseText);
  }

  /**
   * The platform for the given {@code os.name}, {@code os.version}, {@code os.arch} and {@code
   * /etc/os-release} text (which is only read on Linux). Does no I/O.
   *
   * @param osName the value of the {@code os.name} system property, e.g. {@code Linux} or {@code
   *     Mac OS X}
   * @param osVersion the value of {@code os.version}; empty if unknown
   * @param osArch the value of {@code os.arch}, e.g. {@code amd64} or {@code aarch64}
   * @param osReleaseText the content of {@code /etc/os-release}, or empty where there is none
   * @return the platform id: the OS, on Linux the distribution, a short version where known, and
   *     the architecture, e.g. {@code linux-debian-12-x86_64}
   */
  public static String detect(
      String osName, String osVersion, String osArch, Optional<String> osReleaseText) {
    checkNotNull(osName, "osName");
    checkNotNull(osVersion, "osVersion");
    checkNotNull(osArch, "osArch");
    checkNotNull(osReleaseText, "osReleaseText");
    String os = os(osName);
    String distro = "";
    String version;
    switch (os) {
      case "linux":
        Map<String, String> release = parseOsRelease(osReleaseText.orElse(""));
        distro = lettersOnly(release.getOrDefault("ID", ""));
        version = shortVersion(release.getOrDefault("VERSION_ID", ""));
        boolean rhelLike =
            distro.equals("rhel")
                || List.of(release.getOrDefault("ID_LIKE", "").split("\\s+")).contains("rhel");
        if (rhelLike && version.indexOf('.') >= 0) {
          version = version.substring(0, version.indexOf('.'));
        }
        break;
      case "freebsd":
        int dash = osVersion.indexOf('-');
        version = shortVersion(dash >= 0 ? osVersion.substring(0, dash) : osVersion);
        break;
      case "osx":
      case "windows":
        version = shortVersion(osVersion);
        break;
      default:
        version = "";
    }
    StringBuilder id = new StringBuilder(os);
    if (!distro.isEmpty()) {
      id.append('-').append(distro);
    }
    if (!version.isEmpty()) {
      id.append('-').append(version);
    }
    return id.append('-').append(arch(osArch)).toString();
  }

  /**
   * Checks that {@code platform} can be used as a platform id: lower-case letters, digits, {@code
   * .}, {@code _} and {@code -}, starting with a letter or digit, no {@code ..}.
   *
   * @param platform the candidate platform id, e.g. from configuration
   * @return {@code platform}
   * @throws IllegalArgumentException if it cannot
   */
  public static String checkPlatform(String platform) {
    checkNotNull(platform, "platform");
    checkArgument(
        Names.isPlatform(platform),
        "bad platform id '%s': use lower-case letters, digits, '.', '_' and '-', e.g."
            + " linux-debian-12-x86_64",
        platform);
    return platform;
  }

  private static Optional<String> readOsRelease() {
    for (Path file : OS_RELEASE) {
      try {
        if (Files.isRegularFile(file)) {
          return Optional.of(Files.readString(file, StandardCharsets.UTF_8));
        }
      } catch (IOException e) {
        // An unreadable file identifies nothing; like a missing one it gives a distro-less id.
      }
    }
    return Optional.empty();
  }

  private static String os(String osName) {
    String name = osName.toLowerCase(Locale.ROOT).strip();
    if (name.startsWith("linux")) {
      return "linux";
    }
    if (name.startsWith("mac") || name.startsWith("darwin")) {
      return "osx";
    }
    if (name.startsWith("freebsd")) {
      return "freebsd";
    }
    if (name.startsWith("windows")) {
      return "windows";
    }
    String other = name.replaceAll("[^a-z0-9]", "");
    return other.isEmpty() ? "unknown" : other;
  }

  private static String arch(String osArch) {
    String arch = osArch.toLowerCase(Locale.ROOT).strip();
    switch (arch) {
      case "amd64":
      case "x86_64":
      case "x86-64":
      case "x64":
        return "x86_64";
      case "aarch64":
      case "arm64":
        return "aarch64";
      case "x86":
      case "i386":
      case "i486":
      case "i586":
      case "i686":
        return "i386";
      default:
        String other = arch.replaceAll("[^a-z0-9_]", "");
        return other.isEmpty() ? "unknown" : other;
    }
  }

  private static String lettersOnly(String id) {
    return id.toLowerCase(Locale.ROOT).replaceAll("[^a-z]", "");
  }

  /** Digits and dots only, cut to {@code major.minor}, without stray leading or trailing dots. */
  private static String shortVersion(String raw) {
    String version = raw.replaceAll("[^0-9.]", "");
    Matcher m = MAJOR_MINOR.matcher(version);
    if (m.find()) {
      version = m.group(1);
    }
    return version.replaceAll("^\\.+|\\.+$", "");
  }

  /** The {@code KEY=value} pairs of an os-release file; values may be quoted. */
  static Map<String, String> parseOsRelease(String text) {
    Map<String, String> values = new HashMap<>();
    for (String raw : text.split("\n")) {
      String line = raw.strip();
      int eq = line.indexOf('=');
      if (line.isEmpty() || line.startsWith("#") || eq <= 0) {
        continue;
      }
      values.put(line.substring(0, eq).strip(), unquote(line.substring(eq + 1).strip()));
    }
    return values;
  }

  private static String unquote(String value) {
    if (value.length() >= 2 && value.startsWith("'") && value.endsWith("'")) {
      return value.substring(1, value.length() - 1);
    }
    if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
      // Shell double quotes: a backslash keeps the next character literally.
      return value.substring(1, value.length() - 1).replaceAll("\\\\(.)", "$1");
    }
    return value;
  }
}
