package dev.halcyon.engine;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Counts bytes, reports progress, and can read the rest of the stream. Does not close the stream it
 * wraps: the {@code StoredObject} it came from owns it.
 */
final class CountingInputStream extends FilterInputStream {
  private static final long REPORT_EVERY = 4 << 20;
  private final String key;
  private final long total;
  private final EngineListener listener;
  private long count;
  private long reported;

  CountingInputStream(InputStream in, String key, long total, EngineListener listener) {
    super(in);
    this.key = key;
    this.total = total;
    this.listener = listener;
  }

  @Override
  public int read() throws IOException {
    int b = super.read();
    if (b >= 0) {
      advance(1);
    }
    return b;
  }

  @Override
  public int read(byte[] buf, int off, int len) throws IOException {
    int n = super.read(buf, off, len);
    if (n > 0) {
      advance(n);
    }
    return n;
  }

  @Override
  public void close() {
    // the StoredObject owns and closes the underlying stream
  }

  private void advance(long n) {
    count += n;
    if (count - reported >= REPORT_EVERY || count == total) {
      reported = count;
      listener.progress(new Progress(Progress.Phase.DOWNLOADING, key, count, Math.max(-1, total)));
    }
  }

  long count() {
    return count;
  }

  void drain() throws IOException {
    byte[] buf = new byte[1 << 16];
    while (read(buf, 0, buf.length) >= 0) {
      // keep reading: end of stream triggers verification
    }
  }
}
