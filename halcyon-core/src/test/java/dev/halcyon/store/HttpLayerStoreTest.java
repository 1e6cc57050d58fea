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
    send(ex, 200, body);
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
