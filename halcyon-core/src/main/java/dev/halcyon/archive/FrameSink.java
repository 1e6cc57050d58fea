package dev.halcyon.archive;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;

/**
 * The tar stream's destination in a framed archive: collects the tar bytes and cuts them into
 * segments at given absolute tar offsets, handing each finished segment, with its label, to a
 * consumer. Cuts are given by position rather than made when a write arrives because the tar writer
 * holds a member's last partial record until the member is closed. Not thread-safe.
 */
final class FrameSink extends OutputStream {
  /** Receives each segment, in tar order. */
  @FunctionalInterface
  interface Segments {
    void accept(byte[] raw) throws IOException;
  }

  private final Segments segments;
  private final Deque<Long> cuts = new ArrayDeque<>();
  private long lastCut;
  private byte[] buffer = new byte[64 << 10];
  private int count;
  private long position;

  FrameSink(Segments segments) {
    this.segments = segments;
  }

  /** The number of tar bytes received so far. */
  long position() {
    return position;
  }

  /** Whether every cut given has been made. */
  boolean noPendingCuts() {
    return cuts.isEmpty();
  }

  /** Where the last segment given ended, or will end once its bytes arrive. */
  long lastCut() {
    return cuts.isEmpty() ? lastCut : cuts.peekLast();
  }

  /**
   * Ends a segment at tar offset {@code at}, which must not be before an earlier cut or the bytes
   * already received; a cut where the last one was makes no empty segment.
   */
  void cutAt(long at) throws IOException {
    if (at < lastCut() || (cuts.isEmpty() && at < position)) {
      throw new IllegalStateException("cut at " + at + " before " + Math.max(lastCut(), position));
    }
    if (at > lastCut()) {
      cuts.addLast(at);
      flushCuts();
    }
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    while (len > 0) {
      int n = len;
      if (!cuts.isEmpty()) {
        n = (int) Math.min(n, cuts.peekFirst() - position);
      }
      append(b, off, n);
      off += n;
      len -= n;
      flushCuts();
    }
  }

  private void append(byte[] b, int off, int n) {
    if (count + n > buffer.length) {
      buffer = Arrays.copyOf(buffer, Math.max(count + n, buffer.length * 2));
    }
    System.arraycopy(b, off, buffer, count, n);
    count += n;
    position += n;
  }

  private void flushCuts() throws IOException {
    while (!cuts.isEmpty() && cuts.peekFirst() == position) {
      lastCut = cuts.removeFirst();
      byte[] raw = Arrays.copyOf(buffer, count);
      count = 0;
      segments.accept(raw);
    }
  }
}
