package dev.halcyon.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.halcyon.s3.CannedS3Server.Body;
import dev.halcyon.store.CorruptObjectException;
import dev.halcyon.store.StoreConfigurationException;
import dev.halcyon.store.StoredObject;
import dev.halcyon.store.TransientStoreException;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What the S3 store makes of answers local servers never give, served byte for byte by a {@link
 * CannedS3Server}: bodies that end before their Content-Length or break off with a reset are {@link
 * TransientStoreException}s naming the key and endpoint (a later range is asked again), only a
 * whole body with the wrong bytes is {@link CorruptObjectException}, and a bucket in another region
 * is one line naming the region to set.
 */
class S3BrokenBodyIT {
  private static final String SECRET = "broken-body-SECRET-never-printed";
  private static final long MIB = 1L << 20;

  private static S3LayerStore store(CannedS3Server server) {
    return S3LayerStore.builder()
        .bucket("bkt")
        .endpoint(server.endpoint())
        .region("us-east-1")
        .credentials("AKIDBROKEN", SECRET)
        .maxAttempts(1)
        .connectTimeout(Duration.ofSeconds(2))
        .socketTimeout(Duration.ofSeconds(5))
        .partSize(5 * MIB)
        .build();
  }

  private static byte[] bytes(int size) {
    byte[] b = new byte[size];
    new Random(size).nextBytes(b);
    return b;
  }

  private static byte[] readAll(S3LayerStore store, String key) throws IOException {
    try (StoredObject o = store.get(key).orElseThrow();
        InputStream in = o.stream()) {
      return in.readAllBytes();
    }
  }

  private static Predicate<CannedS3Server.Request> gets() {
    return r -> r.method().equals("GET");
  }

  @Test
  void get_bodyCutShortOfContentLength_transientNamingKeyBytesAndRunAgain() throws Exception {
    byte[] object = bytes(100_000);
    try (CannedS3Server server =
            CannedS3Server.start(CannedS3Server.object(object, object, Body.CUT_SHORT, gets()));
        S3LayerStore store = store(server)) {
      assertThatThrownBy(() -> readAll(store, "app/one.tar.zst"))
          .isInstanceOf(TransientStoreException.class)
          .hasMessage(
              "download of app/one.tar.zst from s3://bkt was cut short after 50000 of 100000 bytes; the connection to "
                  + server.endpoint()
                  + " closed early; run again");
    }
  }

  @Test
  void get_connectionResetMidBody_transientNamingKeyAndEndpoint() throws Exception {
    byte[] object = bytes(100_000);
    try (CannedS3Server server =
            CannedS3Server.start(CannedS3Server.object(object, object, Body.RESET, gets()));
        S3LayerStore store = store(server)) {
      assertThatThrownBy(() -> readAll(store, "app/one.tar.zst"))
          .isInstanceOf(TransientStoreException.class)
          .hasMessageStartingWith("download of app/one.tar.zst from s3://bkt broke off after ")
          .hasMessageContaining("connection to " + server.endpoint() + " failed (")
          .hasMessageEndingWith("; run again")
          .hasMessageNotContaining(SECRET);
    }
  }

  @Test
  void get_wholeBodyOtherThanRecordedDigest_corrupt() throws Exception {
    byte[] object = bytes(100_000);
    byte[] flipped = object.clone();
    flipped[77_777] ^= 0x10;
    try (CannedS3Server server =
            CannedS3Server.start(CannedS3Server.object(object, flipped, Body.WHOLE, r -> false));
        S3LayerStore store = store(server)) {
      assertThatThrownBy(() -> readAll(store, "app/one.tar.zst"))
          .isInstanceOf(CorruptObjectException.class)
          .hasMessageContaining("s3://bkt/app/one.tar.zst does not match its recorded digest");
    }
  }

