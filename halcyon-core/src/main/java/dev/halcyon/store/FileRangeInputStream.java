package dev.halcyon.store;

import java.io.IOException;
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
final class FileRangeInputStream extends BulkReadInputStream.Guarded {
  private final FileChannel channel;
  private final long end;
  private final Path file;
  private long position;

  FileRangeInputStream(FileChannel channel, long start, long end, Path file) {
    this.channel = channel;
    this.position = start;
    this.end = end;
    this.file = file;
  }

  @Override
  protected int readOpen(byte[] b, int off, int len) throws IOException {
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
  protected void closeOnce() throws IOException {
    channel.close();
  }
}
