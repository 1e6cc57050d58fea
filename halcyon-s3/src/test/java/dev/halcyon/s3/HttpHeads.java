package dev.halcyon.s3;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/** Reading raw HTTP/1.1 request and response heads, for the loopback servers of the tests. */
public final class HttpHeads {
  private HttpHeads() {}

  /**
   * Reads up to and including the blank line that ends an HTTP head; null if the stream ends first.
   * The bytes after it (the body) stay in {@code in}.
   */
  public static String read(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int state = 0;
    while (state < 4) {
      int c = in.read();
      if (c < 0) {
        return null;
      }
      b.write(c);
      state =
          (c == '\r' && (state == 0 || state == 2)) || (c == '\n' && (state == 1 || state == 3))
              ? state + 1
              : (c == '\r' ? 1 : 0);
    }
    return b.toString(StandardCharsets.ISO_8859_1);
  }
}
