package dev.halcyon.cli;

import java.nio.file.Path;
import picocli.CommandLine.Parameters;

/** A subcommand that works on one app's source tree. */
abstract class AppCommand extends BaseCommand {
  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "APP",
      description = "The app's source directory (default: the current directory).")
  Path app = Path.of(".");

  Path appDir() {
    return app.toAbsolutePath().normalize();
  }
}
