package dev.halcyon.s3;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A small in-memory S3 server on 127.0.0.1 (path-style, one bucket, no signature check) that
 * answers the way S3-compatible services that lack a feature do, one {@link Quirk} at a time: it
 * ignores or refuses {@code If-None-Match}, has no DeleteObjects, knows only ListObjects V1,
 * refuses checksum headers, lacks UploadPartCopy, or stores request bodies verbatim, {@code
 * aws-chunked} framing and all. Without quirks it decodes the framing as a real service does.
 * Enough of S3 for a {@link S3LayerStore}: PutObject, multipart uploads, HeadObject, GetObject with
 * ranges, DeleteObject(s), ListObjects V1 and V2, ListMultipartUploads (always empty). Thread-safe;
 * close it to stop.
 */
public final class QuirkyS3Server extends LoopbackServer {
  /** How the server departs from S3. */
  public enum Quirk {
    /** Takes {@code If-None-Match: *} and overwrites anyway. */
    IF_NONE_MATCH_IGNORED,
    /** Answers 501 NotImplemented to a write carrying {@code If-None-Match}. */
    IF_NONE_MATCH_501,
    /** Answers 501 NotImplemented to DeleteObjects. */
    NO_DELETE_OBJECTS,
    /** Ignores {@code list-type=2} and answers every listing as ListObjects V1. */
    LIST_V1_ONLY,
    /** Answers 400 InvalidArgument to a request with an {@code x-amz-checksum-*} header (Ceph). */
    CHECKSUM_HEADERS_400,
    /** Answers 501 NotImplemented to a request with an {@code x-amz-checksum-*} header (R2). */
    CHECKSUM_HEADERS_501,
    /** Stores request bodies as received, without decoding {@code aws-chunked} framing. */
    STORES_BODIES_VERBATIM,
    /** Answers 501 NotImplemented to UploadPartCopy (a part PUT with {@code x-amz-copy-source}). */
    NO_PART_COPY
  }

  /** One request as received. */
  public record Request(
      String method, String path, Map<String, String> query, Map<String, String> headers) {
    /** A header by lower-case name, or null. */
    public String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  private record StoredObject(byte[] bytes, Map<String, String> headers, Instant modified) {}

  private static final DateTimeFormatter HTTP_DATE =
      DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);
  private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-(\\d*)");
  private static final Pattern PART =
      Pattern.compile("<PartNumber>(\\d+)</PartNumber>", Pattern.DOTALL);
  private static final Pattern KEY = Pattern.compile("<Key>([^<]*)</Key>");

  private final String bucket;
  private final Set<Quirk> quirks;
  private final Map<String, StoredObject> objects = new ConcurrentHashMap<>();
  private final Map<String, Map<Integer, byte[]>> uploads = new ConcurrentHashMap<>();
  private final Map<String, Map<String, String>> uploadHeaders = new ConcurrentHashMap<>();
  private final AtomicInteger uploadIds = new AtomicInteger();
  private final List<Request> requests = new CopyOnWriteArrayList<>();

  private QuirkyS3Server(String bucket, Set<Quirk> quirks) throws IOException {
    super("quirky-s3");
    this.bucket = bucket;
    this.quirks = quirks;
    acceptConnections();
  }

  /** Starts a server holding the empty {@code bucket}, departing from S3 as {@code quirks} say. */
  public static QuirkyS3Server start(String bucket, Quirk... quirks) throws IOException {
    EnumSet<Quirk> set = EnumSet.noneOf(Quirk.class);
    Collections.addAll(set, quirks);
    return new QuirkyS3Server(bucket, set);
  }

  /** Every object key stored, sorted (bucket-relative, folder included). */
  public List<String> keys() {
    return new ArrayList<>(new TreeMap<>(objects).keySet());
  }

  /** Every request received so far, in order. */
  public List<Request> requests() {
    return List.copyOf(requests);
  }

  /** How many requests had {@code method} and a query with {@code queryKey} (or none, if null). */
  public long count(String method, String queryKey) {
    return requests.stream()
        .filter(r -> r.method().equals(method))
        .filter(r -> queryKey == null ? r.query().isEmpty() : r.query().containsKey(queryKey))
        .count();
  }

