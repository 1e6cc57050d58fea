package dev.halcyon.store;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.function.LongConsumer;

/**
 * The source file of a {@link LayerStore#put(String, java.nio.file.Path, dev.halcyon.layer.Digest,
 * PutMode, LongConsumer)}, telling its {@code sent} callback the running total of bytes read after
 * every read that returned some. Skipping is refused: a store hashes every byte it copies. Not
 * thread-safe (one reader); closing it closes the file.
 */
final class SentCountingInputStream extends FilterInputStream {
  private final LongConsumer sent;
  private long count;

  SentCountingInputStream(InputStream in, LongConsumer sent) {
    super(in);
    this.sent = sent;
  }

  @Override
  public int read() throws IOException {
    int b = in.read();
    if (b >= 0) {
      sent.accept(++count);
    }
    return b;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    int n = in.read(b, off, len);
    if (n > 0) {
      count += n;
      sent.accept(count);
    }
    return n;
  }

  @Override
  public long skip(long n) throws IOException {
    throw new IOException("skip is not supported: every byte is counted and hashed");
  }

  @Override
  public boolean markSupported() {
    return false;
  }

  /** The bytes read so far. */
  long count() {
    return count;
  }
}
