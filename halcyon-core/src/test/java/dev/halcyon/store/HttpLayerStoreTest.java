package dev.halcyon.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.halcyon.layer.Digest;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The read-only public store against a real HTTP server that speaks a little S3. */
class HttpLayerStoreTest {
  private HttpServer server;
  private final Map<String, byte[]> objects = new TreeMap<>();
  private final Map<String, String> digests = new TreeMap<>();
  private HttpLayerStore store;

  /** How the server answers a GET with a Range header. */
  private enum Ranges {
    HONOUR,
    IGNORE,
    WRONG_RANGE
  }

  private volatile Ranges ranges = Ranges.HONOUR;
  private final java.util.concurrent.atomic.AtomicInteger rangedGets =
      new java.util.concurrent.atomic.AtomicInteger();

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/bucket/", this::handle);
    server.start();
    store =
        new HttpLayerStore(
            URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/bucket"));
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private void handle(HttpExchange ex) throws IOException {
    String path = ex.getRequestURI().getPath().substring("/bucket/".length());
    String query = ex.getRequestURI().getRawQuery();
    if (path.isEmpty() && query != null && query.startsWith("list-type=2")) {
      String prefix =
          java.net.URLDecoder.decode(
              query.replaceAll(".*prefix=([^&]*).*", "$1"), StandardCharsets.UTF_8);
      boolean second = query.contains("continuation-token=");
      StringBuilder xml = new StringBuilder("<?xml version=\"1.0\"?><ListBucketResult>");
      int i = 0;
      for (var e : objects.entrySet()) {
        if (!e.getKey().startsWith(prefix)) {
          continue;
        }
        // Two pages: the first object on page one, the rest on page two.
        boolean onFirstPage = i++ == 0;
        if (onFirstPage != second) {
          xml.append("<Contents><Key>")
              .append(e.getKey())
              .append("</Key><Size>")
              .append(e.getValue().length)
              .append("</Size><LastModified>2026-01-01T00:00:00.000Z</LastModified></Contents>");
        }
      }
      xml.append(
          second
              ? "<IsTruncated>false</IsTruncated>"
              : "<IsTruncated>true</IsTruncated><NextContinuationToken>t2</NextContinuationToken>");
      xml.append("</ListBucketResult>");
      send(ex, 200, xml.toString().getBytes(StandardCharsets.UTF_8));
      return;
    }
    byte[] body = objects.get(path);
    if (body == null) {
      send(ex, 404, new byte[0]);
      return;
    }
    if (digests.containsKey(path)) {
      ex.getResponseHeaders().add(HttpLayerStore.DIGEST_HEADER, digests.get(path));
    }
    ex.getResponseHeaders().add("Last-Modified", "Thu, 26 Nov 2026 01:00:00 GMT");
    String range = ex.getRequestHeaders().getFirst("Range");
    if (range != null && ex.getRequestMethod().equals("GET")) {
      rangedGets.incrementAndGet();
      if (ranges != Ranges.IGNORE) {
        sendRange(ex, body, range);
        return;
      }
    }
    send(ex, 200, body);
  }

  /** A single-range answer as RFC 9110 has it (206, or 416 past the end), or a faulty one. */
  private void sendRange(HttpExchange ex, byte[] body, String range) throws IOException {
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("bytes=(\\d+)-(\\d*)").matcher(range);
    if (!m.matches()) {
      send(ex, 200, body);
      return;
    }
    long from = Long.parseLong(m.group(1));
    if (from >= body.length) {
      ex.getResponseHeaders().add("Content-Range", "bytes */" + body.length);
      send(ex, 416, new byte[0]);
      return;
    }
    long to =
        m.group(2).isEmpty()
            ? body.length - 1
            : Math.min(body.length - 1, Long.parseLong(m.group(2)));
    if (ranges == Ranges.WRONG_RANGE) {
      from = 0; // as a cache might: a larger range than asked for
    }
    int length = (int) (to - from + 1);
    ex.getResponseHeaders().add("Content-Range", "bytes " + from + "-" + to + "/" + body.length);
    ex.sendResponseHeaders(206, length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(body, (int) from, length);
    }
    ex.close();
  }

  private static void send(HttpExchange ex, int status, byte[] body) throws IOException {
    boolean head = ex.getRequestMethod().equals("HEAD");
    if (head) {
      ex.getResponseHeaders().add("Content-Length", String.valueOf(body.length));
    }
    ex.sendResponseHeaders(status, head ? -1 : (body.length == 0 ? -1 : body.length));
    if (!head && body.length > 0) {
      try (OutputStream out = ex.getResponseBody()) {
        out.write(body);
      }
    }
    ex.close();
  }

  @Test
  void get_storedObject_returnsVerifiedBytes() throws Exception {
    byte[] bytes = "archive bytes".getBytes(StandardCharsets.UTF_8);
    objects.put("p/a.tar.zst", bytes);
    digests.put("p/a.tar.zst", Digest.sha256(bytes).hex());

    try (StoredObject o = store.get("p/a.tar.zst").orElseThrow()) {
      assertThat(o.stream().readAllBytes()).isEqualTo(bytes);
      assertThat(o.info().digest()).contains(Digest.sha256(bytes));
    }
    assertThat(store.head("p/a.tar.zst"))
        .hasValueSatisfying(i -> assertThat(i.size()).isEqualTo(bytes.length));
  }

  @Test
  void get_missing_isEmpty() throws Exception {
    assertThat(store.get("p/none")).isEmpty();
    assertThat(store.head("p/none")).isEmpty();
  }

  @Test
  void get_bytesNotMatchingTheirDigest_failsAtTheEnd() throws Exception {
    objects.put("p/a.tar.zst", "tampered".getBytes(StandardCharsets.UTF_8));
    digests.put("p/a.tar.zst", Digest.sha256("original").hex());

    try (StoredObject o = store.get("p/a.tar.zst").orElseThrow()) {
      assertThatThrownBy(() -> o.stream().readAllBytes())
          .isInstanceOf(CorruptObjectException.class)
          .hasMessageContaining("does not match its recorded digest");
    }
  }

  @Test
  void getRange_serverHonoursRanges_returnsTheBytesAskedFor() throws Exception {
    byte[] bytes = new byte[10_000];
    new java.util.Random(7).nextBytes(bytes);
    objects.put("p/a.tar.zst", bytes);
    digests.put("p/a.tar.zst", Digest.sha256(bytes).hex());
    ObjectInfo info = store.head("p/a.tar.zst").orElseThrow();

    assertThat(range(store.getRange("p/a.tar.zst", 100, 50)))
        .isEqualTo(java.util.Arrays.copyOfRange(bytes, 100, 150));
    assertThat(range(store.getRange(info, 9_990, 500)))
        .isEqualTo(java.util.Arrays.copyOfRange(bytes, 9_990, 10_000));
    assertThat(range(store.getRange("p/a.tar.zst", 9_000, Long.MAX_VALUE)))
        .isEqualTo(java.util.Arrays.copyOfRange(bytes, 9_000, 10_000));
    assertThat(range(store.getRange("p/a.tar.zst", 10_000, 10))).isEmpty(); // a 416
    assertThat(range(store.getRange("p/a.tar.zst", 0, 0))).isEmpty();
    assertThat(store.getRange("p/none", 0, 10)).isEmpty();
    assertThat(store.honoursRanges()).isTrue();
  }

  @Test
  void getRange_ofObjectInfoReplacedOnTheServer_throwsObjectChanged() throws Exception {
    objects.put("p/a.tar.zst", new byte[1000]);
    digests.put("p/a.tar.zst", Digest.sha256(new byte[1000]).hex());
    ObjectInfo info = store.head("p/a.tar.zst").orElseThrow();
    byte[] other = new byte[1000];
    other[0] = 1;
    objects.put("p/a.tar.zst", other);
    digests.put("p/a.tar.zst", Digest.sha256(other).hex());

    assertThatThrownBy(() -> store.getRange(info, 0, 10))
        .isInstanceOf(ObjectChangedException.class)
        .hasMessageContaining("p/a.tar.zst was replaced while it was read in ranges");
  }

  @Test
  void getRange_serverIgnoresRange_throwsRangeNotSupportedAndAsksOnlyOnce() throws Exception {
    ranges = Ranges.IGNORE;
    objects.put("p/a.tar.zst", new byte[10_000]);

    assertThatThrownBy(() -> store.getRange("p/a.tar.zst", 100, 50))
        .isInstanceOf(RangeNotSupportedException.class)
        .hasMessage(
            "public storage "
                + store.describe()
                + " does not honour byte ranges (it answered HTTP 200 with the whole object);"
                + " cannot read a range of p/a.tar.zst; read the object whole instead");
    assertThat(store.honoursRanges()).isFalse();
    assertThatThrownBy(() -> store.getRange("p/a.tar.zst", 200, 50))
        .isInstanceOf(RangeNotSupportedException.class)
        .hasMessageContaining("to an earlier ranged read");
    assertThat(rangedGets.get()).isEqualTo(1);
    try (StoredObject whole = store.get("p/a.tar.zst").orElseThrow()) {
      assertThat(whole.stream().readAllBytes()).hasSize(10_000);
    }
  }

  @Test
  void getRange_serverAnswersAnotherRange_throwsRangeNotSupported() throws Exception {
    ranges = Ranges.WRONG_RANGE;
    objects.put("p/a.tar.zst", new byte[10_000]);

    assertThatThrownBy(() -> store.getRange("p/a.tar.zst", 100, 50))
        .isInstanceOf(RangeNotSupportedException.class)
        .hasMessageContaining("answered bytes=100-149 with Content-Range 'bytes 0-149/10000'");
    assertThat(store.honoursRanges()).isFalse();
  }

  @Test
  void getRange_bodyCutShort_throwsTransientNamingTheRange() throws Exception {
    // A raw socket, since the JDK's server keeps a connection open after a short body.
    try (java.net.ServerSocket raw =
        new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      Thread server =
          new Thread(
              () -> {
                try (java.net.Socket client = raw.accept()) {
                  java.io.InputStream request = client.getInputStream();
                  byte[] end = "\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
                  int matched = 0;
                  while (matched < end.length) {
                    int b = request.read();
                    matched = b == end[matched] ? matched + 1 : (b == end[0] ? 1 : 0);
                  }
                  OutputStream out = client.getOutputStream();
                  out.write(
                      ("HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 1000-80999/100000\r\n"
                              + "Content-Length: 80000\r\nConnection: close\r\n\r\n")
                          .getBytes(StandardCharsets.US_ASCII));
                  out.write(new byte[40_000]);
                  out.flush();
                } catch (IOException e) {
                  // the test fails on its own if the answer never came
                }
              });
      server.setDaemon(true);
      server.start();
      HttpLayerStore cut =
          new HttpLayerStore(URI.create("http://127.0.0.1:" + raw.getLocalPort() + "/bucket"));

      try (java.io.InputStream in = cut.getRange("p/a.tar.zst", 1000, 80_000).orElseThrow()) {
        assertThatThrownBy(in::readAllBytes)
            .isInstanceOf(TransientStoreException.class)
            .hasMessageContaining("bytes 1000-80999 of " + cut.describe() + "p/a.tar.zst")
            .hasMessageEndingWith("run again");
      }
    }
  }

  private static byte[] range(java.util.Optional<java.io.InputStream> in) throws IOException {
    try (java.io.InputStream s = in.orElseThrow()) {
      return s.readAllBytes();
    }
  }

  @Test
  void list_twoPages_returnsEveryKeyUnderThePrefix() throws Exception {
    objects.put("p/a", new byte[1]);
    objects.put("p/b", new byte[2]);
    objects.put("p/c", new byte[3]);
    objects.put("q/d", new byte[4]);

    assertThat(store.list("p/")).extracting(ObjectInfo::key).containsExactly("p/a", "p/b", "p/c");
  }

  @Test
  void writes_areRefusedAsReadOnly(@org.junit.jupiter.api.io.TempDir Path tmp) {
    assertThatThrownBy(() -> store.put("k", new byte[1], PutMode.OVERWRITE))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("is read-only");
    assertThatThrownBy(() -> store.delete("k")).isInstanceOf(StoreException.class);
  }

  @Test
  void constructor_nonHttpUrl_isRejected() {
    assertThatThrownBy(() -> new HttpLayerStore(URI.create("ftp://example.com/")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must start with http:// or https://");
  }
}