  @Test
  void get_firstRangeOfLargeObjectCutShort_transientNotCorrupt() throws Exception {
    byte[] object = bytes((int) (12 * MIB));
    try (CannedS3Server server =
            CannedS3Server.start(
                CannedS3Server.object(
                    object,
                    object,
                    Body.CUT_SHORT,
                    r -> "bytes=0-5242879".equals(r.header("range"))));
        S3LayerStore store = store(server)) {
      assertThatThrownBy(() -> readAll(store, "big.tar.zst"))
          .isInstanceOf(TransientStoreException.class)
          .hasMessage(
              "download of big.tar.zst from s3://bkt was cut short after 2621440 of 5242880 bytes (range 0-5242879 of "
                  + object.length
                  + " bytes); the connection to "
                  + server.endpoint()
                  + " closed early; run again");
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"CUT_SHORT", "RESET"})
  void get_laterRangeBrokenOnce_askedAgainAndReadWhole(String fault) throws Exception {
    byte[] object = bytes((int) (12 * MIB));
    java.util.Set<String> brokenOnce = ConcurrentHashMap.newKeySet();
    Predicate<CannedS3Server.Request> firstTryOfLaterRanges =
        r ->
            r.method().equals("GET")
                && r.header("range") != null
                && !r.header("range").startsWith("bytes=0-")
                && brokenOnce.add(r.header("range"));
    try (CannedS3Server server =
            CannedS3Server.start(
                CannedS3Server.object(object, object, Body.valueOf(fault), firstTryOfLaterRanges));
        S3LayerStore store = store(server)) {
      assertThat(readAll(store, "big.tar.zst")).isEqualTo(object);
      assertThat(brokenOnce).hasSize(2);
      // the first range, two later ranges broken once and asked again
      assertThat(server.requests()).isEqualTo(5);
    }
  }

  @Test
  void get_laterRangeAlwaysCutShort_transientAfterThreeTries() throws Exception {
    byte[] object = bytes((int) (12 * MIB));
    try (CannedS3Server server =
            CannedS3Server.start(
                CannedS3Server.object(
                    object,
                    object,
                    Body.CUT_SHORT,
                    r -> "bytes=10485760-12582911".equals(r.header("range"))));
        S3LayerStore store = store(server)) {
      assertThatThrownBy(() -> readAll(store, "big.tar.zst"))
          .isInstanceOf(TransientStoreException.class)
          .hasMessage(
              "download of big.tar.zst from s3://bkt was cut short after 1048576 of 2097152 bytes (range 10485760-12582911 of "
                  + object.length
                  + " bytes); the connection to "
                  + server.endpoint()
                  + " closed early; run again");
    }
  }

  @Test
  void head_connectionResetBeforeAnswer_transientNamingKeyAndEndpoint() throws Exception {
    CannedS3Server.Responder reset =
        (request, socket, out) -> {
          socket.setSoLinger(true, 0);
          socket.close();
        };
    try (CannedS3Server server = CannedS3Server.start(reset);
        S3LayerStore store = store(server)) {
      assertThatThrownBy(() -> store.head("app/one.tar.zst"))
          .isInstanceOf(TransientStoreException.class)
          .hasMessageContaining("s3://bkt/app/one.tar.zst")
          .hasMessageContaining(server.endpoint().toString())
          .hasMessageNotContaining(SECRET);
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"redirect", "malformed"})
  void everyOperation_bucketInAnotherRegion_oneLineNamingTheRegionToSet(String mode)
      throws Exception {
    try (CannedS3Server server =
            CannedS3Server.start(CannedS3Server.wrongRegion("bkt", "eu-central-1", mode));
        S3LayerStore store = store(server)) {
      String fix =
          "bucket bkt is in region eu-central-1, not us-east-1; set HALCYON_S3_REGION=eu-central-1";
      java.nio.file.Path file = java.nio.file.Files.createTempFile("canned", ".bin");
      try {
        java.nio.file.Files.write(file, new byte[] {1, 2, 3});
        dev.halcyon.layer.Digest digest = dev.halcyon.layer.Digest.sha256(new byte[] {1, 2, 3});
        for (org.assertj.core.api.ThrowableAssert.ThrowingCallable call :
            java.util.List.<org.assertj.core.api.ThrowableAssert.ThrowingCallable>of(
                () -> store.head("k"),
                () -> store.get("k"),
                () -> store.list(""),
                () -> store.put("k", file, digest, dev.halcyon.store.PutMode.OVERWRITE),
                () -> store.deleteAll(java.util.List.of("k")))) {
          assertThatThrownBy(call)
              .isInstanceOf(StoreConfigurationException.class)
              .hasMessageEndingWith(fix)
              .hasMessageNotContaining("\n")
              .hasMessageNotContaining(SECRET);
        }
      } finally {
        java.nio.file.Files.delete(file);
      }
    }
  }
}
