package dev.halcyon.cli;

import dev.halcyon.engine.BuildForbiddenException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code halcyon} command: subcommands, exit codes and error lines. */
@Command(
    name = "halcyon",
    mixinStandardHelpOptions = true,
    scope = CommandLine.ScopeType.INHERIT,
    versionProvider = HalcyonCommand.Version.class,
    description =
        "Build an app once, deploy it everywhere in seconds, with nothing shared but a bucket.",
    footer = {
      "",
      "Exit status: 0 success, 1 error, 2 build required but forbidden (HALCYON_NO_BUILD).",
      "Every option has a HALCYON_* variable; the option wins over the variable."
    })
final class HalcyonCommand implements Runnable {
  static final int OK = 0;
  static final int ERROR = 1;
  static final int BUILD_FORBIDDEN = 2;

  /**
   * The subcommands by name, in the order help lists them. They are added to the command line here
   * rather than in {@code @Command(subcommands)}, so that a run builds the model (reflection over
   * every option, lambdas, pattern compilation) of the one subcommand it runs, not of all eight:
   * about a third of the start-up of a run that has nothing to do.
   */
  static final Map<String, Class<?>> SUBCOMMANDS = subcommands();

  private static Map<String, Class<?>> subcommands() {
    Map<String, Class<?>> m = new LinkedHashMap<>();
    m.put("install", InstallCommand.class);
    m.put("build", BuildCommand.class);
    m.put("label", LabelCommand.class);
    m.put("tag", TagCommand.class);
    m.put("paths", PathsCommand.class);
    m.put("ls", LsCommand.class);
    m.put("gc", GcCommand.class);
    m.put("explain", ExplainCommand.class);
    return Collections.unmodifiableMap(m);
  }

  final Map<String, String> env;
  final PrintStream out;
  final PrintStream err;

  HalcyonCommand(Map<String, String> env, PrintStream out, PrintStream err) {
    this.env = env;
    this.out = out;
    this.err = err;
  }

  @Override
  public void run() {
    commandLine(this, List.of()).usage(out);
  }

  /**
   * The command line for {@code args}: with only the subcommand that {@code args} names (the first
   * argument that is not an option), else, for help, a misspelt or no subcommand, with all of them.
   */
  static CommandLine commandLine(HalcyonCommand root, List<String> args) {
    CommandLine cl = new CommandLine(root);
    String first = null;
    for (String a : args) {
      if (!a.startsWith("-")) {
        first = a;
        break;
      }
    }
    Class<?> only = first == null ? null : SUBCOMMANDS.get(first);
    if (only != null) {
      cl.addSubcommand(first, only);
    } else {
      SUBCOMMANDS.forEach(cl::addSubcommand);
    }
    return cl;
  }

  /** Runs the command line and returns the exit status. */
  static int execute(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
    HalcyonCommand root = new HalcyonCommand(env, out, err);
    Integer status = runWithoutParsing(args, root);
    if (status != null) {
      return status;
    }
    CommandLine cl = commandLine(root, Arrays.asList(args));
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    cl.setParameterExceptionHandler(
        (ex, badArgs) -> {
          err.println("halcyon: " + oneLine(ex.getMessage()) + " (see 'halcyon --help')");
          return ERROR;
        });
    cl.setExecutionExceptionHandler(
        (ex, commandLine, parseResult) ->
            failed(
                ex,
                parseResult.subcommand() != null
                    && parseResult.subcommand().hasMatchedOption("--verbose"),
                env,
                err));
    return cl.execute(args);
  }

  /**
   * Runs {@code halcyon COMMAND [APP]} without picocli when that is all the arguments say (no
   * option, no {@code @file}, at most one app directory), which is how deploy scripts and CI jobs
   * call it; returns null for anything else. Building picocli's model of a subcommand (its 30
   * options read by reflection through annotation proxies, converters registered, help sections)
   * took more CPU than the rest of a run that has nothing to do; the result here is the one picocli
   * would produce: every option unset, APP or the current directory.
   */
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
    Class<?> type = SUBCOMMANDS.get(args[0]);
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
    command.settings = new SettingsOptions();
    try {
      return command.call();
    } catch (Exception ex) {
      return failed(ex, false, root.env, root.err);
    }
  }

  /** Reports a failed command in one line (and its stack trace if verbose); the exit status. */
  private static int failed(
      Exception ex, boolean verbose, Map<String, String> env, PrintStream err) {
    String message = Redaction.redact(describe(ex, env), env);
    err.println("halcyon: " + message);
    if (verbose) {
      ex.printStackTrace(new PrintStream(new Redaction.RedactingStream(err, env), true));
    }
    return ex instanceof BuildForbiddenException ? BUILD_FORBIDDEN : ERROR;
  }

  private static String describe(Throwable ex, Map<String, String> env) {
    if (ex instanceof BuildForbiddenException) {
      return oneLine(ex.getMessage());
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

  private static final List<String> PATH_SETTINGS =
      List.of("HALCYON_ROOT", "HALCYON_BASE", "HALCYON_CACHE", "HALCYON_STORAGE_DIR");

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
        : "make " + best + " (option " + Config.optionFor(best) + ") a writable directory";
  }

  static String oneLine(String s) {
    return s == null ? "" : s.replaceAll("\\s*\\R\\s*", " ").strip();
  }

  /** Reads the version Maven wrote into the jar. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() throws IOException {
      Properties p = new Properties();
      try (InputStream in = HalcyonCommand.class.getResourceAsStream("version.properties")) {
        if (in != null) {
          p.load(in);
        }
      }
      return new String[] {
        "halcyon " + p.getProperty("version", "unknown"),
        "Java " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")"
      };
    }
  }
}
