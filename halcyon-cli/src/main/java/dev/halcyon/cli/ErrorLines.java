package dev.halcyon.cli;

import dev.halcyon.engine.BuildForbiddenException;
import dev.halcyon.layer.LayerKind;
import dev.halcyon.setup.InvalidSettingException;
import dev.halcyon.setup.Settings;
import java.io.IOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Turns the exception that ended a command into the one line a person reads: what failed, where,
 * and which setting to change. Pure functions of the exception and the environment; thread-safe.
 */
final class ErrorLines {
  private static final List<String> PATH_SETTINGS =
      List.of("HALCYON_ROOT", "HALCYON_BASE", "HALCYON_CACHE", "HALCYON_STORAGE_DIR");

  private ErrorLines() {}

  /** The error line for {@code ex}, without the {@code halcyon: } prefix and not yet redacted. */
  static String describe(Throwable ex, Map<String, String> env) {
    if (ex instanceof BuildForbiddenException forbidden) {
      // The engine speaks of building being off; the CLI names the setting that turned it off.
      String setting =
          forbidden.kind() == LayerKind.INSTALL
              ? "HALCYON_NO_BUILD"
              : "HALCYON_NO_BUILD_DEPENDENCIES";
      return oneLine(ex.getMessage()) + " [" + setting + " is set]";
    }
    if (ex instanceof InvalidSettingException bad) {
      // The library names the setting; the CLI adds the option that sets it too.
      return "error: "
          + oneLine(bad.getMessage())
          + " (option "
          + Settings.optionFor(bad.setting())
          + ")";
    }
    String message = ex.getMessage();
    if (message == null
        || message.isBlank()
        || !(ex instanceof IOException
            || ex instanceof IllegalArgumentException
            || ex instanceof IllegalStateException)) {
      message = ex.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }
    if (ex instanceof AccessDeniedException a) {
      message =
          "permission denied: "
              + a.getFile()
              + "; choose a writable directory or run as a user who may write there";
    } else if (ex instanceof NoSuchFileException n) {
      message = "no such file or directory: " + n.getFile();
    } else if (ex instanceof SocketException || ex instanceof SocketTimeoutException) {
      // A bare "Connection reset" says neither where nor what to do.
      message =
          "a network connection failed ("
              + message
              + "); check the way to storage (HALCYON_S3_ENDPOINT, proxies) and run again";
    } else if (ex instanceof FileSystemException f && f.getFile() != null) {
      // A bare "PATH: Not a directory" does not say which setting led there.
      message =
          "cannot use " + f.getFile() + ": " + f.getReason() + "; " + settingHint(f.getFile(), env);
    }
    if (message.contains("No space left on device")) {
      message =
          message
              + "; free disk space, or point HALCYON_ROOT, HALCYON_BASE and HALCYON_CACHE at a disk with room";
    }
    return "error: " + oneLine(message);
  }

  /** {@code s} on one line: every line break, with the blanks around it, becomes one space. */
  static String oneLine(String s) {
    return s == null ? "" : s.replaceAll("\\s*\\R\\s*", " ").strip();
  }

  /** Names the setting whose directory holds {@code file}, so the line says what to change. */
  private static String settingHint(String file, Map<String, String> env) {
    String best = null;
    int bestLength = -1;
    for (String name : PATH_SETTINGS) {
      String value = env.get(name);
      if (value == null || value.isBlank()) {
        continue;
      }
      Path dir = Path.of(value.strip()).toAbsolutePath().normalize();
      if (Path.of(file).toAbsolutePath().normalize().startsWith(dir)
          && dir.toString().length() > bestLength) {
        best = name;
        bestLength = dir.toString().length();
      }
    }
    return best == null
        ? "check that this path is a writable directory"
        : "make " + best + " (option " + Settings.optionFor(best) + ") a writable directory";
  }
}