  /** The bytes stored under the object key {@code key}, or null. */
  public byte[] stored(String key) {
    StoredObject o = objects.get(key);
    return o == null ? null : o.bytes().clone();
  }

  /** Stores {@code bytes} under {@code key} with {@code headers} (lower-case names). */
  public void put(String key, byte[] bytes, Map<String, String> headers) {
    objects.put(key, new StoredObject(bytes.clone(), Map.copyOf(headers), Instant.now()));
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
      byte[] body = readBody(in, headers);
      String target = head.target();
      int q = target.indexOf('?');
      String path =
          URLDecoder.decode(q < 0 ? target : target.substring(0, q), StandardCharsets.UTF_8);
      Map<String, String> query = new TreeMap<>();
      if (q >= 0) {
        for (String pair : target.substring(q + 1).split("&")) {
          if (pair.isEmpty()) {
            continue;
          }
          int eq = pair.indexOf('=');
          query.put(
              URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8),
              eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
      }
      Request request = new Request(head.method(), path, query, headers);
      requests.add(request);
      answer(request, body, out);
      out.flush();
    } catch (IOException e) {
      // The client went away; nothing to do.
    }
  }

  private static byte[] readBody(InputStream in, Map<String, String> headers) throws IOException {
    String length = headers.get("content-length");
    if (length != null) {
      return in.readNBytes(Integer.parseInt(length));
    }
    if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      while (true) {
        String size = line(in);
        int n = Integer.parseInt(size.split(";")[0].trim(), 16);
        if (n == 0) {
          while (!line(in).isEmpty()) {
            // trailers
          }
          return b.toByteArray();
        }
        b.write(in.readNBytes(n));
        line(in);
      }
    }
    return new byte[0];
  }

  private static String line(InputStream in) throws IOException {
    StringBuilder s = new StringBuilder();
    for (int c = in.read(); c >= 0 && c != '\n'; c = in.read()) {
      if (c != '\r') {
        s.append((char) c);
      }
    }
    return s.toString();
  }

  /** The payload of an aws-chunked body: each chunk's data without its header and CRLF. */
  static byte[] decodeAwsChunked(byte[] framed) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int at = 0;
    while (at < framed.length) {
      int eol = indexOf(framed, at);
      String header = new String(framed, at, eol - at, StandardCharsets.ISO_8859_1);
      int size = Integer.parseInt(header.split(";")[0].trim(), 16);
      at = eol + 2;
      if (size == 0) {
        break;
      }
      out.write(framed, at, size);
      at += size + 2;
    }
    return out.toByteArray();
  }

  private static int indexOf(byte[] b, int from) {
    for (int i = from; i + 1 < b.length; i++) {
      if (b[i] == '\r' && b[i + 1] == '\n') {
        return i;
      }
    }
    return b.length;
  }

  private void answer(Request r, byte[] body, OutputStream out) throws IOException {
    String prefix = "/" + bucket;
    if (!r.path().equals(prefix) && !r.path().startsWith(prefix + "/")) {
      error(out, 404, "NoSuchBucket", "The specified bucket does not exist");
      return;
    }
    String key =
        r.path().length() > prefix.length() + 1 ? r.path().substring(prefix.length() + 1) : "";
    boolean checksum = r.headers().keySet().stream().anyMatch(h -> h.startsWith("x-amz-checksum-"));
    if (checksum && quirks.contains(Quirk.CHECKSUM_HEADERS_501)) {
      error(
          out,
          501,
          "NotImplemented",
          "Header 'x-amz-checksum-sha256' with value is not implemented");
      return;
    }
    if (checksum && quirks.contains(Quirk.CHECKSUM_HEADERS_400)) {
      error(
          out, 400, "InvalidArgument", "x-amz-checksum-sha256 checksum headers are not supported");
      return;
    }
    if (key.isEmpty()) {
      bucketRequest(r, body, out);
    } else {
      objectRequest(r, key, body, out);
    }
  }

  private void bucketRequest(Request r, byte[] body, OutputStream out) throws IOException {
    if (r.method().equals("POST") && r.query().containsKey("delete")) {
      if (quirks.contains(Quirk.NO_DELETE_OBJECTS)) {
        error(
            out,
            501,
            "NotImplemented",
            "A header you provided implies functionality that is not implemented");
        return;
      }
      Matcher m = KEY.matcher(new String(body, StandardCharsets.UTF_8));
      StringBuilder xml =
          new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?><DeleteResult>");
      while (m.find()) {
        objects.remove(unescape(m.group(1)));
      }
      xml.append("</DeleteResult>");
      ok(
          out,
          200,
          Map.of("Content-Type", "application/xml"),
          xml.toString().getBytes(StandardCharsets.UTF_8));
    } else if (r.method().equals("GET") && r.query().containsKey("uploads")) {
      ok(
          out,
          200,
          Map.of("Content-Type", "application/xml"),
          ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><ListMultipartUploadsResult><Bucket>"
                  + bucket
                  + "</Bucket><IsTruncated>false</IsTruncated></ListMultipartUploadsResult>")
              .getBytes(StandardCharsets.UTF_8));
    } else if (r.method().equals("GET")) {
      list(r, out);
    } else {
      error(out, 501, "NotImplemented", "not implemented by this test server");
    }
  }

  private void list(Request r, OutputStream out) throws IOException {
    boolean v2 = "2".equals(r.query().get("list-type")) && !quirks.contains(Quirk.LIST_V1_ONLY);
    String prefix = r.query().getOrDefault("prefix", "");
    int max = Integer.parseInt(r.query().getOrDefault("max-keys", "1000"));
    String after =
        v2
            ? r.query()
                .getOrDefault("continuation-token", r.query().getOrDefault("start-after", ""))
            : r.query().getOrDefault("marker", "");
    List<String> keys = new ArrayList<>(new TreeMap<>(objects).keySet());
    List<String> page = new ArrayList<>();
    boolean truncated = false;
    for (String k : keys) {
      if (!k.startsWith(prefix) || k.compareTo(after) <= 0) {
        continue;
      }
      if (page.size() == max) {
        truncated = true;
        break;
      }
      page.add(k);
    }
    StringBuilder xml =
        new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?><ListBucketResult><Name>")
            .append(bucket)
            .append("</Name><Prefix>")
            .append(escape(prefix))
            .append("</Prefix>");
    if (v2) {
      xml.append("<KeyCount>").append(page.size()).append("</KeyCount>");
    } else {
      xml.append("<Marker>").append(escape(after)).append("</Marker>");
    }
    xml.append("<MaxKeys>")
        .append(max)
        .append("</MaxKeys><IsTruncated>")
        .append(truncated)
        .append("</IsTruncated>");
    if (v2 && truncated) {
      xml.append("<NextContinuationToken>")
          .append(escape(page.get(page.size() - 1)))
          .append("</NextContinuationToken>");
    }
    for (String k : page) {
      StoredObject o = objects.get(k);
      if (o == null) {
        continue;
      }
      xml.append("<Contents><Key>")
          .append(escape(k))
          .append("</Key><LastModified>")
          .append(o.modified().toString())
          .append("</LastModified><ETag>\"")
          .append(CannedS3Server.sha256(o.bytes()), 0, 32)
          .append("\"</ETag><Size>")
          .append(o.bytes().length)
          .append("</Size><StorageClass>STANDARD</StorageClass></Contents>");
    }
    xml.append("</ListBucketResult>");
    ok(
        out,
        200,
        Map.of("Content-Type", "application/xml"),
        xml.toString().getBytes(StandardCharsets.UTF_8));
  }

  private void objectRequest(Request r, String key, byte[] body, OutputStream out)
      throws IOException {
    switch (r.method()) {
      case "PUT" -> {
        if (r.query().containsKey("uploadId")) {
          Map<Integer, byte[]> parts = uploads.get(r.query().get("uploadId"));
          if (parts == null) {
            error(out, 404, "NoSuchUpload", "The specified upload does not exist");
            return;
          }
          String copySource = r.header("x-amz-copy-source");
          if (copySource != null) {
            if (quirks.contains(Quirk.NO_PART_COPY)) {
              error(out, 501, "NotImplemented", "UploadPartCopy is not implemented");
              return;
            }
            String source = URLDecoder.decode(copySource, StandardCharsets.UTF_8);
            StoredObject from = objects.get(source.substring(source.indexOf('/', 1) + 1));
            if (from == null) {
              error(out, 404, "NoSuchKey", "The specified key does not exist.");
              return;
            }
            parts.put(Integer.parseInt(r.query().get("partNumber")), from.bytes());
            ok(
                out,
                200,
                Map.of("Content-Type", "application/xml"),
                ("<CopyPartResult><ETag>" + etag(from.bytes()) + "</ETag></CopyPartResult>")
                    .getBytes(StandardCharsets.UTF_8));
            return;
          }
          byte[] data = payload(r, body);
          parts.put(Integer.parseInt(r.query().get("partNumber")), data);
          ok(out, 200, Map.of("ETag", etag(data)), new byte[0]);
          return;
        }
        if (!conditionMet(r, key, out)) {
          return;
        }
        byte[] data = payload(r, body);
        objects.put(key, new StoredObject(data, kept(r.headers()), Instant.now()));
        ok(out, 200, Map.of("ETag", etag(data)), new byte[0]);
      }
      case "POST" -> {
        if (r.query().containsKey("uploads")) {
          String id = "upload-" + uploadIds.incrementAndGet();
          uploads.put(id, new ConcurrentHashMap<>());
          uploadHeaders.put(id, kept(r.headers()));
          ok(
              out,
              200,
              Map.of("Content-Type", "application/xml"),
              ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><InitiateMultipartUploadResult><Bucket>"
                      + bucket
                      + "</Bucket><Key>"
                      + escape(key)
                      + "</Key><UploadId>"
                      + id
                      + "</UploadId></InitiateMultipartUploadResult>")
                  .getBytes(StandardCharsets.UTF_8));
          return;
        }
        String id = r.query().get("uploadId");
        Map<Integer, byte[]> parts = id == null ? null : uploads.get(id);
        if (parts == null) {
          error(out, 404, "NoSuchUpload", "The specified upload does not exist");
          return;
        }
        if (!conditionMet(r, key, out)) {
          return;
        }
        ByteArrayOutputStream whole = new ByteArrayOutputStream();
        Matcher m = PART.matcher(new String(body, StandardCharsets.UTF_8));
        while (m.find()) {
          whole.write(parts.get(Integer.parseInt(m.group(1))));
        }
        uploads.remove(id);
        byte[] data = whole.toByteArray();
        objects.put(key, new StoredObject(data, uploadHeaders.remove(id), Instant.now()));
        ok(
            out,
            200,
            Map.of("Content-Type", "application/xml"),
            ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><CompleteMultipartUploadResult><Bucket>"
                    + bucket
                    + "</Bucket><Key>"
                    + escape(key)
                    + "</Key><ETag>"
                    + etag(data)
                    + "</ETag></CompleteMultipartUploadResult>")
                .getBytes(StandardCharsets.UTF_8));
      }
      case "DELETE" -> {
        if (r.query().containsKey("uploadId")) {
          uploads.remove(r.query().get("uploadId"));
        } else {
          objects.remove(key);
        }
        ok(out, 204, Map.of(), new byte[0]);
      }
      case "HEAD", "GET" -> get(r, key, out);
      default -> error(out, 501, "NotImplemented", "not implemented by this test server");
    }
  }

  private boolean conditionMet(Request r, String key, OutputStream out) throws IOException {
    if (r.header("if-none-match") == null) {
      return true;
    }
    if (quirks.contains(Quirk.IF_NONE_MATCH_501)) {
      error(
          out,
          501,
          "NotImplemented",
          "A header you provided implies functionality that is not implemented");
      return false;
    }
    if (!quirks.contains(Quirk.IF_NONE_MATCH_IGNORED) && objects.containsKey(key)) {
      error(
          out,
          412,
          "PreconditionFailed",
          "At least one of the pre-conditions you specified did not hold");
      return false;
    }
    return true;
  }

  /** What is stored of a request body: verbatim, or with aws-chunked framing decoded. */
  private byte[] payload(Request r, byte[] body) {
    String sha = String.valueOf(r.header("x-amz-content-sha256"));
    boolean framed =
        sha.startsWith("STREAMING-")
            || String.valueOf(r.header("content-encoding")).contains("aws-chunked");
    return framed && !quirks.contains(Quirk.STORES_BODIES_VERBATIM) ? decodeAwsChunked(body) : body;
  }

  private static Map<String, String> kept(Map<String, String> headers) {
    Map<String, String> kept = new LinkedHashMap<>();
    headers.forEach(
        (k, v) -> {
          if (k.startsWith("x-amz-meta-")
              || k.equals("content-type")
              || k.equals("content-encoding")) {
            kept.put(k, v);
          }
        });
    return kept;
  }

  private void get(Request r, String key, OutputStream out) throws IOException {
    StoredObject o = objects.get(key);
    boolean head = r.method().equals("HEAD");
    if (o == null) {
      if (head) {
        ok(out, 404, Map.of(), new byte[0]);
      } else {
        error(out, 404, "NoSuchKey", "The specified key does not exist.");
      }
      return;
    }
    long total = o.bytes().length;
    long from = 0;
    long to = total - 1;
    boolean ranged = false;
    String range = r.header("range");
    if (range != null) {
      Matcher m = RANGE.matcher(range);
      if (m.matches()) {
        from = Long.parseLong(m.group(1));
        if (from >= total) {
          error(out, 416, "InvalidRange", "The requested range is not satisfiable");
          return;
        }
        ranged = true;
        to = m.group(2).isEmpty() ? total - 1 : Math.min(total - 1, Long.parseLong(m.group(2)));
      }
    }
    Map<String, String> headers = new LinkedHashMap<>();
    o.headers().forEach(headers::put);
    headers.put("ETag", etag(o.bytes()));
    headers.put("Last-Modified", HTTP_DATE.format(o.modified()));
    headers.put("Accept-Ranges", "bytes");
    if (ranged) {
      headers.put("Content-Range", "bytes " + from + "-" + to + "/" + total);
    }
    byte[] slice = java.util.Arrays.copyOfRange(o.bytes(), (int) from, (int) to + 1);
    if (head) {
      headers.put("Content-Length", String.valueOf(total));
      write(out, 200, headers, new byte[0], false);
    } else {
      write(out, ranged ? 206 : 200, headers, slice, true);
    }
  }

  private static String etag(byte[] data) {
    return "\"" + CannedS3Server.sha256(data).substring(0, 32) + "\"";
  }

  private static void ok(OutputStream out, int status, Map<String, String> headers, byte[] body)
      throws IOException {
    write(out, status, headers, body, true);
  }

  private static void error(OutputStream out, int status, String code, String message)
      throws IOException {
    byte[] xml =
        ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>"
                + code
                + "</Code><Message>"
                + message
                + "</Message><RequestId>QUIRKY</RequestId></Error>")
            .getBytes(StandardCharsets.UTF_8);
    write(out, status, Map.of("Content-Type", "application/xml"), xml, true);
  }

  private static void write(
      OutputStream out, int status, Map<String, String> headers, byte[] body, boolean length)
      throws IOException {
    StringBuilder head =
        new StringBuilder("HTTP/1.1 ")
            .append(status)
            .append(' ')
            .append(reason(status))
            .append("\r\n");
    headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
    if (length) {
      head.append("Content-Length: ").append(body.length).append("\r\n");
    }
    head.append("x-amz-request-id: QUIRKY\r\nConnection: close\r\n\r\n");
    out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
    out.write(body);
  }

  private static String reason(int status) {
    return switch (status) {
      case 200 -> "OK";
      case 204 -> "No Content";
      case 206 -> "Partial Content";
      case 400 -> "Bad Request";
      case 404 -> "Not Found";
      case 412 -> "Precondition Failed";
      case 416 -> "Requested Range Not Satisfiable";
      default -> "Not Implemented";
    };
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }

  private static String unescape(String s) {
    return s.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&");
  }
}
