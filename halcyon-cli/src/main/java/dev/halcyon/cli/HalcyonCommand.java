package dev.halcyon.cli;

import dev.halcyon.engine.BuildForbiddenException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code halcyon} command: the table of subcommands, the command line built from it, and the
 * exit status of a run. Error lines come from {@link ErrorLines}, runs that need no parsing from
 * {@link FastPath}.
 */
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
   * every option, lambdas, pattern compilation) of the one subcommand it runs, not of all ten:
   * every registered subcommand's model is built before any work starts, and deploy scripts wait on
   * that start-up (see "Why these start-up choices" in BENCHMARKS.md).
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
    m.put("help", CommandLine.HelpCommand.class);
    m.put("completion", CompletionCommand.class);
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
   * argument that is not an option), else, for help, completion, a misspelt or no subcommand, with
   * all of them.
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
    if (only != null && BaseCommand.class.isAssignableFrom(only)) {
      cl.addSubcommand(first, only);
    } else {
      SUBCOMMANDS.forEach(cl::addSubcommand);
    }
    return cl;
  }

  /** Runs the command line and returns the exit status. */
  static int execute(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
    HalcyonCommand root = new HalcyonCommand(env, out, err);
    Integer status = FastPath.runWithoutParsing(args, root);
    if (status != null) {
      return status;
    }
    CommandLine cl = commandLine(root, Arrays.asList(args));
    // The terminal's encoding, as the JVM sees it, like the PrintStreams picocli wraps.
    cl.setOut(new PrintWriter(new OutputStreamWriter(out, Charset.defaultCharset()), true));
    cl.setErr(new PrintWriter(new OutputStreamWriter(err, Charset.defaultCharset()), true));
    cl.setParameterExceptionHandler(
        (ex, badArgs) -> {
          err.println("halcyon: " + ParameterErrors.describe(ex));
          return ERROR;
        });
    cl.setExecutionExceptionHandler(
        (ex, commandLine, parseResult) -> {
          BaseCommand command = commandLine.getCommand() instanceof BaseCommand b ? b : null;
          int exit = failed(ex, command != null && command.verbose(), env, err);
          if (command != null && command.json()) {
            JsonDocuments.print(
                out,
                JsonDocuments.error(
                    commandLine.getCommandName(),
                    exit,
                    Redaction.redact(ErrorLines.describe(ex, env), env)));
          }
          return exit;
        });
    return cl.execute(args);
  }

  /** Reports a failed command in one line (and its stack trace if verbose); the exit status. */
  static int failed(Exception ex, boolean verbose, Map<String, String> env, PrintStream err) {
    String message = Redaction.redact(ErrorLines.describe(ex, env), env);
    err.println("halcyon: " + message);
    if (verbose) {
      ex.printStackTrace(new PrintStream(new Redaction.RedactingStream(err, env), true));
    }
    return ex instanceof BuildForbiddenException ? BUILD_FORBIDDEN : ERROR;
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
