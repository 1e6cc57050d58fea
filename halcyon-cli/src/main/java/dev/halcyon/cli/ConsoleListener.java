package dev.halcyon.cli;

import dev.halcyon.engine.EngineListener;
import dev.halcyon.engine.LayerOutcome;
import dev.halcyon.engine.Progress;
import dev.halcyon.layer.LayerKind;
import java.io.Console;
import java.io.PrintStream;
import java.util.Locale;

/**
 * Prints what the engine does as it does it: a line per step and per layer ({@link RunLines#layer},
 * from the same {@link LayerOutcome} the run's report lists), and on a terminal a progress line for
 * transfers and for hashing a large source tree.
 */
final class ConsoleListener implements EngineListener {
  private final PrintStream err;
  private final boolean verbose;
  private final boolean terminal;

  /**
   * Bytes of source content hashed between two hashing lines; a tree with less content shows no
   * hashing line at all.
   */
  static final long HASHING_STEP = 8L << 20;

  private boolean progressShown;
  private long hashingShownAt;
  private boolean archivingShown;
  private String archivingKey;
  private long sentWhileArchiving;

  /**
   * Whether standard output is a terminal. From JDK 22 on {@code System.console()} is never null,
   * so there the console's own {@code isTerminal()} answers (called reflectively: we compile for
   * 17).
   */
  @SuppressWarnings("SystemConsoleNull") // null before JDK 22; isTerminal() answers from 22 on
  static boolean onTerminal() {
    Console console = System.console();
    if (console == null) {
      return false;
    }
    try {
      return (Boolean) Console.class.getMethod("isTerminal").invoke(console);
    } catch (ReflectiveOperationException e) {
      return true; // before JDK 22 a console exists only on a terminal
    }
  }

  ConsoleListener(PrintStream err, boolean verbose, boolean terminal) {
    this.err = err;
    this.verbose = verbose;
    this.terminal = terminal;
  }

  @Override
  public synchronized void step(String message) {
    clearProgress();
    err.println("       " + message);
  }

  @Override
  public synchronized void layerStarted(LayerKind kind) {
    if (verbose) {
      clearProgress();
      err.println("-----> " + kind.id() + " layer");
    }
  }

  @Override
  public synchronized void layerReady(LayerOutcome o) {
    clearProgress();
    err.println(RunLines.layer(o));
  }

  /**
   * Hashing a source tree shows a progress line every {@link #HASHING_STEP} bytes, then its total;
   * archiving shows the archive's bytes written as the engine reports them (every 8 MiB), then its
   * size; uploads and downloads go on to {@link #transferred}, as {@link EngineListener#progress}
   * does.
   */
  @Override
  public synchronized void progress(Progress progress) {
    switch (progress.phase()) {
      case HASHING -> hashing(progress);
      case ARCHIVING -> archiving(progress);
      default -> EngineListener.super.progress(progress);
    }
  }

  private void hashing(Progress progress) {
    if (!terminal) {
      return;
    }
    boolean last = progress.done() == progress.total();
    if (last) {
      if (hashingShownAt > 0) {
        err.print("\r       hashed source: " + RunLines.bytes(progress.done()) + "   ");
        progressShown = true;
        clearProgress();
      }
      hashingShownAt = 0;
    } else if (progress.done() - hashingShownAt >= HASHING_STEP) {
      err.print("\r       hashing source: " + RunLines.bytes(progress.done()) + "   ");
      progressShown = true;
      hashingShownAt = progress.done();
    }
  }

  /**
   * Intermediate events have no total (the archive's size is known at its end). An upload of the
   * same archive that overlaps the writing shares its line: {@code archiving: 120.0 MB written,
   * 96.0 MB sent}.
   */
  private void archiving(Progress progress) {
    if (!terminal) {
      return;
    }
    if (progress.done() == progress.total()) {
      if (archivingShown) {
        err.print("\r       archived: " + RunLines.bytes(progress.done()) + "   ");
        progressShown = true;
        clearProgress();
      }
      archivingShown = false;
      archivingKey = null;
    } else if (progress.done() == 0) {
      archivingKey = progress.key();
      sentWhileArchiving = 0;
    } else {
      archivingKey = progress.key();
      err.print(
          "\r       archiving: "
              + RunLines.bytes(progress.done())
              + " written"
              + (sentWhileArchiving > 0 ? ", " + RunLines.bytes(sentWhileArchiving) + " sent" : "")
              + "   ");
      progressShown = true;
      archivingShown = true;
    }
  }

  @Override
  public synchronized void transferred(String key, long done, long total) {
    if (!terminal) {
      return;
    }
    if (key.equals(archivingKey)) {
      sentWhileArchiving = done;
      return; // shown on the archiving line
    }
    String name = key.substring(key.lastIndexOf('/') + 1);
    String pct = total > 0 ? String.format(Locale.ROOT, "%3d%%", done * 100 / total) : "";
    err.print(
        "\r       "
            + name
            + " "
            + pct
            + " "
            + RunLines.bytes(done)
            + (total > 0 ? " of " + RunLines.bytes(total) : "")
            + "   ");
    progressShown = true;
  }

  @Override
  public synchronized void warning(String message) {
    clearProgress();
    err.println("   *** WARNING: " + message);
  }

  private void clearProgress() {
    if (progressShown) {
      err.println();
      progressShown = false;
    }
  }
}
