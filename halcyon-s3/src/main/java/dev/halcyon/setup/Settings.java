package dev.halcyon.setup;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.halcyon.archive.Compression;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every generic setting of a run, resolved from one map keyed by environment variable names ({@code
 * HALCYON_*}). The CLI lays its options over the process environment under the same names, so the
 * command line beats the environment; magic files come last (see {@code MagicRecipes}).
 *
 * <p>S3 settings are parsed by {@code S3Settings.fromEnvironment} from the raw map kept in {@link
 * #values()}. {@link Setup} opens the stores, the pruner and an engine builder from these settings,
 * as the {@code halcyon} command does. Immutable.
 *
 * @param base the work directory ({@code HALCYON_BASE})
 * @param prefix the install prefix, when set ({@code HALCYON_PREFIX})
 * @param root the directory the prefix is installed under ({@code HALCYON_ROOT})
 * @param cache the local cache directory ({@code HALCYON_CACHE})
 * @param purgeCache empty the cache before a run ({@code HALCYON_PURGE_CACHE})
 * @param noCleanCache keep unused cache entries ({@code HALCYON_NO_CLEAN_CACHE})
 * @param cacheMaxSize the cache's size cap in bytes ({@code HALCYON_CACHE_MAX_SIZE})
 * @param noBuild forbid building ({@code HALCYON_NO_BUILD})
 * @param noBuildDependencies forbid building toolchain and dependencies layers
 * @param noUpload upload nothing ({@code HALCYON_NO_UPLOAD})
 * @param noDelete prune nothing from private storage ({@code HALCYON_NO_DELETE})
 * @param storageDir private storage in a directory ({@code HALCYON_STORAGE_DIR})
 * @param s3Bucket private storage in an S3 bucket ({@code HALCYON_S3_BUCKET})
 * @param publicStorageUrl read-only public storage ({@code HALCYON_PUBLIC_STORAGE_URL})
 * @param noPrivateStorage ignore private storage ({@code HALCYON_NO_PRIVATE_STORAGE})
 * @param platform the platform id, when set; detected otherwise
 * @param label the app label, when set
 * @param toolchain the toolchain id, when set
 * @param compression the archive codec ({@code HALCYON_COMPRESSION})
 * @param naming {@code default} or {@code original} archive names ({@code HALCYON_NAMING})
 * @param retention the retention policy text ({@code HALCYON_RETENTION})
 * @param values the merged settings map, as given
 */
public record Settings(
    Path base,
    Optional<String> prefix,
    Path root,
    Path cache,
    boolean purgeCache,
    boolean noCleanCache,
    OptionalLong cacheMaxSize,
    boolean noBuild,
    boolean noBuildDependencies,
    boolean noUpload,
    boolean noDelete,
    Optional<Path> storageDir,
    Optional<String> s3Bucket,
    Optional<URI> publicStorageUrl,
    boolean noPrivateStorage,
    Optional<String> platform,
    Optional<String> label,
    Optional<String> toolchain,
    Compression compression,
    String naming,
    String retention,
    Map<String, String> values) {

  private static final Pattern SIZE = Pattern.compile("(\\d+)(?:([kmgt])(?:i?b)?|b)?");

  /**
   * Checks the paths and copies {@code values}; the other settings are checked by {@link #from}.
   *
   * @param base the work directory
   * @param prefix the install prefix, or empty
   * @param root the directory the prefix is installed under
   * @param cache the local cache directory
   * @param purgeCache empty the cache before a run
   * @param noCleanCache keep unused cache entries
   * @param cacheMaxSize the cap in bytes, or empty for none
   * @param noBuild forbid building
   * @param noBuildDependencies forbid building toolchain and dependencies layers
   * @param noUpload upload nothing
   * @param noDelete prune nothing from private storage
   * @param storageDir private storage in a directory, or empty
   * @param s3Bucket private storage in an S3 bucket, or empty
   * @param publicStorageUrl public storage, or empty
   * @param noPrivateStorage ignore private storage
   * @param platform the platform id, or empty to detect it
   * @param label the app label, or empty
   * @param toolchain the toolchain id, or empty
   * @param compression the archive codec
   * @param naming {@code default} or {@code original}
   * @param retention the retention policy text
   * @param values the merged settings map; copied
   */
  public Settings {
    checkNotNull(base, "base");
    checkNotNull(cacheMaxSize, "cacheMaxSize");
    checkNotNull(root, "root");
    checkNotNull(cache, "cache");
    values = Map.copyOf(values);
  }

  /**
   * Resolves every setting from {@code values} (environment names), with defaults under {@code
   * home} (the user's home directory).
   *
   * @param values settings by environment variable name; unset and blank values take the defaults
   * @param home the user's home directory; the defaults of the work directory and cache are under
   *     {@code home/.halcyon}
   * @return the settings
   * @throws IllegalArgumentException naming the variable (and its option) and what it accepts
   */
  public static Settings from(Map<String, String> values, Path home) {
    checkNotNull(values, "values");
    Path halcyonHome = home.resolve(".halcyon");
    return new Settings(
        path(values, "HALCYON_BASE").orElse(halcyonHome.resolve("base")),
        string(values, "HALCYON_PREFIX").map(p -> absolute(p, "HALCYON_PREFIX")),
        path(values, "HALCYON_ROOT").orElse(Path.of("/")),
        path(values, "HALCYON_CACHE").orElse(halcyonHome.resolve("cache")),
        flag(values, "HALCYON_PURGE_CACHE"),
        flag(values, "HALCYON_NO_CLEAN_CACHE"),
        string(values, "HALCYON_CACHE_MAX_SIZE")
            .map(v -> OptionalLong.of(size(v, "HALCYON_CACHE_MAX_SIZE")))
            .orElse(OptionalLong.empty()),
        flag(values, "HALCYON_NO_BUILD"),
        flag(values, "HALCYON_NO_BUILD_DEPENDENCIES"),
        flag(values, "HALCYON_NO_UPLOAD"),
        flag(values, "HALCYON_NO_DELETE") || flag(values, "HALCYON_NO_CLEAN_PRIVATE_STORAGE"),
        path(values, "HALCYON_STORAGE_DIR"),
        string(values, "HALCYON_S3_BUCKET"),
        string(values, "HALCYON_PUBLIC_STORAGE_URL")
            .filter(u -> !flag(values, "HALCYON_NO_PUBLIC_STORAGE"))
            .map(Settings::url),
        flag(values, "HALCYON_NO_PRIVATE_STORAGE"),
        string(values, "HALCYON_PLATFORM"),
        string(values, "HALCYON_LABEL"),
        string(values, "HALCYON_TOOLCHAIN"),
        string(values, "HALCYON_COMPRESSION")
            .map(c -> parse(c, "HALCYON_COMPRESSION", Compression::parse))
            .orElse(Compression.ZSTD),
        string(values, "HALCYON_NAMING").map(n -> naming(n)).orElse("default"),
        string(values, "HALCYON_RETENTION").orElse("halcyon"),
        values);
  }

  /**
   * The option that sets {@code variable}, e.g. {@code --no-build} for {@code HALCYON_NO_BUILD}.
   *
   * @param variable a settings key, e.g. {@code HALCYON_NO_BUILD}
   * @return the command-line option of the same name
   */
  public static String optionFor(String variable) {
    return "--" + variable.replaceFirst("^HALCYON_", "").toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /**
   * Whether install archives are restored by delta (HALCYON_DELTA, default 1; {@code --no-delta}
   * sets 0).
   *
   * @return false only when {@code HALCYON_DELTA} is set to a false value
   */
  public boolean deltaRestore() {
    return string(values, "HALCYON_DELTA").isEmpty() || flag(values, "HALCYON_DELTA");
  }

  /**
   * True when private storage (S3 or a directory) is configured and not switched off.
   *
   * @return true if an S3 bucket or a storage directory is set and {@code
   *     HALCYON_NO_PRIVATE_STORAGE} is not
   */
  public boolean hasPrivateStorage() {
    return !noPrivateStorage && (s3Bucket.isPresent() || storageDir.isPresent());
  }

  private static Optional<String> string(Map<String, String> values, String name) {
    String v = values.get(name);
    return v == null || v.isBlank() ? Optional.empty() : Optional.of(v.strip());
  }

  private static Optional<Path> path(Map<String, String> values, String name) {
    return string(values, name).map(p -> Path.of(p).toAbsolutePath().normalize());
  }

  /**
   * 1/true/yes/on are true; 0/false/no/off and unset are false; anything else is a mistake.
   *
   * @param values settings by name
   * @param name the flag's key, e.g. {@code HALCYON_NO_BUILD}
   * @return the flag's value; false when unset or blank
   * @throws InvalidSettingException naming the flag, if its value is none of the words above
   */
  public static boolean flag(Map<String, String> values, String name) {
    Optional<String> v = string(values, name);
    if (v.isEmpty()) {
      return false;
    }
    return switch (v.get().toLowerCase(Locale.ROOT)) {
      case "1", "true", "yes", "on" -> true;
      case "0", "false", "no", "off" -> false;
      default ->
          throw new InvalidSettingException(
              name,
              name + " must be 1, true, yes or on, or 0, false, no or off, got '" + v.get() + "'");
    };
  }

  /**
   * Bytes, or a number with {@code k}, {@code m}, {@code g}, {@code t} (powers of 1024).
   *
   * @param text e.g. {@code 2g}, {@code 500m}, {@code 500MiB} or {@code 1048576}; case does not
   *     matter
   * @param name the setting's key, for the message
   * @return the size in bytes
   * @throws InvalidSettingException naming the setting, if {@code text} is not a size or overflows
   *     a {@code long}
   */
  public static long size(String text, String name) {
    Matcher m = SIZE.matcher(text.toLowerCase(Locale.ROOT));
    if (m.matches()) {
      int shift = m.group(2) == null ? 0 : "_kmgt".indexOf(m.group(2)) * 10;
      try {
        long n = Long.parseLong(m.group(1));
        if (n <= (Long.MAX_VALUE >> shift)) {
          return n << shift;
        }
      } catch (NumberFormatException tooLong) {
        // reported below
      }
    }
    throw new InvalidSettingException(
        name, name + " must be a size such as 2g, 500m or 1048576 (bytes), got '" + text + "'");
  }

  private static String absolute(String path, String name) {
    if (!path.startsWith("/")) {
      throw new InvalidSettingException(
          name, name + " must be an absolute path such as /app, got '" + path + "'");
    }
    return Path.of(path).normalize().toString();
  }

  private static URI url(String text) {
    try {
      URI uri = new URI(text);
      if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
        throw new IllegalArgumentException("not http(s)");
      }
      return uri;
    } catch (URISyntaxException | IllegalArgumentException e) {
      throw new InvalidSettingException(
          "HALCYON_PUBLIC_STORAGE_URL",
          "HALCYON_PUBLIC_STORAGE_URL must be an http:// or https:// URL, got '" + text + "'",
          e);
    }
  }

  private static String naming(String text) {
    String n = text.toLowerCase(Locale.ROOT);
    if (!n.equals("default") && !n.equals("original")) {
      throw new InvalidSettingException(
          "HALCYON_NAMING",
          "HALCYON_NAMING must be 'default' or 'original' (the original Halcyon's names), got '"
              + text
              + "'");
    }
    return n;
  }

  private static <T> T parse(String text, String name, Function<String, T> parser) {
    try {
      return parser.apply(text);
    } catch (IllegalArgumentException e) {
      throw new InvalidSettingException(name, name + ": " + e.getMessage(), e);
    }
  }
}
