package dev.halcyon.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.halcyon.layer.Digest;
import dev.halcyon.s3.CannedS3Server.Body;
import dev.halcyon.s3.CannedS3Server.Request;
import dev.halcyon.store.ObjectChangedException;
import dev.halcyon.store.ObjectInfo;
import dev.halcyon.store.RangeNotSupportedException;
import dev.halcyon.store.StoredObject;
import dev.halcyon.store.TransientStoreException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Ranged reads of the S3 store against answers S3Mock and S3Proxy never give, served byte for byte
 * by a {@link CannedS3Server}: a service that ignores Range (200 with the whole object) or answers
 * another range is never taken for a range and is asked only once; a range body cut short or reset
 * is transient; a 5xx is transient; an object replaced between ranges is detected.
 */
class S3RangeReadIT {
  private static final String SECRET = "range-read-SECRET-never-printed";

  private static S3LayerStore store(CannedS3Server server) {
    return S3LayerStore.builder()
        .bucket("bkt")
        .endpoint(server.endpoint())
        .region("us-east-1")
        .credentials("AKIDRANGE", SECRET)
        .maxAttempts(1)
        .connectTimeout(Duration.ofSeconds(2))
        .socketTimeout(Duration.ofSeconds(5))
        .build();
  }

  private static byte[] bytes(int size) {
    byte[] b = new byte[size];
    new Random(size).nextBytes(b);
    return b;
  }

  private static byte[] read(Optional<InputStream> in) throws IOException {
    try (InputStream s = in.orElseThrow()) {
      return s.readAllBytes();
    }
  }

  /** Serves {@code object}, recording every request, after {@code rewrite} changed it. */
  private static CannedS3Server.Responder serving(
      byte[] object, List<Request> seen, UnaryOperator<Request> rewrite) {
    CannedS3Server.Responder sound = CannedS3Server.object(object, object, Body.WHOLE, r -> false);
    return (request, socket, out) -> {
      seen.add(request);
      sound.respond(rewrite.apply(request), socket, out);
    };
  }

  /** {@code request} with its Range header replaced by {@code range}, or dropped if null. */
  private static Request withRange(Request request, String range) {
    Map<String, String> headers = new LinkedHashMap<>(request.headers());
    headers.remove("range");
    if (range != null) {
      headers.put("range", range);
    }
    return new Request(request.number(), request.method(), request.target(), headers);
  }

  @Test
  void getRange_serviceHonoursRange_oneGetWithThatRange() throws Exception {
    byte[] object = bytes(100_000);
    List<Request> seen = new CopyOnWriteArrayList<>();
    try (CannedS3Server server = CannedS3Server.start(serving(object, seen, r -> r));
        S3LayerStore store = store(server)) {
      assertThat(read(store.getRange("app/one.tar.zst", 1000, 500)))
          .isEqualTo(Arrays.copyOfRange(object, 1000, 1500));
      assertThat(read(store.getRange("app/one.tar.zst", 99_900, 1000)))
          .isEqualTo(Arrays.copyOfRange(object, 99_900, 100_000));

      assertThat(seen)
          .extracting(r -> r.header("range"))
          .containsExactly("bytes=1000-1499", "bytes=99900-100899");
      assertThat(store.honoursRanges()).isTrue();
    }
  }

  @Test
  void getRange_serviceAnswers200WithWholeObject_rangeNotSupportedAskedOnce() throws Exception {
    byte[] object = bytes(100_000);
    List<Request> seen = new CopyOnWriteArrayList<>();
    try (CannedS3Server server =
            CannedS3Server.start(serving(object, seen, r -> withRange(r, null)));
        S3LayerStore store = store(server)) {
      assertThatThrownBy(() -> store.getRange("app/one.tar.zst", 1000, 500))
          .isInstanceOf(RangeNotSupportedException.class)
          .hasMessage(
              "could not read a range of s3://bkt/app/one.tar.zst: "
                  + server.endpoint()
                  + " does not honour byte ranges (it answered HTTP 200 with the whole object);"
                  + " read the object whole instead");
      assertThat(store.honoursRanges()).isFalse();
      assertThatThrownBy(() -> store.getRange("app/two.tar.zst", 0, 10))
          .isInstanceOf(RangeNotSupportedException.class)
          .hasMessageContaining("app/two.tar.zst")
          .hasMessageContaining("to an earlier ranged GET")
          .hasMessageNotContaining(SECRET);
      assertThat(seen).hasSize(1);

      try (StoredObject whole = store.get("app/one.tar.zst").orElseThrow()) {
        assertThat(whole.stream().readAllBytes()).isEqualTo(object);
      }
    }
  }

