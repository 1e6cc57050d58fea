package dev.halcyon.cli;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * Runs {@code halcyon COMMAND [APP]} without picocli when that is all the arguments say (no option,
 * no {@code @file}, at most one app directory), which is how deploy scripts and CI jobs call it.
 * Building picocli's model of a subcommand (its options read by reflection through annotation
 * proxies, converters registered, help sections) is costly next to a run that has nothing to do;
 * the result here is the one picocli would produce: every option unset, APP or the current
 * directory. Stateless; thread-safe.
 */
final class FastPath {
  private FastPath() {}

  /** The exit status of running {@code args} directly, or null to leave them to picocli. */
  static Integer runWithoutParsing(String[] args, HalcyonCommand root) {
    if (args.length == 0 || args.length > 2) {
      return null;
    }
    for (String a : args) {
      if (a.isEmpty() || a.startsWith("-") || a.startsWith("@")) {
        return null;
      }
    }
    // The one table of subcommands; options, ls and gc are left to picocli.
    Class<?> type = HalcyonCommand.SUBCOMMANDS.get(args[0]);
    if (type == null || !AppCommand.class.isAssignableFrom(type)) {
      return null;
    }
    AppCommand command;
    try {
      command = (AppCommand) type.getDeclaredConstructor().newInstance();
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot create the " + args[0] + " command", e);
    }
    if (args.length == 2) {
      try {
        command.app = Path.of(args[1]);
      } catch (InvalidPathException e) {
        return null; // picocli reports it
      }
    }
    command.parent = root;
    try {
      return command.call();
    } catch (Exception ex) {
      return HalcyonCommand.failed(ex, false, root.env, root.err);
    }
  }
}
