package dev.halcyon.cli;

import dev.halcyon.engine.BuildForbiddenException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
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
    description = "Build an app once, deploy it everywhere in seconds, with nothing shared but a bucket.",
    subcommands = {
      InstallCommand.class,
      BuildCommand.class,
      LabelCommand.class,
      TagCommand.class,
      PathsCommand.class,
      LsCommand.class,
      GcCommand.class,
      ExplainCommand.class
    },
    footer = {
      "",
      "Exit status: 0 success, 1 error, 2 build required but forbidden (HALCYON_NO_BUILD).",
      "Every option has a HALCYON_* variable; the option wins over the variable."
    })
final class HalcyonCommand implements Runnable {
  static final int OK = 0;
  static final int ERROR = 1;
  static final int BUILD_FORBIDDEN = 2;

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
    new CommandLine(this).usage(out);
  }

  /** Runs the command line and returns the exit status. */
  static int execute(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
    HalcyonCommand root = new HalcyonCommand(env, out, err);
    CommandLine cl = new CommandLine(root);
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    cl.setParameterExceptionHandler(
        (ex, badArgs) -> {
          err.println("halcyon: " + oneLine(ex.getMessage()) + " (see 'halcyon --help')");
          return ERROR;
        });
    cl.setExecutionExceptionHandler(
        (ex, commandLine, parseResult) -> {
          boolean verbose = parseResult.subcommand() != null && parseResult.subcommand().hasMatchedOption("--verbose");
          String message = Redaction.redact(describe(ex), env);
          err.println("halcyon: " + message);
          if (verbose) {
            ex.printStackTrace(new PrintStream(new Redaction.RedactingStream(err, env), true));
          }
          return ex instanceof BuildForbiddenException ? BUILD_FORBIDDEN : ERROR;
        });
    return cl.execute(args);
  }

  private static String describe(Throwable ex) {
    if (ex instanceof BuildForbiddenException) {
      return oneLine(ex.getMessage());
    }
    String message = ex.getMessage();
    if (message == null || message.isBlank() || !(ex instanceof IOException || ex instanceof IllegalArgumentException || ex instanceof IllegalStateException)) {
      message = ex.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }
    if (ex instanceof java.nio.file.AccessDeniedException a) {
      message = "permission denied: " + a.getFile() + "; choose a writable directory or run as a user who may write there";
    } else if (ex instanceof java.nio.file.NoSuchFileException n) {
      message = "no such file or directory: " + n.getFile();
    }
    return "error: " + oneLine(message);
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
