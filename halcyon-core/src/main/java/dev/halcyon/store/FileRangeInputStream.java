package dev.halcyon.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * The bytes {@code [start, end)} of an open file, read with positioned reads ({@link
 * FileChannel#read(ByteBuffer, long)}), so the channel's own position is never shared or moved. The
 * channel stays on the file version it was opened on, whatever is renamed over or deleted from its
 * path meanwhile. A file that turns out shorter than {@code end} was changed in place, which the
 * directory store never does: {@link CorruptObjectException}.
 *
 * <p>Not thread-safe (one reader). Closing it closes the channel.
 */
final class FileRangeInputStream extends InputStream {
  private final FileChannel channel;
  private final long end;
  private final Path file;
  private long position;
  private boolean closed;

  FileRangeInputStream(FileChannel channel, long start, long end, Path file) {
    this.channel = channel;
    this.position = start;
    this.end = end;
    this.file = file;
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    java.util.Objects.checkFromIndexSize(off, len, b.length);
    if (closed) {
      throw new IOException("stream closed");
    }
    if (len == 0) {
      return 0;
    }
    if (position >= end) {
      return -1;
    }
    int want = (int) Math.min(len, end - position);
    int n = channel.read(ByteBuffer.wrap(b, off, want), position);
    if (n < 0) {
      throw new CorruptObjectException(
          file
              + " ended at byte "
              + position
              + ", before the "
              + end
              + " it had when opened; it"
              + " was changed in place; delete it so it is stored again");
    }
    position += n;
    return n;
  }

  @Override
  public long skip(long n) {
    long skipped = Math.max(0, Math.min(n, end - position));
    position += skipped;
    return skipped;
  }

  @Override
  public int available() {
    return (int) Math.min(Integer.MAX_VALUE, Math.max(0, end - position));
  }

  @Override
  public void close() throws IOException {
    closed = true;
    channel.close();
  }
}
