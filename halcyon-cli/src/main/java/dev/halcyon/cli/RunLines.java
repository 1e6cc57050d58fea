package dev.halcyon.cli;

import dev.halcyon.engine.DeltaPlan;
import dev.halcyon.engine.LayerOutcome;
import dev.halcyon.engine.RunReport;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The human lines of {@code install} and {@code build}, rendered from the engine's values alone: a
 * layer's line from its {@link LayerOutcome} (as the listener hears it, and as the {@link
 * RunReport} lists it) and the closing line from the {@link RunReport}. Stateless.
 */
final class RunLines {
  private RunLines() {}

  /** {@code -----> dependencies cache 4.2 MB 0.31 s KEY}, or a delta restore's counts. */
  static String layer(LayerOutcome o) {
    if (o.delta().isPresent()) {
      DeltaPlan d = o.delta().get();
      return String.format(
          Locale.ROOT,
          "-----> %-12s %-8s %s of %s fetched, %,d of %,d files reused %7.2f s  %s",
          o.tag().kind().id(),
          "delta",
          bytes(d.bytesFetched()),
          bytes(d.archiveBytes()),
          d.reused(),
          d.files(),
          o.took().toMillis() / 1000.0,
          o.key());
    }
    return String.format(
        Locale.ROOT,
        "-----> %-12s %-8s %9s %7.2f s  %s",
        o.tag().kind().id(),
        o.source().name().toLowerCase(Locale.ROOT),
        o.archiveBytes() > 0 ? bytes(o.archiveBytes()) : "-",
        o.took().toMillis() / 1000.0,
        o.key() + o.extendedFrom().map(f -> "  from " + f).orElse(""));
  }

  /** {@code -----> Installed LABEL in DIR (1.23 s)}, or "Already installed". */
  static String installed(String label, RunReport report) {
    return "-----> "
        + (report.alreadyInstalled() ? "Already installed" : "Installed")
        + " "
        + label
        + " in "
        + report.installedAt().map(Path::toString).orElse("(nowhere)")
        + " ("
        + seconds(report.took().toMillis())
        + " s)";
  }

  /** {@code -----> Built LABEL (1.23 s)}. */
  static String built(String label, RunReport report) {
    return "-----> Built " + label + " (" + seconds(report.took().toMillis()) + " s)";
  }

  /**
   * {@code millis} as seconds with two decimals, rounded half up, as {@code %.2f} of {@code millis
   * / 1000.0} prints them in {@link java.util.Locale#ROOT}. Plain arithmetic, not printf: {@link
   * java.util.Formatter} with {@code %.2f} loads the locale and decimal-format machinery, which the
   * fast path of an already installed app should not pay for.
   */
  static String seconds(long millis) {
    long hundredths = (Math.max(0, millis) + 5) / 10;
    long fraction = hundredths % 100;
    return hundredths / 100 + (fraction < 10 ? ".0" : ".") + fraction;
  }

  /** {@code n} bytes for a person: {@code 512 B}, {@code 4.2 MB}. */
  static String bytes(long n) {
    if (n < 1024) {
      return n + " B";
    }
    double v = n;
    String[] units = {"KB", "MB", "GB", "TB"};
    int i = -1;
    while (v >= 1024 && i < units.length - 1) {
      v /= 1024;
      i++;
    }
    return String.format(Locale.ROOT, "%.1f %s", v, units[i]);
  }
}
