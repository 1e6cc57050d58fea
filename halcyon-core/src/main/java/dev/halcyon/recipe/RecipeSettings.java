package dev.halcyon.recipe;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.io.OutputStream;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The run's settings that shape an app's layer identities and its hooks' environment.
 *
 * @param platform the platform id, e.g. {@code linux-debian-12-x86_64}
 * @param prefix where the app is installed on every machine (an absolute path); part of the install
 *     layer's identity
 * @param root the directory the prefix is installed under ({@code /} in production)
 * @param label overrides {@code .halcyon/label} and inference, when present
 * @param toolchain overrides {@code .halcyon/toolchain}, when present
 * @param hookOutput where hooks' standard output and error go (not closed)
 */
public record RecipeSettings(
    String platform,
    String prefix,
    Path root,
    Optional<String> label,
    Optional<String> toolchain,
    OutputStream hookOutput) {
  /**
   * Checks the settings.
   *
   * @param platform the platform id
   * @param prefix an absolute path, starting with {@code /}
   * @param root the directory the prefix is installed under
   * @param label overrides the app's label, when present
   * @param toolchain overrides the app's toolchain, when present
   * @param hookOutput where hooks' output goes; not closed
   * @throws IllegalArgumentException if {@code prefix} is not absolute
   */
  public RecipeSettings {
    checkNotNull(platform, "platform");
    checkNotNull(prefix, "prefix");
    checkArgument(
        prefix.startsWith("/"), "HALCYON_PREFIX must be an absolute path, got '%s'", prefix);
    checkNotNull(root, "root");
    checkNotNull(label, "label");
    checkNotNull(toolchain, "toolchain");
    checkNotNull(hookOutput, "hookOutput");
  }

  /**
   * Where the app ends up: {@code root} + {@code prefix}.
   *
   * @return the absolute, normalized install directory, e.g. {@code /app} for root {@code /} and
   *     prefix {@code /app}
   */
  public Path installDir() {
    return root.resolve(prefix.substring(1)).toAbsolutePath().normalize();
  }
}
