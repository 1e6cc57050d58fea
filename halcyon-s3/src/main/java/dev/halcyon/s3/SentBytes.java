package dev.halcyon.s3;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongConsumer;
import software.amazon.awssdk.http.ContentStreamProvider;

/**
 * One file upload's running total of bytes sent, for the caller's {@code sent} callback of {@link
 * dev.halcyon.store.LayerStore#put(String, java.nio.file.Path, dev.halcyon.layer.Digest,
 * dev.halcyon.store.PutMode, LongConsumer)}.
 *
 * <p>Each request body (the whole file, or one part) is counted as the SDK reads it. A body the SDK
 * reads more than once (a retried request, or a signing pass before the send) counts as far as its
 * furthest read, never twice; so the total only rises and never exceeds the file's size. With
 * {@code uncountedReads} 1 the first read of every body is left out: over plain HTTP without {@code
 * aws-chunked} framing the SDK reads a body once to sign it (SHA-256 of the payload) before it
 * sends it, and counting that read would run ahead of the network.
 *
 * <p>Thread-safe: parts report from the store's threads; the callback is called under this object's
 * lock, so calls never overlap and each happens-before the next. After {@link #close} it is never
 * called again.
 */
final class SentBytes {
  private final LongConsumer sent;
  private final long size;
  private final int uncountedReads;
  private final Map<Integer, Long> bodies = new HashMap<>();
  private long total;
  private long told = -1;
  private boolean closed;

  /**
   * @param sent the caller's callback
   * @param size the file's size, which the total never exceeds
   * @param uncountedReads how many reads of each body to leave out (0, or 1 for a signing pass)
   */
  SentBytes(LongConsumer sent, long size, int uncountedReads) {
    this.sent = sent;
    this.size = size;
    this.uncountedReads = uncountedReads;
  }

  /**
   * The body of part {@code part} (0 for a single request), {@code length} bytes, counted as the
   * SDK reads each of the streams it asks for.
   */
  ContentStreamProvider counting(int part, long length, ContentStreamProvider body) {
    return new ContentStreamProvider() {
      private int reads;

      @Override
      public InputStream newStream() {
        InputStream in = body.newStream();
        synchronized (this) {
          if (reads++ < uncountedReads) {
            return in;
          }
        }
        return new Counted(in, part, length);
      }

      @Override
      public String name() {
        return body.name();
      }
    };
  }

  /** Part {@code part} (its whole body) was sent: the service answered it. */
  synchronized void partSent(int part, long length) {
    reached(part, length);
  }

  /** The upload is done, or found unneeded: the last call, with the file's size. */
  synchronized void finished() {
    finished(size);
  }

  /**
   * As {@link #finished()}, for a file whose size became known only at its end (created with {@link
   * Long#MAX_VALUE} as its size): the last call, with {@code actualSize}.
   */
  synchronized void finished(long actualSize) {
    if (!closed && told != actualSize) {
      told = actualSize;
      sent.accept(actualSize);
    }
    closed = true;
  }

  /** No more calls, whatever parts still report. */
  synchronized void close() {
    closed = true;
  }

  private synchronized void reached(int part, long bytes) {
    if (closed) {
      return;
    }
    long before = bodies.getOrDefault(part, 0L);
    if (bytes <= before) {
      return;
    }
    bodies.put(part, bytes);
    total = Math.min(size, total + bytes - before);
    if (total > told) {
      told = total;
      sent.accept(total);
    }
  }

  /** One read of one body. Not thread-safe: the SDK reads a stream from one thread. */
  private final class Counted extends FilterInputStream {
    private final int part;
    private final long length;
    private long count;

    Counted(InputStream in, int part, long length) {
      super(in);
      this.part = part;
      this.length = length;
    }

    @Override
    public int read() throws IOException {
      int b = in.read();
      if (b >= 0) {
        reached(part, Math.min(length, ++count));
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = in.read(b, off, len);
      if (n > 0) {
        count += n;
        reached(part, Math.min(length, count));
      }
      return n;
    }

    /** No mark and reset: bytes read again after a reset would be counted twice. */
    @Override
    public boolean markSupported() {
      return false;
    }
  }
}
