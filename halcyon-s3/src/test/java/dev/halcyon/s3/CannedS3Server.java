package dev.halcyon.s3;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A tiny HTTP/1.1 server on 127.0.0.1 that answers every request as its {@link Responder} says,
 * byte for byte, for the answers local S3 servers never give: a bucket in another region (301
 * PermanentRedirect, 400 AuthorizationHeaderMalformed, exactly as AWS shapes them), and object
 * bodies that stop short of their Content-Length, break off with a reset, or arrive whole but
 * different from the recorded digest. One request per connection ({@code Connection: close}).
 * Thread-safe; close it to stop.
 */
public final class CannedS3Server extends LoopbackServer {
  /** One request as received (the body is read and dropped). */
  public record Request(int number, String method, String target, Map<String, String> headers) {
    /** A header by lower-case name, or null. */
    public String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  /**
   * Writes the whole answer to one request on {@code out}; may reset or half-close {@code socket}.
   */
  @FunctionalInterface
  public interface Responder {
    void respond(Request request, Socket socket, OutputStream out) throws IOException;
  }

  private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-(\\d*)");

  private final Responder responder;
  private final AtomicInteger requests = new AtomicInteger();

  private CannedS3Server(Responder responder) throws IOException {
    super("canned-s3");
    this.responder = responder;
    acceptConnections();
  }

  /** Starts a server on a free loopback port. */
  public static CannedS3Server start(Responder responder) throws IOException {
    return new CannedS3Server(responder);
  }

  /** Requests answered so far. */
  public int requests() {
    return requests.get();
  }

  // ---- canned answers

