package dev.halcyon.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.halcyon.layer.Digest;
import dev.halcyon.store.GrowingFile;
import dev.halcyon.store.ObjectInfo;
import dev.halcyon.store.PutMode;
import dev.halcyon.store.PutResult;
import dev.halcyon.store.StoreConfigurationException;
import dev.halcyon.store.StoredObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store against {@link QuirkyS3Server}s that answer as S3-compatible services lacking a feature
 * do: each fallback is detected from the answer, kept for the store's life and reported once; and a
 * service that stores request bodies verbatim reproduces the aws-chunked framing problem, with the
 * fix (no framing over plain HTTP) and the diagnosis (one line naming the setting).
 */
class S3CompatibilityIT {
  private static final String BUCKET = "quirky";
  private static final long MIB = 1024 * 1024;

  @TempDir Path tmp;

  private final List<String> notices = new CopyOnWriteArrayList<>();

  private S3LayerStore.Builder builder(QuirkyS3Server server) {
    return S3LayerStore.builder()
        .bucket(BUCKET)
        .folder("f")
        .endpoint(server.endpoint())
        .credentials("quirky-key", "quirky-secret-never-shown")
        .maxAttempts(1)
        .notices(notices::add);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] read(StoredObject o) throws IOException {
    try (InputStream in = o.stream()) {
      return in.readAllBytes();
    }
  }

  // ---- aws-chunked framing

  @Test
  void put_overPlainHttpByDefault_isStoredByteForByteAndSignedWhole() throws Exception {
    Path file = S3StoreScenarios.randomFile(tmp, "a.tar", (12 * MIB) + 5, 1);
    Digest digest = S3StoreScenarios.digestOf(file);
    byte[] small = bytes("a manifest");
    try (QuirkyS3Server server =
            QuirkyS3Server.start(BUCKET, QuirkyS3Server.Quirk.STORES_BODIES_VERBATIM);
        S3LayerStore store =
            builder(server).partSize(5 * MIB).multipartThreshold(8 * MIB).build()) {
      store.put("m", small, PutMode.OVERWRITE);
      store.put("a.tar", file, digest, PutMode.OVERWRITE);

      assertThat(server.stored("f/m")).isEqualTo(small);
      assertThat(server.stored("f/a.tar")).isEqualTo(Files.readAllBytes(file));
      List<QuirkyS3Server.Request> puts =
          server.requests().stream().filter(r -> r.method().equals("PUT")).toList();
      assertThat(puts).hasSizeGreaterThanOrEqualTo(4);
      assertThat(puts)
          .allSatisfy(
              r -> {
                assertThat(r.header("content-encoding")).isNull();
                assertThat(r.header("x-amz-content-sha256")).matches("[0-9a-f]{64}");
              });
      assertThat(server.requests().stream().filter(r -> r.path().equals("/quirky/f/m")))
          .anySatisfy(
              r ->
                  assertThat(r.header("x-amz-content-sha256"))
                      .isEqualTo(Digest.sha256(small).hex()));
      try (StoredObject o = store.get("a.tar").orElseThrow()) {
        assertThat(Digest.sha256(read(o))).isEqualTo(digest);
      }
    }
  }

  @Test
  void put_chunkedForcedOnAVerbatimService_failsNamingTheSettingAndLeavesNothing()
      throws Exception {
    try (QuirkyS3Server server =
            QuirkyS3Server.start(BUCKET, QuirkyS3Server.Quirk.STORES_BODIES_VERBATIM);
        S3LayerStore store = builder(server).chunkedEncoding(true).build()) {
      assertThatThrownBy(() -> store.put("m", bytes("a manifest"), PutMode.OVERWRITE))
          .isInstanceOf(StoreConfigurationException.class)
          .hasMessageContaining("s3://quirky/f/m was stored as")
          .hasMessageContaining("for the 10 sent")
          .hasMessageContaining("aws-chunked")
          .hasMessageContaining("set HALCYON_S3_CHUNKED_ENCODING=off")
          .hasMessageContaining("the stored object was deleted")
          .hasMessageNotContaining("quirky-secret-never-shown")
          .hasMessageNotContaining("damaged")
          .hasMessageNotContaining("rebuild");
      assertThat(server.stored("f/m")).isNull();
      assertThat(
              server.requests().stream()
                  .filter(r -> r.method().equals("PUT"))
                  .map(r -> r.header("x-amz-content-sha256")))
          .contains("STREAMING-AWS4-HMAC-SHA256-PAYLOAD");
    }
  }

