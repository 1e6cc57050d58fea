package dev.halcyon.recipe;

import dev.halcyon.layer.LayerKind;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

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

  private static String purpose(String name) {
    return switch (name) {
      case "build" -> "builds the app in $1 (a copy of the source tree)";
      case "install" -> "copies what must be installed into $1 (it becomes ROOT/PREFIX)";
      default -> "fills $1";
    };
  }

  private static void run(Path hook, String name, BuildContext context, RecipeSettings settings)
      throws IOException, InterruptedException {
    ProcessBuilder pb =
        new ProcessBuilder(hook.toAbsolutePath().toString(), context.layerDir().toString());
    pb.directory(context.layerDir().toFile());
    pb.redirectErrorStream(true);
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
    try (InputStream out = process.getInputStream()) {
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
              + "); fix it and run again");
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
