package dev.halcyon.cli;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** Keeps secrets out of anything the CLI prints, as a last line of defence. */
final class Redaction {
  private static final List<String> SECRETS =
      List.of("HALCYON_AWS_SECRET_ACCESS_KEY", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN");

  private Redaction() {}

  static String redact(String text, Map<String, String> env) {
    String out = text;
    for (String name : SECRETS) {
      String secret = env.get(name);
      if (secret != null && secret.length() >= 4) {
        out = out.replace(secret, "****");
      }
    }
    return out;
  }

  /** A stream that redacts each line written through it (for stack traces). */
  static final class RedactingStream extends OutputStream {
    private final PrintStream target;
    private final Map<String, String> env;
    private final StringBuilder line = new StringBuilder();

    RedactingStream(PrintStream target, Map<String, String> env) {
      this.target = target;
      this.env = env;
    }

    @Override
    public void write(int b) {
      if (b == '\n') {
        target.println(redact(line.toString(), env));
        line.setLength(0);
      } else {
        line.append((char) b);
      }
    }

    @Override
    public void write(byte[] b, int off, int len) {
      String s = new String(b, off, len, StandardCharsets.UTF_8);
      for (int i = 0; i < s.length(); i++) {
        write(s.charAt(i));
      }
    }
  }
}