  @Test
  void get_ofAnObjectStoredWithFraming_failsAtOnceNamingTheSettingNotDamage() throws Exception {
    byte[] payload = new byte[3000];
    java.util.Arrays.fill(payload, (byte) 'x');
    try (QuirkyS3Server server =
        QuirkyS3Server.start(BUCKET, QuirkyS3Server.Quirk.STORES_BODIES_VERBATIM)) {
      // What a framing-storing service held after an older, framed upload.
      String signature = "0e4e".repeat(16);
      byte[] framed =
          (Integer.toHexString(payload.length)
                  + ";chunk-signature="
                  + signature
                  + "\r\n"
                  + new String(payload, StandardCharsets.ISO_8859_1)
                  + "\r\n0;chunk-signature="
                  + signature
                  + "\r\n\r\n")
              .getBytes(StandardCharsets.ISO_8859_1);
      server.put(
          "f/build.tar.zst",
          framed,
          Map.of(
              "x-amz-meta-halcyon-sha256",
              Digest.sha256(payload).hex(),
              "content-encoding",
              "aws-chunked"));
      try (S3LayerStore store = builder(server).build();
          StoredObject o = store.get("build.tar.zst").orElseThrow()) {
        byte[] first = new byte[4];
        assertThatThrownBy(() -> o.stream().read(first))
            .isInstanceOf(StoreConfigurationException.class)
            .hasMessageContaining("s3://quirky/f/build.tar.zst begins with an aws-chunked chunk")
            .hasMessageContaining("set HALCYON_S3_CHUNKED_ENCODING=off")
            .hasMessageNotContaining("delete it")
            .hasMessageNotContaining("damaged");
      }
    }
  }

  @Test
  void get_ofAnOrdinaryObjectBeginningWithHex_isReadWhole() throws Exception {
    byte[] payload = bytes("616;not a chunk header, just text\r\n" + "y".repeat(200));
    try (QuirkyS3Server server = QuirkyS3Server.start(BUCKET);
        S3LayerStore store = builder(server).build()) {
      store.put("t", payload, PutMode.OVERWRITE);
      try (StoredObject o = store.get("t").orElseThrow()) {
        assertThat(read(o)).isEqualTo(payload);
      }
    }
  }

  // ---- overlapped uploads

  @Test
  void putWhileWriting_serviceHasPartCopy_storedOverlappedWithItsDigest() throws Exception {
    try (QuirkyS3Server server = QuirkyS3Server.start(BUCKET);
        S3LayerStore store =
            builder(server).partSize(5 * MIB).multipartThreshold(5 * MIB).build()) {
      GrowingFile file = new GrowingFile(tmp.resolve("a.tar.zst"));
      GrowingWriter writer = GrowingWriter.writing(file, 12 * MIB + 5, 11);
      PutResult result = store.putWhileWriting("a.tar.zst", file, PutMode.IF_ABSENT, n -> {});
      writer.join();

      assertThat(result.info().digest()).contains(writer.digest());
      try (StoredObject o = store.get("a.tar.zst").orElseThrow()) {
        assertThat(Digest.sha256(read(o))).isEqualTo(writer.digest());
      }
      assertThat(server.requests())
          .filteredOn(r -> r.header("x-amz-copy-source") != null)
          .hasSize(1);
      assertThat(server.keys())
          .filteredOn(k -> !k.startsWith("f/.halcyon-probe/"))
          .containsExactly("f/a.tar.zst");
    }
    assertThat(notices).isEmpty();
  }

