package dev.halcyon.engine;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Passes bytes through to an archive file and reports how many have gone by, as {@link
 * Progress.Phase#ARCHIVING} events with an unknown total, every {@link #STEP} bytes. Confined to
 * the writing thread; the listener must not block (its contract).
 */
final class ProgressOutputStream extends FilterOutputStream {
  /** Bytes between two events: a few dozen events for a few hundred megabytes. */
  static final long STEP = 8L << 20;

  private final EngineListener listener;
  private final String key;
  private long done;
  private long next = STEP;

  ProgressOutputStream(OutputStream out, EngineListener listener, String key) {
    super(out);
    this.listener = listener;
    this.key = key;
  }

  @Override
  public void write(int b) throws IOException {
    out.write(b);
    advance(1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    out.write(b, off, len);
    advance(len);
  }

  private void advance(long n) {
    done += n;
    if (done >= next) {
      next = done + STEP;
      listener.progress(new Progress(Progress.Phase.ARCHIVING, key, done, -1));
    }
  }
}