  @Test
  void getRange_serviceAnswersAnotherRange_rangeNotSupported() throws Exception {
    byte[] object = bytes(100_000);
    List<Request> seen = new CopyOnWriteArrayList<>();
    // As a cache may: a larger range than asked for, starting at 0.
    UnaryOperator<Request> fromZero =
        r ->
            withRange(
                r,
                r.header("range") == null ? null : r.header("range").replaceFirst("=\\d+-", "=0-"));
    try (CannedS3Server server = CannedS3Server.start(serving(object, seen, fromZero));
        S3LayerStore store = store(server)) {
      assertThatThrownBy(() -> store.getRange("app/one.tar.zst", 1000, 500))
          .isInstanceOf(RangeNotSupportedException.class)
          .hasMessageContaining(
              "answered bytes=1000-1499 with Content-Range 'bytes 0-1499/100000' and Content-Length 1500");
      assertThat(store.honoursRanges()).isFalse();
    }
  }

  @Test
  void getRange_bodyResetMidRange_transientNamingKeyAndRunAgain() throws Exception {
    byte[] object = bytes(300_000);
    try (CannedS3Server server =
            CannedS3Server.start(
                CannedS3Server.object(object, object, Body.RESET, r -> r.header("range") != null));
        S3LayerStore store = store(server);
        InputStream in = store.getRange("app/one.tar.zst", 10_000, 200_000).orElseThrow()) {
      assertThatThrownBy(in::readAllBytes)
          .isInstanceOf(TransientStoreException.class)
          .hasMessageStartingWith("download of app/one.tar.zst from s3://bkt broke off after ")
          .hasMessageMatching(
              ".* broke off after \\d+ of 200000 bytes \\(range 10000-209999 of 300000 bytes\\):"
                  + " connection to .*")
          .hasMessageEndingWith("; run again")
          .hasMessageNotContaining(SECRET);
    }
  }

  @Test
  void getRange_bodyCutShort_transientNamingTheRange() throws Exception {
    byte[] object = bytes(300_000);
    try (CannedS3Server server =
            CannedS3Server.start(
                CannedS3Server.object(
                    object, object, Body.CUT_SHORT, r -> r.header("range") != null));
        S3LayerStore store = store(server);
        InputStream in = store.getRange("app/one.tar.zst", 10_000, 200_000).orElseThrow()) {
      assertThatThrownBy(in::readAllBytes)
          .isInstanceOf(TransientStoreException.class)
          .hasMessage(
              "download of app/one.tar.zst from s3://bkt was cut short after 100000 of 200000 bytes"
                  + " (range 10000-209999 of 300000 bytes); the connection to "
                  + server.endpoint()
                  + " closed early; run again");
    }
  }

  @Test
  void getRange_serviceAnswers503_transient() throws Exception {
    CannedS3Server.Responder slowDown =
        (request, socket, out) -> {
          byte[] xml =
              ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>SlowDown</Code>"
                      + "<Message>Please reduce your request rate.</Message></Error>")
                  .getBytes(StandardCharsets.UTF_8);
          out.write(
              ("HTTP/1.1 503 Slow Down\r\nContent-Type: application/xml\r\nContent-Length: "
                      + xml.length
                      + "\r\nConnection: close\r\n\r\n")
                  .getBytes(StandardCharsets.ISO_8859_1));
          out.write(xml);
        };
    try (CannedS3Server server = CannedS3Server.start(slowDown);
        S3LayerStore store = store(server)) {
      assertThatThrownBy(() -> store.getRange("app/one.tar.zst", 0, 100))
          .isInstanceOf(TransientStoreException.class)
          .hasMessageContaining("s3://bkt/app/one.tar.zst")
          .hasMessageContaining("503 SlowDown");
      assertThat(store.honoursRanges()).isTrue();
    }
  }

  @Test
  void getRange_ofObjectInfoWhoseObjectWasReplaced_objectChanged() throws Exception {
    byte[] object = bytes(100_000);
    ObjectInfo before =
        new ObjectInfo(
            "app/one.tar.zst",
            object.length,
            Optional.of(Digest.sha256("the object before")),
            Instant.parse("2026-11-26T00:00:00Z"));
    try (CannedS3Server server =
            CannedS3Server.start(CannedS3Server.object(object, object, Body.WHOLE, r -> false));
        S3LayerStore store = store(server)) {
      ObjectInfo now = store.head("app/one.tar.zst").orElseThrow();
      assertThat(read(store.getRange(now, 5, 10))).isEqualTo(Arrays.copyOfRange(object, 5, 15));

      assertThatThrownBy(() -> store.getRange(before, 5, 10))
          .isInstanceOf(ObjectChangedException.class)
          .hasMessageContaining(
              "s3://bkt/app/one.tar.zst was replaced while it was read in ranges");
    }
  }
}