  @Test
  void putWhileWriting_serviceLacksPartCopy_uploadsTheFinishedFileAndStopsTrying()
      throws Exception {
    try (QuirkyS3Server server = QuirkyS3Server.start(BUCKET, QuirkyS3Server.Quirk.NO_PART_COPY);
        S3LayerStore store =
            builder(server).partSize(5 * MIB).multipartThreshold(5 * MIB).build()) {
      for (String key : List.of("a.tar.zst", "b.tar.zst")) {
        GrowingFile file = new GrowingFile(tmp.resolve(key));
        GrowingWriter writer = GrowingWriter.writing(file, 12 * MIB + 5, key.hashCode());
        PutResult result = store.putWhileWriting(key, file, PutMode.IF_ABSENT, n -> {});
        writer.join();

        assertThat(result.written()).isTrue();
        assertThat(result.info().digest()).contains(writer.digest());
        try (StoredObject o = store.get(key).orElseThrow()) {
          assertThat(Digest.sha256(read(o))).isEqualTo(writer.digest());
        }
      }
      assertThat(server.requests())
          .as("UploadPartCopy tried once, then remembered as missing")
          .filteredOn(r -> r.header("x-amz-copy-source") != null)
          .hasSize(1);
      assertThat(server.keys())
          .filteredOn(k -> !k.startsWith("f/.halcyon-probe/"))
          .containsExactly("f/a.tar.zst", "f/b.tar.zst");
    }
    assertThat(notices).singleElement().asString().contains("lacks UploadPartCopy").contains("501");
  }

  // ---- conditional writes

  @Test
  void putIfAbsent_serviceIgnoresIfNoneMatch_detectedOnceAndGuardedByHeads() throws Exception {
    try (QuirkyS3Server server =
            QuirkyS3Server.start(BUCKET, QuirkyS3Server.Quirk.IF_NONE_MATCH_IGNORED);
        S3LayerStore store = builder(server).build()) {
      PutResult first = store.put("k", bytes("one"), PutMode.IF_ABSENT);
      PutResult second = store.put("k", bytes("two"), PutMode.IF_ABSENT);
      store.put("k2", bytes("three"), PutMode.IF_ABSENT);

      assertThat(first.written()).isTrue();
      assertThat(second.written()).isFalse();
      assertThat(server.stored("f/k")).isEqualTo(bytes("one"));
      assertThat(server.stored("f/" + ConditionalWrites.PROBE_KEY)).isEmpty();
      assertThat(store.list("")).extracting(ObjectInfo::key).containsExactly("k", "k2");
      assertThat(notices).hasSize(1);
      assertThat(notices.get(0))
          .contains("s3://quirky/f")
          .contains("ignores it")
          .contains("If-None-Match")
          .contains("HEAD before and after");
      // The probe ran once for the store's life.
      assertThat(
              server.requests().stream()
                  .filter(r -> r.path().endsWith(ConditionalWrites.PROBE_KEY)))
          .hasSize(2);
      assertThat(
              server.requests().stream()
                  .filter(r -> !r.path().endsWith(ConditionalWrites.PROBE_KEY))
                  .filter(r -> r.header("if-none-match") != null))
          .isEmpty();
    }
  }

  @Test
  void putIfAbsent_serviceAnswers501_singleAndMultipartFallBackOnce() throws Exception {
    Path file = S3StoreScenarios.randomFile(tmp, "big.tar", 11 * MIB, 2);
    Digest digest = S3StoreScenarios.digestOf(file);
    try (QuirkyS3Server server =
            QuirkyS3Server.start(BUCKET, QuirkyS3Server.Quirk.IF_NONE_MATCH_501);
        S3LayerStore store =
            builder(server).partSize(5 * MIB).multipartThreshold(8 * MIB).build()) {
      assertThat(store.put("small", bytes("s"), PutMode.IF_ABSENT).written()).isTrue();
      assertThat(store.put("big.tar", file, digest, PutMode.IF_ABSENT).written()).isTrue();
      assertThat(store.put("big.tar", file, digest, PutMode.IF_ABSENT).written()).isFalse();

      assertThat(server.stored("f/big.tar")).isEqualTo(Files.readAllBytes(file));
      assertThat(notices).singleElement().asString().contains("501 Not Implemented");
    }
  }

  @Test
  void putIfAbsent_serviceKeepsIfNoneMatch_noNoticeAndConditionSent() throws Exception {
    try (QuirkyS3Server server = QuirkyS3Server.start(BUCKET);
        S3LayerStore store = builder(server).build()) {
      assertThat(store.put("k", bytes("one"), PutMode.IF_ABSENT).written()).isTrue();

      assertThat(notices).isEmpty();
      assertThat(
              server.requests().stream()
                  .filter(r -> r.path().equals("/quirky/f/k") && r.method().equals("PUT")))
          .singleElement()
          .satisfies(r -> assertThat(r.header("if-none-match")).isEqualTo("*"));
    }
  }

