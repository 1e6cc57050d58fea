package dev.halcyon.store;

import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;

/**
 * An input stream whose subclasses implement only the bulk {@link #read(byte[], int, int)}; the
 * single-byte {@link #read()} goes through it, so the two cannot disagree about what a byte is or
 * when the stream ends. A base for the streams a {@link LayerStore} hands out.
 *
 * <p>Not thread-safe, as its subclasses are not.
 */
public abstract class BulkReadInputStream extends InputStream {
  /** For subclasses. */
  protected BulkReadInputStream() {}

  @Override
  public final int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public abstract int read(byte[] b, int off, int len) throws IOException;

  /**
   * A {@link BulkReadInputStream} that keeps its own closed state: the arguments of a read are
   * checked first, a read after {@link #close()} fails with "stream closed", a zero-length read
   * returns 0 without touching the source, and {@link #closeOnce()} runs on the first close only.
   */
  public abstract static class Guarded extends BulkReadInputStream {
    private boolean closed;

    /** For subclasses. */
    protected Guarded() {}

    @Override
    public final int read(byte[] b, int off, int len) throws IOException {
      Objects.checkFromIndexSize(off, len, b.length);
      if (closed) {
        throw new IOException("stream closed");
      }
      if (len == 0) {
        return 0;
      }
      return readOpen(b, off, len);
    }

    @Override
    public final void close() throws IOException {
      if (closed) {
        return;
      }
      closed = true;
      closeOnce();
    }

    /**
     * A read of at least one byte on a stream not yet closed; arguments already checked.
     *
     * @param b the buffer to fill
     * @param off where in {@code b} the bytes go
     * @param len at least 1, and {@code off + len} within {@code b}
     * @return the number of bytes read (at least 1), or -1 at the end of the stream
     * @throws IOException if the underlying read fails; {@link #read(byte[], int, int)} throws it
     *     on
     */
    protected abstract int readOpen(byte[] b, int off, int len) throws IOException;

    /**
     * Releases what the stream holds; called once, by the first {@link #close()}.
     *
     * @throws IOException if releasing fails; {@link #close()} passes it on, and does not call this
     *     again
     */
    protected abstract void closeOnce() throws IOException;
  }
}
