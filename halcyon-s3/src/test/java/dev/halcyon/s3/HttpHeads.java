package dev.halcyon.s3;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

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

  /**
   * A request head: method, target ({@code /} if the request line has none) and headers with
   * lower-case names, in the order sent.
   */
  public record Request(String method, String target, Map<String, String> headers) {}

  /**
   * Reads a request head with {@link #read}, answers {@code 100 Continue} if the client expects it
   * (so it sends its body), and returns the parsed head; null if the stream ends first.
   */
  public static Request readRequest(InputStream in, OutputStream out) throws IOException {
    String head = read(in);
    if (head == null) {
      return null;
    }
    String[] lines = head.split("\r\n");
    String[] requestLine = lines[0].split(" ");
    Map<String, String> headers = new LinkedHashMap<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon > 0) {
        headers.put(
            lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
            lines[i].substring(colon + 1).trim());
      }
    }
    if ("100-continue".equalsIgnoreCase(headers.get("expect"))) {
      out.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
    }
    return new Request(requestLine[0], requestLine.length > 1 ? requestLine[1] : "/", headers);
  }
}
