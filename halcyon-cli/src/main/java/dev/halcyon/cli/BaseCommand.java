package dev.halcyon.cli;

import java.io.PrintStream;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ParentCommand;

/**
 * What every subcommand shares: the parent's streams and environment, and the settings of the
 * option groups it takes (see {@link SettingsOptions}).
 */
abstract class BaseCommand implements Callable<Integer> {
  /** Help's heading order of the option groups. */
  static final int RECIPE = 10;

  static final int STORAGE = 20;
  static final int S3 = 30;
  static final int BUILD = 40;
  static final int RETENTION = 50;
  static final int OUTPUT = 60;

  @ParentCommand HalcyonCommand parent;

  /**
   * The setting groups this command takes; an element is null when none of its options is given.
   */
  abstract SettingsOptions.Group[] groups();

  /** Whether {@code --verbose} was given. */
  abstract boolean verbose();

  /** Whether {@code --json} was given (false for commands without it). */
  boolean json() {
    return false;
  }

  /** Where the human lines go: standard error under {@code --json}, else standard output. */
  PrintStream human() {
    return json() ? parent.err : parent.out;
  }

  /** The environment with this command's options laid over it. */
  Map<String, String> values() {
    return SettingsOptions.overlay(parent.env, groups());
  }

  Session session() {
    // How the S3 store adapted to its service (a fallback), one line each, on stderr.
    return Session.open(values(), line -> parent.err.println("       note: " + line));
  }
}
