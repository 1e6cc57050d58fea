package dev.halcyon.store;

import static com.google.common.base.Preconditions.checkNotNull;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;

/**
 * An object being read from a store: what is known of it, and a stream of its bytes.
 *
 * <p>The caller owns the stream and must close it (closing this object closes it). When {@link
 * ObjectInfo#digest()} is present the stream verifies it: reading to the end throws {@link
 * CorruptObjectException} if the bytes differ or are short, so a consumer that reads to the end
 * never mistakes a damaged object for a whole one.
 *
 * @param info what the store knew when the read began
 * @param stream the bytes
 */
public record StoredObject(ObjectInfo info, InputStream stream) implements Closeable {
  /**
   * Checks that both parts are given.
   *
   * @param info what the store knew when the read began
   * @param stream the bytes; owned by this object, closed by {@link #close()}
   */
  public StoredObject {
    checkNotNull(info, "info");
    checkNotNull(stream, "stream");
  }

  @Override
  public void close() throws IOException {
    stream.close();
  }
}
