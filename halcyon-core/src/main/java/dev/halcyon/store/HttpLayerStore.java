package dev.halcyon.store;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.halcyon.hash.VerifyingInputStream;
import dev.halcyon.layer.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Read-only public storage: an HTTP(S) URL that serves an S3-style bucket (objects under the URL;
 * listing by {@code ?list-type=2}). Writes and deletes fail with {@link StoreException}.
 *
 * <p>The SHA-256 is read from the {@code x-amz-meta-halcyon-sha256} header when the server sends
 * it, and verified while reading; the length is always verified. Ranged reads send {@code Range:
 * bytes=a-b} and take only a 206 answer whose {@code Content-Range} is the range asked for; a
 * server that answers 200 (the whole object) or another range is remembered, and every later ranged
 * read fails with {@link RangeNotSupportedException} without asking it again ({@link
 * #honoursRanges()}). Thread-safe.
 */
public final class HttpLayerStore implements LayerStore {
  /** The response header carrying an object's SHA-256, as written by the S3 store. */
  public static final String DIGEST_HEADER = "x-amz-meta-halcyon-sha256";

  private final URI base;
  private final HttpClient client;
  private final Duration timeout;
  private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+)");

  /** What the server answered to the first ranged read it did not honour; null until then. */
  private volatile String rangesRefused;

  /**
   * @param baseUrl the bucket's URL, e.g. {@code https://example.com/bucket/} (a trailing slash is
   *     added when missing)
   */
  public HttpLayerStore(URI baseUrl) {
    this(baseUrl, Duration.ofSeconds(5), Duration.ofSeconds(60));
  }

  /**
   * A store with explicit timeouts; a request that exceeds one fails with a {@link
   * TransientStoreException}.
   *
   * @param baseUrl the bucket's URL, e.g. {@code https://example.com/bucket/} (a trailing slash is
   *     added when missing)
   * @param connectTimeout how long to wait for a connection to the server
   * @param requestTimeout how long to wait for each request's response to begin
   */
  public HttpLayerStore(URI baseUrl, Duration connectTimeout, Duration requestTimeout) {
    checkNotNull(baseUrl, "baseUrl");
    String scheme = String.valueOf(baseUrl.getScheme());
    checkArgument(
        scheme.equals("http") || scheme.equals("https"),
        "public storage URL must start with http:// or https://, got '%s'",
        baseUrl);
    String text = baseUrl.toString();
    this.base = URI.create(text.endsWith("/") ? text : text + "/");
    this.client =
        HttpClient.newBuilder()
            .connectTimeout(connectTimeout)
            .followRedirects(HttpClient.Redirect.NORMAL)
            .build();
    this.timeout = requestTimeout;
  }

  @Override
  public Optional<ObjectInfo> head(String key) throws IOException {
    HttpResponse<Void> response =
        send(
            request(key).method("HEAD", HttpRequest.BodyPublishers.noBody()).build(),
            HttpResponse.BodyHandlers.discarding(),
            key);
    if (missing(response.statusCode())) {
      return Optional.empty();
    }
    checkOk(response.statusCode(), key);
    return Optional.of(info(key, response));
  }

  @Override
  public Optional<StoredObject> get(String key) throws IOException {
    HttpResponse<InputStream> response =
        send(request(key).GET().build(), HttpResponse.BodyHandlers.ofInputStream(), key);
    if (missing(response.statusCode()) || response.statusCode() >= 300) {
      response.body().close();
      if (missing(response.statusCode())) {
        return Optional.empty();
      }
      checkOk(response.statusCode(), key);
    }
    ObjectInfo info = info(key, response);
    long length = response.headers().firstValueAsLong("content-length").orElse(-1);
    return Optional.of(
        new StoredObject(
            info,
            new VerifyingInputStream(
                response.body(),
                describe() + key,
                length,
                info.digest(),
                CorruptObjectException::new)));
  }

  @Override
  public Optional<InputStream> getRange(String key, long offset, long length) throws IOException {
    Ranges.checkRange(offset, length);
    return range(key, Optional.empty(), offset, length);
  }

  @Override
  public Optional<InputStream> getRange(ObjectInfo object, long offset, long length)
      throws IOException {
    checkNotNull(object, "object");
    Ranges.checkRange(offset, length);
    return range(object.key(), Optional.of(object), offset, length);
  }

  /**
   * False once the server answered a ranged read with the whole object or another range than the
   * one asked for; ranged reads then fail at once with {@link RangeNotSupportedException}.
   *
   * @return true until the server has been seen to ignore a requested range or answer another
   */
  public boolean honoursRanges() {
    return rangesRefused == null;
  }

  private Optional<InputStream> range(
      String key, Optional<ObjectInfo> expected, long offset, long length) throws IOException {
    if (length == 0 || (expected.isPresent() && offset >= expected.get().size())) {
      // No byte to ask for ("bytes=a-(a-1)" is not a range): existence and identity are enough.
      return nothingToRead(key, expected);
    }
    String refused = rangesRefused;
    if (refused != null) {
      throw rangesNotHonoured(key, refused, true);
    }
    boolean toTheEnd = length > Long.MAX_VALUE - offset;
    String asked = "bytes=" + offset + "-" + (toTheEnd ? "" : String.valueOf(offset + length - 1));
    HttpResponse<InputStream> response =
        send(
            request(key).header("Range", asked).GET().build(),
            HttpResponse.BodyHandlers.ofInputStream(),
            key);
    int status = response.statusCode();
    InputStream body = response.body();
    boolean handedOver = false;
    try {
      if (missing(status)) {
        return Optional.empty();
      }
      if (status == 416) {
        // The range starts at or past the end; for a known object that means it shrank.
        return expected.isEmpty() ? Optional.of(Ranges.empty()) : nothingToRead(key, expected);
      }
      if (status != 206 && status < 300) {
        throw refuseRanges(key, "answered HTTP " + status + " with the whole object");
      }
      checkOk(status, key);
      if (status != 206) {
        throw refuseRanges(key, "answered HTTP " + status + " to a ranged GET");
      }
      String contentRange = response.headers().firstValue("content-range").orElse("");
      Matcher m = CONTENT_RANGE.matcher(contentRange);
      if (!m.matches()) {
        throw refuseRanges(key, "answered " + asked + " with Content-Range '" + contentRange + "'");
      }
      long first = Long.parseLong(m.group(1));
      long last = Long.parseLong(m.group(2));
      long total = Long.parseLong(m.group(3));
      if (first != offset || last + 1 != Ranges.end(offset, length, total) || last < first) {
        throw refuseRanges(key, "answered " + asked + " with Content-Range '" + contentRange + "'");
      }
      if (expected.isPresent()) {
        ObjectInfo now = info(key, response, total);
        if (!expected.get().isSameObject(now)) {
          throw Ranges.changed(base.toString(), expected.get(), now);
        }
      }
      handedOver = true;
      return Optional.of(new HttpRangeInputStream(body, describe() + key, first, last - first + 1));
    } finally {
      if (!handedOver) {
        body.close();
      }
    }
  }

  /** A read of no bytes: empty if nothing is stored, an empty stream if the object is there. */
  private Optional<InputStream> nothingToRead(String key, Optional<ObjectInfo> expected)
      throws IOException {
    Optional<ObjectInfo> now = head(key);
    if (now.isEmpty()) {
      return Optional.empty();
    }
    if (expected.isPresent() && !expected.get().isSameObject(now.get())) {
      throw Ranges.changed(base.toString(), expected.get(), now.get());
    }
    return Optional.of(Ranges.empty());
  }

  private RangeNotSupportedException refuseRanges(String key, String answer) {
    rangesRefused = answer;
    return rangesNotHonoured(key, answer, false);
  }

  private RangeNotSupportedException rangesNotHonoured(
      String key, String answer, boolean remembered) {
    return new RangeNotSupportedException(
        "public storage "
            + base
            + " does not honour byte ranges (it "
            + answer
            + (remembered ? ", to an earlier ranged read" : "")
            + "); cannot read a range of "
            + key
            + "; read the object whole instead");
  }

  @Override
  public PutResult put(String key, Path source, Digest digest, PutMode mode) throws IOException {
    throw readOnly();
  }

  @Override
  public PutResult put(String key, byte[] bytes, PutMode mode) throws IOException {
    throw readOnly();
  }

  @Override
  public boolean delete(String key) throws IOException {
    throw readOnly();
  }

  @Override
  public List<ObjectInfo> list(String prefix) throws IOException {
    List<ObjectInfo> out = new ArrayList<>();
    String token = null;
    do {
      StringBuilder query = new StringBuilder("?list-type=2&prefix=").append(encode(prefix));
      if (token != null) {
        query.append("&continuation-token=").append(encode(token));
      }
      HttpResponse<InputStream> response =
          send(
              HttpRequest.newBuilder(base.resolve(query.toString())).timeout(timeout).GET().build(),
              HttpResponse.BodyHandlers.ofInputStream(),
              prefix);
      try (InputStream body = response.body()) {
        checkOk(response.statusCode(), "listing of '" + prefix + "'");
        Document doc = parse(body);
        NodeList contents = doc.getElementsByTagName("Contents");
        for (int i = 0; i < contents.getLength(); i++) {
          Element c = (Element) contents.item(i);
          out.add(
              new ObjectInfo(
                  text(c, "Key"),
                  Long.parseLong(text(c, "Size")),
                  Optional.empty(),
                  Instant.parse(text(c, "LastModified"))));
        }
        token =
            "true".equals(text(doc.getDocumentElement(), "IsTruncated"))
                ? text(doc.getDocumentElement(), "NextContinuationToken")
                : null;
      }
    } while (token != null && !token.isEmpty());
    out.sort(Comparator.comparing(ObjectInfo::key));
    return out;
  }

  @Override
  public String describe() {
    return base.toString();
  }

  @Override
  public String toString() {
    return "HttpLayerStore[" + base + "]";
  }

  private HttpRequest.Builder request(String key) {
    checkArgument(
        !key.isEmpty() && !key.startsWith("/") && !key.contains(".."), "bad key '%s'", key);
    String path =
        String.join("/", Arrays.stream(key.split("/")).map(HttpLayerStore::encodePath).toList());
    return HttpRequest.newBuilder(base.resolve(path)).timeout(timeout);
  }

  private <T> HttpResponse<T> send(
      HttpRequest request, HttpResponse.BodyHandler<T> handler, String what) throws IOException {
    try {
      return client.send(request, handler);
    } catch (HttpTimeoutException e) {
      throw new TransientStoreException(
          "public storage "
              + base
              + " did not answer in time for "
              + what
              + "; check HALCYON_PUBLIC_STORAGE_URL or try later",
          e);
    } catch (ConnectException e) {
      throw new TransientStoreException(
          "cannot connect to public storage "
              + base
              + " ("
              + what
              + "); check HALCYON_PUBLIC_STORAGE_URL",
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while reading " + what + " from " + base);
    }
  }

  private static boolean missing(int status) {
    // S3 answers 403 for a missing key when the reader may not list the bucket.
    return status == 404 || status == 403;
  }

  private void checkOk(int status, String what) throws StoreException {
    if (status >= 500 || status == 429) {
      throw new TransientStoreException(
          "public storage "
              + base
              + " answered HTTP "
              + status
              + " for "
              + what
              + "; try again later");
    }
    if (status >= 300) {
      throw new StoreConfigurationException(
          "public storage "
              + base
              + " answered HTTP "
              + status
              + " for "
              + what
              + "; check HALCYON_PUBLIC_STORAGE_URL");
    }
  }

  private static ObjectInfo info(String key, HttpResponse<?> response) {
    return info(key, response, response.headers().firstValueAsLong("content-length").orElse(0));
  }

  /** What {@code response} says of the object, whose whole length is {@code size}. */
  private static ObjectInfo info(String key, HttpResponse<?> response, long size) {
    var headers = response.headers();
    Optional<Digest> digest = headers.firstValue(DIGEST_HEADER).flatMap(HttpLayerStore::digest);
    Instant modified =
        headers
            .firstValue("last-modified")
            .map(
                v -> {
                  try {
                    return ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                  } catch (RuntimeException e) {
                    return Instant.EPOCH;
                  }
                })
            .orElse(Instant.EPOCH);
    return new ObjectInfo(key, size, digest, modified);
  }

  private static Optional<Digest> digest(String value) {
    try {
      return Optional.of(value.startsWith("sha256:") ? Digest.parse(value) : new Digest(value));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  private StoreException readOnly() {
    return new StoreException(
        "public storage "
            + base
            + " is read-only; uploads and deletes go to private storage (HALCYON_S3_BUCKET or HALCYON_STORAGE_DIR)");
  }

  private static Document parse(InputStream in) throws IOException {
    try {
      DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
      factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      factory.setExpandEntityReferences(false);
      return factory.newDocumentBuilder().parse(in);
    } catch (ParserConfigurationException | org.xml.sax.SAXException e) {
      throw new StoreException("public storage listing is not S3 XML: " + e.getMessage(), e);
    }
  }

  private static String text(Element parent, String tag) {
    NodeList nodes = parent.getElementsByTagName(tag);
    return nodes.getLength() == 0 ? "" : nodes.item(0).getTextContent();
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static String encodePath(String segment) {
    return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
