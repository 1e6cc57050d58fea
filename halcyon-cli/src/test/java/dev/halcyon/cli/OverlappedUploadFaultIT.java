package dev.halcyon.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.adobe.testing.s3mock.junit5.S3MockExtension;
import dev.halcyon.cli.FaultProxy.Fault;
import dev.halcyon.layer.Digest;
import dev.halcyon.s3.GrowingWriter;
import dev.halcyon.s3.S3LayerStore;
import dev.halcyon.s3.S3TestClients;
import dev.halcyon.store.GrowingFile;
import dev.halcyon.store.ObjectInfo;
import dev.halcyon.store.PutMode;
import dev.halcyon.store.PutResult;
import dev.halcyon.store.StoredObject;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Overlapped uploads ({@link S3LayerStore#putWhileWriting}) through a {@link FaultProxy} that
 * resets connections in the middle of request and response bodies (parts among them) and answers
 * 500: each upload is exact (bytes and digest metadata equal the finished file) or fails with one
 * line and leaves nothing visible under its key; no hidden object is ever listed, and gc's abort of
 * incomplete uploads leaves neither a hidden object nor an incomplete upload behind.
 */
class OverlappedUploadFaultIT {
  private static final String BUCKET = "overlapfaults";
  private static final long MIB = 1L << 20;
  private static final long SEED = Long.getLong("halcyon.seed", 20261203L);

  @RegisterExtension
  static final S3MockExtension S3 =
      S3MockExtension.builder().silent().withInitialBuckets(BUCKET).build();

  @TempDir Path tmp;

  private static S3LayerStore.Builder store(String endpoint) {
    return S3LayerStore.builder()
        .bucket(BUCKET)
        .region("us-east-1")
        .endpoint(URI.create(endpoint))
        .credentials("AKIDOVERLAP", "overlap-secret")
        .connectTimeout(Duration.ofSeconds(1))
        .socketTimeout(Duration.ofSeconds(2))
        .maxAttempts(2)
        .partSize(5 * MIB)
        .multipartThreshold(5 * MIB)
        .parallelism(2);
  }

  @Test
  void putWhileWriting_connectionsResetMidPart_exactOrFailedWithNothingVisible() throws Exception {
    String direct = "http://127.0.0.1:" + S3.getHttpPort();
    int stored = 0;
    int failed = 0;
    List<String> failures = new ArrayList<>();
    try (FaultProxy proxy = FaultProxy.start(S3.getHttpPort(), SEED);
        S3LayerStore faulty = store(proxy.endpoint().toString()).build();
        S3LayerStore plain = store(direct).build();
        S3Client raw = S3TestClients.raw(URI.create(direct), "AKIDOVERLAP", "overlap-secret")) {
      proxy.faults(0.25, Fault.RESET_REQUEST, Fault.RESET_RESPONSE, Fault.ERROR_500);
      for (int i = 0; i < 8; i++) {
        String key = "a/" + i + ".tar.zst";
        GrowingFile file = new GrowingFile(tmp.resolve(i + ".tar.zst"));
        GrowingWriter writer = GrowingWriter.writing(file, 16 * MIB + i * 4099L, SEED + i);
        try {
          PutResult result = faulty.putWhileWriting(key, file, PutMode.IF_ABSENT, n -> {});
          writer.join();
          Digest digest = writer.digest();
          assertThat(result.info().digest()).contains(digest);
          assertThat(
                  raw.headObject(b -> b.bucket(BUCKET).key(key)).metadata().get("halcyon-sha256"))
              .isEqualTo(digest.hex());
          try (StoredObject o = plain.get(key).orElseThrow();
              InputStream in = o.stream()) {
            assertThat(Digest.sha256(in.readAllBytes()))
                .isEqualTo(Digest.sha256(Files.readAllBytes(file.path())))
                .isEqualTo(digest);
          }
          stored++;
        } catch (IOException e) {
          writer.join();
          failed++;
          failures.add(e.getMessage());
          assertThat(e.getMessage()).isNotBlank().doesNotContain("\n");
          // Nothing visible; or, when every answer about a completed write was lost, the exact
          // object with its digest, never anything else.
          Optional<ObjectInfo> there = plain.head(key);
          if (there.isPresent()) {
            try (StoredObject o = plain.get(key).orElseThrow();
                InputStream in = o.stream()) {
              assertThat(Digest.sha256(in.readAllBytes()))
                  .as("what is visible under %s after: %s", key, e)
                  .isEqualTo(writer.digest())
                  .isEqualTo(there.get().digest().orElseThrow());
            }
          }
        }
        assertThat(plain.list("")).extracting(ObjectInfo::key).allMatch(k -> k.startsWith("a/"));
      }
      System.out.printf(
          "OVERLAP FAULTS: %d stored, %d failed %s; faults %s by operation %s%n",
          stored, failed, failures, proxy.injected(), proxy.injectedByOperation());
      assertThat(proxy.injectedByOperation()).containsKey("multipart");
      assertThat(stored).as("uploads that got through the faults").isPositive();

      // gc: what failed uploads left (an abort itself may have been reset) is removed.
      plain.abortIncompleteUploads("", Instant.now().plusSeconds(60), false);
      assertThat(raw.listMultipartUploads(b -> b.bucket(BUCKET)).uploads()).isEmpty();
      assertThat(raw.listObjectsV2(b -> b.bucket(BUCKET).prefix(".halcyon-partial/")).contents())
          .isEmpty();
    }
  }
}
