package dev.halcyon.recipe;

import dev.halcyon.layer.Constraints;
import dev.halcyon.layer.LayerKind;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/** Runs {@code .halcyon} hooks as processes, as README's recipe section describes. */
final class Hooks {
  private Hooks() {}

  /** A builder that runs {@code .halcyon/<name>}, or fails saying the hook is needed. */
  static LayerBuilder hook(Path sourceDir, String name, RecipeSettings settings, boolean required) {
    Path hook = sourceDir.resolve(".halcyon").resolve(name);
    return context -> {
      if (!Files.exists(hook)) {
        if (required) {
          throw new HookFailedException(
              "no .halcyon/"
                  + name
                  + " hook in "
                  + sourceDir
                  + ": add an executable that "
                  + purpose(name));
        }
        return;
      }
      if (!Files.isExecutable(hook)) {
        throw new HookFailedException(
            ".halcyon/" + name + " in " + sourceDir + " is not executable: run chmod +x on it");
      }
      run(hook, name, context, settings);
    };
  }

  /** Runs {@code .halcyon/constraints-hook} and reads the {@code name version} lines it prints. */
  static ConstraintsSource constraintsHook(Path sourceDir, RecipeSettings settings) {
    Path hook = sourceDir.resolve(".halcyon").resolve(CONSTRAINTS_HOOK);
    return context -> {
      if (!Files.isExecutable(hook)) {
        throw new HookFailedException(
            ".halcyon/"
                + CONSTRAINTS_HOOK
                + " in "
                + sourceDir
                + " is not executable: run chmod +x on it");
      }
      Path out = Files.createTempFile(context.layerDir(), "constraints", ".txt");
      run(hook, CONSTRAINTS_HOOK, context, settings, Optional.of(out));
      String text = Files.readString(out, StandardCharsets.UTF_8);
      Constraints list;
      try {
        list = Constraints.parse(text);
      } catch (IllegalArgumentException e) {
        throw new HookFailedException(
            ".halcyon/"
                + CONSTRAINTS_HOOK
                + " printed a bad list: "
                + e.getMessage()
                + "; it must print one 'name version' per line");
      }
      if (list.size() == 0) {
        throw new HookFailedException(
            ".halcyon/"
                + CONSTRAINTS_HOOK
                + " printed no 'name version' lines; the dependencies layer is named after them,"
                + " so print at least one (or remove the hook)");
      }
      return list;
    };
  }

  /** The file name of the hook that prints the constraints. */
  static final String CONSTRAINTS_HOOK = "constraints-hook";

  private static String purpose(String name) {
    return switch (name) {
      case "build" -> "builds the app in $1 (a copy of the source tree)";
      case "install" -> "copies what must be installed into $1 (it becomes ROOT/PREFIX)";
      default -> "fills $1";
    };
  }

  private static void run(Path hook, String name, BuildContext context, RecipeSettings settings)
      throws IOException, InterruptedException {
    run(hook, name, context, settings, Optional.empty());
  }

  /** Runs the hook; its standard output goes to {@code stdout} when given (stderr to the log). */
  private static void run(
      Path hook, String name, BuildContext context, RecipeSettings settings, Optional<Path> stdout)
      throws IOException, InterruptedException {
    ProcessBuilder pb =
        new ProcessBuilder(hook.toAbsolutePath().toString(), context.layerDir().toString());
    pb.directory(context.layerDir().toFile());
    if (stdout.isPresent()) {
      pb.redirectOutput(stdout.get().toFile());
    } else {
      pb.redirectErrorStream(true);
    }
    pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    Map<String, String> env = pb.environment();
    env.put("HALCYON_LAYER_DIR", context.layerDir().toString());
    env.put("HALCYON_SOURCE_DIR", context.sourceDir().toString());
    env.put("HALCYON_LABEL", context.tag().label());
    env.put("HALCYON_TOOLCHAIN", context.tag().toolchain());
    env.put("HALCYON_PLATFORM", context.tag().platform());
    env.put("HALCYON_PREFIX", settings.prefix());
    env.put("HALCYON_ROOT", settings.root().toString());
    putDir(env, "HALCYON_TOOLCHAIN_DIR", context, LayerKind.TOOLCHAIN);
    putDir(env, "HALCYON_DEPENDENCIES_DIR", context, LayerKind.DEPENDENCIES);
    putDir(env, "HALCYON_BUILD_DIR", context, LayerKind.BUILD);
    if (context.tag().kind() == LayerKind.INSTALL) {
      env.put("HALCYON_INSTALL_DIR", context.layerDir().toString());
    }
    Process process;
    try {
      process = pb.start();
    } catch (IOException e) {
      throw new HookFailedException(
          ".halcyon/" + name + " could not be started (" + e.getMessage() + "); check its #! line",
          e);
    }
    try (InputStream out =
        stdout.isPresent() ? process.getErrorStream() : process.getInputStream()) {
      copy(out, settings.hookOutput());
    } finally {
      if (process.isAlive()) {
        process.destroyForcibly();
      }
    }
    int status = process.waitFor();
    if (status != 0) {
      throw new HookFailedException(
          ".halcyon/"
              + name
              + " failed with exit status "
              + status
              + " (in "
              + context.layerDir()
              + ")"
              + (stdout.isPresent()
                  ? "; the dependencies layer is named after its output, so nothing was restored"
                      + " or built under a guessed name: make it work here (it runs with the"
                      + " toolchain layer in $HALCYON_TOOLCHAIN_DIR, and may need the network)"
                  : "; fix it")
              + " and run again");
    }
  }

  private static void putDir(
      Map<String, String> env, String name, BuildContext context, LayerKind kind) {
    context.dir(kind).ifPresentOrElse(d -> env.put(name, d.toString()), () -> env.remove(name));
  }

  private static void copy(InputStream in, OutputStream out) throws IOException {
    byte[] buf = new byte[8192];
    int n;
    while ((n = in.read(buf)) >= 0) {
      out.write(buf, 0, n);
      out.flush();
    }
  }
}
