package dev.halcyon.cli;

import dev.halcyon.s3.HttpHeads;
import dev.halcyon.s3.LoopbackServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP/1.1 proxy on 127.0.0.1 in front of an S3 server that injects one fault per request, at a
 * seeded random choice: it passes the request through, resets the connection in the middle of the
 * request or the response body, answers 500, 503 SlowDown or 429, stalls until the client gives up,
 * or cuts the response body short. Each client connection carries one request ({@code Connection:
 * close}). Counts faults by kind and by S3 operation. Thread-safe; close it to stop.
 */
final class FaultProxy extends LoopbackServer {
  /** What happens to one request. */
  enum Fault {
    PASS,
    RESET_REQUEST,
    RESET_RESPONSE,
    ERROR_500,
    SLOW_DOWN_503,
    TOO_MANY_429,
    STALL,
    TRUNCATE
  }

  private final int upstreamPort;
  private final Random random;
  private volatile double faultRate;
  private volatile List<Fault> kinds = List.of(Fault.values());
  private final Map<Fault, AtomicInteger> byKind = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> byOperation = new ConcurrentHashMap<>();

  private FaultProxy(int upstreamPort, long seed) throws IOException {
    super("fault-proxy");
    this.upstreamPort = upstreamPort;
    this.random = new Random(seed);
    acceptConnections();
  }

  static FaultProxy start(int upstreamPort, long seed) throws IOException {
    return new FaultProxy(upstreamPort, seed);
  }

  /** From now on, a fault of one of {@code kinds} on each request with probability {@code rate}. */
  void faults(double rate, Fault... kinds) {
    this.kinds =
        kinds.length == 0
            ? List.of(Fault.values()).subList(1, Fault.values().length)
            : List.of(kinds);
    this.faultRate = rate;
  }

  /** Faults injected so far, by kind (PASS not counted). */
  Map<Fault, Integer> injected() {
    Map<Fault, Integer> out = new EnumMap<>(Fault.class);
    byKind.forEach(
        (k, v) -> {
          if (k != Fault.PASS) {
            out.put(k, v.get());
          }
        });
    return out;
  }

  int injectedTotal() {
    return injected().values().stream().mapToInt(Integer::intValue).sum();
  }

  /** Faults injected so far, by S3 operation. */
  Map<String, Integer> injectedByOperation() {
    Map<String, Integer> out = new java.util.TreeMap<>();
    byOperation.forEach((k, v) -> out.put(k, v.get()));
    return out;
  }

  private synchronized Fault choose() {
    if (random.nextDouble() >= faultRate) {
      return Fault.PASS;
    }
    List<Fault> k = kinds;
    return k.get(random.nextInt(k.size()));
  }