  /**
   * What S3 answers a request signed for the wrong region, by {@code mode}: {@code "redirect"} is a
   * regional endpoint of another region (301 Moved Permanently, {@code x-amz-bucket-region}, error
   * PermanentRedirect naming the right endpoint); {@code "malformed"} is the global endpoint (400
   * Bad Request, {@code x-amz-bucket-region}, error AuthorizationHeaderMalformed whose message and
   * {@code <Region>} name the expected region). HEAD answers carry the status and headers only, as
   * on AWS.
   */
  public static Responder wrongRegion(String bucket, String realRegion, String mode) {
    return (request, socket, out) -> {
      String signedFor = signedRegion(request).orElse("us-east-1");
      String xml;
      String status;
      if (mode.equals("redirect")) {
        status = "301 Moved Permanently";
        xml =
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>PermanentRedirect</Code><Message>The bucket you are"
                + " attempting to access must be addressed using the specified endpoint. Please send all future requests to"
                + " this endpoint.</Message><Endpoint>"
                + bucket
                + ".s3."
                + realRegion
                + ".amazonaws.com</Endpoint><Bucket>"
                + bucket
                + "</Bucket><RequestId>"
                + requestId(request)
                + "</RequestId><HostId>Zm9yIHRlc3Rz</HostId></Error>";
      } else {
        status = "400 Bad Request";
        xml =
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>AuthorizationHeaderMalformed</Code><Message>The"
                + " authorization header is malformed; the region '"
                + signedFor
                + "' is wrong; expecting '"
                + realRegion
                + "'</Message><Region>"
                + realRegion
                + "</Region><RequestId>"
                + requestId(request)
                + "</RequestId><HostId>Zm9yIHRlc3Rz</HostId></Error>";
      }
      StringBuilder head =
          new StringBuilder("HTTP/1.1 ")
              .append(status)
              .append("\r\n")
              .append("x-amz-bucket-region: ")
              .append(realRegion)
              .append("\r\n")
              .append("x-amz-request-id: ")
              .append(requestId(request))
              .append("\r\n")
              .append("x-amz-id-2: Zm9yIHRlc3Rz\r\n")
              .append("Date: Thu, 26 Nov 2026 01:00:00 GMT\r\n")
              .append("Server: AmazonS3\r\n");
      if (request.method().equals("HEAD")) {
        head.append(
            "Content-Type: application/xml\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
        out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        return;
      }
      byte[] body = xml.getBytes(StandardCharsets.UTF_8);
      head.append(
          "Content-Type: application/xml\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
      out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
      out.write((Integer.toHexString(body.length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
      out.write(body);
      out.write("\r\n0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
    };
  }

  /** How a GET of the object misbehaves. */
  public enum Body {
    /** The whole body. */
    WHOLE,
    /** Half the body, then a clean close although Content-Length promised more. */
    CUT_SHORT,
    /** Half the body, then a TCP reset. */
    RESET
  }

  /**
   * Serves one object (HEAD, and GET with or without a byte range) whose recorded digest is that of
   * {@code recorded}, with the bytes of {@code served} (the same array for a sound object).
   * Requests for which {@code faulty} answers true get {@code fault} instead of the whole body.
   */
  public static Responder object(
      byte[] recorded, byte[] served, Body fault, java.util.function.Predicate<Request> faulty) {
    String digest = sha256(recorded);
    String etag = "\"" + digest.substring(0, 32) + "\"";
    return (request, socket, out) -> {
      long total = served.length;
      long from = 0;
      long to = total - 1;
      boolean ranged = false;
      String range = request.header("range");
      if (range != null) {
        Matcher m = RANGE.matcher(range);
        if (m.matches()) {
          ranged = true;
          from = Long.parseLong(m.group(1));
          to = m.group(2).isEmpty() ? total - 1 : Math.min(total - 1, Long.parseLong(m.group(2)));
        }
      }
      int length = (int) (to - from + 1);
      StringBuilder head =
          new StringBuilder("HTTP/1.1 ")
              .append(ranged ? "206 Partial Content" : "200 OK")
              .append("\r\n")
              .append("ETag: ")
              .append(etag)
              .append("\r\n")
              .append("Last-Modified: Thu, 26 Nov 2026 01:00:00 GMT\r\n")
              .append("x-amz-meta-halcyon-sha256: ")
              .append(digest)
              .append("\r\n")
              .append("Accept-Ranges: bytes\r\n")
              .append("Content-Type: application/octet-stream\r\n")
              .append("Content-Length: ")
              .append(length)
              .append("\r\n");
      if (ranged) {
        head.append("Content-Range: bytes ")
            .append(from)
            .append('-')
            .append(to)
            .append('/')
            .append(total)
            .append("\r\n");
      }
      head.append("Connection: close\r\n\r\n");
      out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
      if (request.method().equals("HEAD")) {
        return;
      }
      Body how = faulty.test(request) ? fault : Body.WHOLE;
      int send = how == Body.WHOLE ? length : length / 2;
      out.write(served, (int) from, send);
      out.flush();
      if (how == Body.RESET) {
        socket.setSoLinger(true, 0);
        socket.close();
      } else if (how == Body.CUT_SHORT) {
        socket.shutdownOutput();
      }
    };
  }

  // ---- plumbing

  @Override
  protected void handle(Socket client) {
    try (client) {
      InputStream in = client.getInputStream();
      OutputStream out = client.getOutputStream();
      HttpHeads.Request head = HttpHeads.readRequest(in, out);
      if (head == null) {
        return;
      }
      Map<String, String> headers = head.headers();
      String length = headers.get("content-length");
      if (length != null) {
        in.readNBytes(Integer.parseInt(length));
      }
      Request request =
          new Request(requests.incrementAndGet(), head.method(), head.target(), headers);
      responder.respond(request, client, out);
      if (!client.isClosed() && !client.isOutputShutdown()) {
        out.flush();
      }
    } catch (IOException e) {
      // The client went away; nothing to do.
    }
  }

  private static java.util.Optional<String> signedRegion(Request request) {
    String auth = request.header("authorization");
    if (auth == null) {
      return java.util.Optional.empty();
    }
    Matcher m = Pattern.compile("Credential=[^/]+/\\d{8}/([^/]+)/s3/").matcher(auth);
    return m.find() ? java.util.Optional.of(m.group(1)) : java.util.Optional.empty();
  }

  private static String requestId(Request request) {
    return String.format(Locale.ROOT, "CANNED%010d", request.number());
  }

  /** The SHA-256 of {@code bytes} in lowercase hex. */
  public static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
