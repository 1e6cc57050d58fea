package dev.halcyon.store;

import java.io.IOException;
import java.io.InputStream;

/**
 * The body of one HTTP 206 answer, held to the length its Content-Range announced. A body that ends
 * before that length or whose connection fails while it is read throws {@link
 * TransientStoreException} naming the key, the range and the server: the stored object may well be
 * whole, only this transfer was not. It never reads past the announced end.
 *
 * <p>Not thread-safe (one reader). Closing it closes the body, which drops the connection if the
 * body was not read to its end.
 */
final class HttpRangeInputStream extends BulkReadInputStream.Guarded {
  private final InputStream body;
  private final String what;
  private final long offset;
  private final long length;
  private long count;

  /**
   * @param what names the object in messages, e.g. {@code https://host/bucket/key}
   * @param offset where in the object the body starts
   * @param length how many bytes the answer announced
   */
  HttpRangeInputStream(InputStream body, String what, long offset, long length) {
    this.body = body;
    this.what = what;
    this.offset = offset;
    this.length = length;
  }

  @Override
  protected int readOpen(byte[] b, int off, int len) throws IOException {
    if (count == length) {
      return -1;
    }
    int n;
    try {
      n = body.read(b, off, (int) Math.min(len, length - count));
    } catch (IOException e) {
      throw new TransientStoreException(
          "download of "
              + range()
              + " broke off after "
              + count
              + " of "
              + length
              + " bytes ("
              + e.getClass().getSimpleName()
              + (e.getMessage() == null ? "" : ": " + e.getMessage())
              + "); run again",
          e);
    }
    if (n < 0) {
      throw new TransientStoreException(
          "download of "
              + range()
              + " was cut short after "
              + count
              + " of "
              + length
              + " bytes; the connection closed early; run again");
    }
    count += n;
    return n;
  }

  private String range() {
    return "bytes " + offset + "-" + (offset + length - 1) + " of " + what;
  }

  @Override
  public int available() {
    return 0;
  }

  @Override
  protected void closeOnce() throws IOException {
    body.close();
  }
}