  @Override
  protected void handle(Socket client) {
    try (client) {
      InputStream in = client.getInputStream();
      String head = HttpHeads.read(in);
      if (head == null) {
        return;
      }
      String[] lines = head.split("\r\n");
      String requestLine = lines[0];
      long length = 0;
      boolean chunked = false;
      boolean expectContinue = false;
      StringBuilder forwarded = new StringBuilder(requestLine).append("\r\n");
      for (int i = 1; i < lines.length; i++) {
        String l = lines[i];
        String lower = l.toLowerCase(Locale.ROOT);
        if (lower.startsWith("content-length:")) {
          length = Long.parseLong(l.substring(15).trim());
        } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
          chunked = true;
        }
        if (lower.startsWith("expect:")) {
          expectContinue = lower.contains("100-continue");
          continue;
        }
        if (lower.startsWith("connection:")) {
          continue;
        }
        forwarded.append(l).append("\r\n");
      }
      forwarded.append("Connection: close\r\n\r\n");
      if (expectContinue) {
        client
            .getOutputStream()
            .write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        client.getOutputStream().flush();
      }
      Fault fault = choose();
      byKind.computeIfAbsent(fault, f -> new AtomicInteger()).incrementAndGet();
      if (fault != Fault.PASS) {
        byOperation
            .computeIfAbsent(operation(requestLine), o -> new AtomicInteger())
            .incrementAndGet();
      }
      if (fault == Fault.RESET_REQUEST) {
        // Read part of the body (if any), then reset.
        in.readNBytes((int) Math.min(length / 2, 1 << 20));
        reset(client);
        return;
      }
      byte[] body = chunked ? readChunked(in) : in.readNBytes((int) length);
      switch (fault) {
        case ERROR_500 ->
            error(
                client,
                500,
                "Internal Server Error",
                "InternalError",
                "We encountered an internal error. Please try again.");
        case SLOW_DOWN_503 ->
            error(client, 503, "Slow Down", "SlowDown", "Please reduce your request rate.");
        case TOO_MANY_429 ->
            error(
                client,
                429,
                "Too Many Requests",
                "TooManyRequests",
                "Please reduce your request rate.");
        case STALL -> {
          // Say nothing until the client gives up and closes (its socket timeout), then go.
          while (in.read() >= 0) {
            // discard
          }
        }
        default -> {
          byte[] response = forward(forwarded.toString(), body, chunked);
          int split = indexOf(response, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1)) + 4;
          int bodyLength = response.length - split;
          OutputStream out = client.getOutputStream();
          if (fault == Fault.PASS || bodyLength < 2) {
            out.write(response);
            out.flush();
          } else if (fault == Fault.RESET_RESPONSE) {
            out.write(response, 0, split + bodyLength / 2);
            out.flush();
            reset(client);
          } else {
            // TRUNCATE: the headers promise the whole body; send half and end the connection
            // cleanly.
            out.write(response, 0, split + bodyLength / 2);
            out.flush();
            client.shutdownOutput();
          }
        }
      }
    } catch (IOException e) {
      // The client went away or reset; nothing to do.
    }
  }

  private static String operation(String requestLine) {
    String[] p = requestLine.split(" ");
    String method = p[0];
    String target = p.length > 1 ? p[1] : "";
    if (method.equals("GET")
        && (target.contains("list-type") || target.matches("/[^/?]+/?(\\?.*)?"))) {
      return "list";
    }
    if (method.equals("POST") && target.contains("?delete")) {
      return "delete";
    }
    if (method.equals("POST") || (method.equals("PUT") && target.contains("uploadId"))) {
      return "multipart";
    }
    return switch (method) {
      case "PUT" -> "upload";
      case "GET" -> "download";
      case "HEAD" -> "head";
      case "DELETE" -> "delete";
      default -> method.toLowerCase(Locale.ROOT);
    };
  }

  private byte[] forward(String head, byte[] body, boolean chunked) throws IOException {
    try (Socket up = new Socket(InetAddress.getLoopbackAddress(), upstreamPort)) {
      OutputStream o = up.getOutputStream();
      String h = head;
      if (chunked) {
        // We have the whole body: send it with a length instead.
        h =
            h.replaceAll("(?im)^transfer-encoding:.*\r\n", "")
                .replace(
                    "Connection: close\r\n",
                    "Content-Length: " + body.length + "\r\nConnection: close\r\n");
      }
      o.write(h.getBytes(StandardCharsets.ISO_8859_1));
      o.write(body);
      o.flush();
      return up.getInputStream().readAllBytes();
    }
  }

  private static void error(Socket client, int status, String reason, String code, String message)
      throws IOException {
    byte[] xml =
        ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>"
                + code
                + "</Code><Message>"
                + message
                + "</Message><RequestId>fault</RequestId></Error>")
            .getBytes(StandardCharsets.UTF_8);
    String h =
        "HTTP/1.1 "
            + status
            + " "
            + reason
            + "\r\nContent-Type: application/xml\r\nContent-Length: "
            + xml.length
            + "\r\nConnection: close\r\n\r\n";
    OutputStream out = client.getOutputStream();
    out.write(h.getBytes(StandardCharsets.ISO_8859_1));
    out.write(xml);
    out.flush();
  }

  private static void reset(Socket s) throws IOException {
    s.setSoLinger(true, 0);
    s.close();
  }

  private static byte[] readChunked(InputStream in) throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    while (true) {
      String sizeLine = readLine(in);
      int size = Integer.parseInt(sizeLine.split(";")[0].trim(), 16);
      if (size == 0) {
        while (!readLine(in).isEmpty()) {
          // trailers
        }
        return body.toByteArray();
      }
      body.write(in.readNBytes(size));
      readLine(in);
    }
  }

  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) >= 0 && c != '\n') {
      if (c != '\r') {
        b.write(c);
      }
    }
    return b.toString(StandardCharsets.ISO_8859_1);
  }

  private static int indexOf(byte[] a, byte[] needle) {
    outer:
    for (int i = 0; i <= a.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (a[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return a.length - 4;
  }
}
