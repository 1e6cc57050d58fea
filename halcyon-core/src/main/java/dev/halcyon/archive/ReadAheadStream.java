package dev.halcyon.archive;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Reads {@code source} on a thread of its own into a few fixed buffers, so that decompressing (the
 * source is the codec) overlaps what the reader does with the bytes (parsing tar headers, creating
 * files). The reader sees exactly the bytes and the failures the source produced, in order: an
 * {@link IOException}, {@link RuntimeException} or {@link Error} thrown by the source is rethrown,
 * the same object, by the {@code read} that reaches that point of the stream.
 *
 * <p>Memory is bounded: at most {@link #BUFFERS} buffers of up to {@link #BUFFER_SIZE} bytes, made
 * as needed and recycled. Closing stops the thread and waits for it (so the source is never used by
 * two threads, and no thread outlives the stream), then closes the source. An interrupt of the
 * reader while it waits for bytes fails the read with {@link InterruptedIOException} and keeps the
 * thread's interrupt status.
 *
 * <p>One reader thread; not thread-safe otherwise.
 */
final class ReadAheadStream extends InputStream {
  static final int BUFFER_SIZE = 1 << 20;
  static final int BUFFERS = 4;

  /** The first buffer is smaller: many archives (tags, small layers) fit in it. */
  static final int FIRST_BUFFER_SIZE = 256 * 1024;

  static final String THREAD_NAME = "halcyon-read-ahead";

  /** A filled buffer, the end of the stream ({@code length < 0}), or the source's failure. */
  @SuppressWarnings("ArrayRecordComponent") // a private carrier, never compared or hashed
  private record Chunk(byte[] bytes, int length, Throwable failure) {}

  private final InputStream source;
  private final BlockingQueue<byte[]> free = new ArrayBlockingQueue<>(BUFFERS);
  private final BlockingQueue<Chunk> full = new ArrayBlockingQueue<>(BUFFERS + 1);
  private final Thread thread;
  private volatile boolean closed;
  private int allocated; // by the thread only

  private Chunk current;

  /** A chunk taken from the queue but not used because the reader was interrupted. */
  private Chunk pushedBack;

  private int position;
  private boolean finished;

  /** Starts reading {@code source} at once; the stream owns and closes it. */
  ReadAheadStream(InputStream source) {
    this.source = source;
    thread = new Thread(this::fill, THREAD_NAME);
    thread.setDaemon(true);
    thread.start();
  }

  /** The thread's loop: fill free buffers until the source ends or fails, or the stream closes. */
  private void fill() {
    try {
      while (!closed) {
        byte[] buffer = free.poll();
        if (buffer == null) {
          // Buffers are made as needed, so a small archive costs one.
          buffer =
              allocated == 0
                  ? new byte[FIRST_BUFFER_SIZE]
                  : allocated < BUFFERS ? new byte[BUFFER_SIZE] : free.take();
          allocated++;
        }
        int length = 0;
        Throwable failure = null;
        boolean end = false;
        try {
          while (length < buffer.length) {
            int n = source.read(buffer, length, buffer.length - length);
            if (n < 0) {
              end = true;
              break;
            }
            length += n;
          }
        } catch (IOException | RuntimeException | Error e) {
          failure = e;
        }
        if (length > 0) {
          full.put(new Chunk(buffer, length, null));
        }
        if (failure != null) {
          full.put(new Chunk(null, -1, failure));
          return;
        }
        if (end) {
          full.put(new Chunk(null, -1, null));
          return;
        }
      }
    } catch (InterruptedException e) {
      // Closed while waiting for a free buffer or for room in the queue: stop.
    }
  }

  @Override
  public int read() throws IOException {
    if (!available(1)) {
      return -1;
    }
    return current.bytes()[position++] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    Objects.checkFromIndexSize(off, len, b.length);
    if (len == 0) {
      return 0;
    }
    if (!available(1)) {
      return -1;
    }
    int n = Math.min(len, current.length() - position);
    System.arraycopy(current.bytes(), position, b, off, n);
    position += n;
    return n;
  }

  @Override
  public long skip(long n) throws IOException {
    long skipped = 0;
    while (skipped < n && available(1)) {
      int step = (int) Math.min(n - skipped, current.length() - position);
      position += step;
      skipped += step;
    }
    return skipped;
  }

  @Override
  public int available() {
    return current == null ? 0 : current.length() - position;
  }

  /** Makes at least one byte of {@link #current} readable; false at the end of the stream. */
  private boolean available(int wanted) throws IOException {
    if (closed) {
      throw new IOException("stream closed");
    }
    while (current == null || position + wanted > current.length()) {
      if (finished) {
        return false;
      }
      if (current != null) {
        free.add(current.bytes());
        current = null;
      }
      Chunk next = pushedBack;
      pushedBack = null;
      if (next == null) {
        try {
          next = full.take();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw interrupted();
        }
        if (Thread.currentThread().isInterrupted()) {
          // Interrupted while waiting, but the bytes came first (take() then returns them and
          // keeps the status): fail as promised rather than carry on interrupted, where the next
          // file write would fail with a ClosedByInterruptException. Kept for a later read.
          pushedBack = next;
          throw interrupted();
        }
      }
      if (next.length() < 0) {
        finished = true;
        if (next.failure() != null) {
          throw rethrow(next.failure());
        }
        return false;
      }
      current = next;
      position = 0;
    }
    return true;
  }

  private static InterruptedIOException interrupted() {
    return new InterruptedIOException("interrupted while waiting for the archive's bytes");
  }

  private static IOException rethrow(Throwable failure) {
    if (failure instanceof IOException e) {
      return e;
    }
    if (failure instanceof RuntimeException e) {
      throw e;
    }
    throw (Error) failure;
  }

  /** Stops the thread, waits for it, and closes the source. */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    thread.interrupt();
    boolean interrupted = false;
    while (true) {
      try {
        thread.join();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    full.clear();
    current = null;
    pushedBack = null;
    source.close();
  }
}
