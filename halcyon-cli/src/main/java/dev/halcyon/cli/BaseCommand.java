package dev.halcyon.cli;

import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** What every subcommand shares: the settings options, --verbose, and the parent's streams. */
abstract class BaseCommand implements Callable<Integer> {
  @ParentCommand HalcyonCommand parent;

  @Mixin SettingsOptions settings;

  @Option(
      names = {"-v", "--verbose", "--stacktrace"},
      description = "Show more detail, and a stack trace on errors.")
  boolean verbose;

  /** The environment with this command's options laid over it. */
  Map<String, String> values() {
    return settings.overlay(parent.env);
  }

  Session session() {
    // How the S3 store adapted to its service (a fallback), one line each, on stderr.
    return Session.open(values(), line -> parent.err.println("       note: " + line));
  }
}