  // ---- DeleteObjects, ListObjectsV2, checksum headers

  @Test
  void deleteAll_serviceWithoutDeleteObjects_deletesOneByOneAndCountsEveryRequest()
      throws Exception {
    try (QuirkyS3Server server =
            QuirkyS3Server.start(BUCKET, QuirkyS3Server.Quirk.NO_DELETE_OBJECTS);
        S3LayerStore store = builder(server).build()) {
      for (String k : List.of("a", "b", "c", "d", "e")) {
        store.put(k, bytes(k), PutMode.OVERWRITE);
      }

      int first = store.deleteAll(List.of("a", "b", "c"));
      int second = store.deleteAll(List.of("d", "e"));

      assertThat(first).isEqualTo(1 + 3);
      assertThat(second).isEqualTo(2);
      assertThat(store.list("")).isEmpty();
      assertThat(server.count("POST", "delete")).isEqualTo(1);
      assertThat(notices)
          .singleElement()
          .asString()
          .contains("no DeleteObjects")
          .contains("501 NotImplemented");
    }
  }

  @Test
  void list_serviceKnowsOnlyV1_listsEveryKeyWithMarkers() throws Exception {
    try (QuirkyS3Server server = QuirkyS3Server.start(BUCKET, QuirkyS3Server.Quirk.LIST_V1_ONLY);
        S3LayerStore store = builder(server).listPageSize(2).build()) {
      for (String k : List.of("a", "b", "c", "d", "e")) {
        store.put("p/" + k, bytes(k), PutMode.OVERWRITE);
      }

      List<ObjectInfo> first = store.list("p/");
      List<ObjectInfo> second = store.list("p/");

      assertThat(first)
          .extracting(ObjectInfo::key)
          .containsExactly("p/a", "p/b", "p/c", "p/d", "p/e");
      assertThat(second).extracting(ObjectInfo::key).hasSize(5);
      assertThat(server.requests().stream().filter(r -> "2".equals(r.query().get("list-type"))))
          .hasSize(1);
      assertThat(notices).singleElement().asString().contains("ListObjects (V1)");
    }
  }

  @Test
  void list_serviceWithV2_noFallback() throws Exception {
    try (QuirkyS3Server server = QuirkyS3Server.start(BUCKET);
        S3LayerStore store = builder(server).listPageSize(2).build()) {
      for (String k : List.of("a", "b", "c", "d", "e")) {
        store.put(k, bytes(k), PutMode.OVERWRITE);
      }
      assertThat(store.list("")).hasSize(5);
      assertThat(notices).isEmpty();
    }
  }

  @Test
  void put_serviceRefusesChecksumHeadersWith400_resendsWithoutThemForTheRun() throws Exception {
    checksumRefused(QuirkyS3Server.Quirk.CHECKSUM_HEADERS_400, "400 InvalidArgument");
  }

  @Test
  void put_serviceRefusesChecksumHeadersWith501_resendsWithoutThemForTheRun() throws Exception {
    checksumRefused(QuirkyS3Server.Quirk.CHECKSUM_HEADERS_501, "501 NotImplemented");
  }

  private void checksumRefused(QuirkyS3Server.Quirk quirk, String answer) throws Exception {
    try (QuirkyS3Server server = QuirkyS3Server.start(BUCKET, quirk);
        S3LayerStore store = builder(server).build()) {
      assertThat(store.put("a", bytes("one"), PutMode.IF_ABSENT).written()).isTrue();
      assertThat(store.put("b", bytes("two"), PutMode.OVERWRITE).written()).isTrue();

      assertThat(server.stored("f/a")).isEqualTo(bytes("one"));
      assertThat(server.stored("f/b")).isEqualTo(bytes("two"));
      assertThat(notices)
          .singleElement()
          .asString()
          .contains("x-amz-checksum-sha256")
          .contains(answer);
      long withChecksum =
          server.requests().stream().filter(r -> r.header("x-amz-checksum-sha256") != null).count();
      assertThat(withChecksum).isEqualTo(1);
      try (StoredObject o = store.get("b").orElseThrow()) {
        assertThat(read(o)).isEqualTo(bytes("two"));
      }
    }
  }
}
