package dev.halcyon.s3;

import static org.assertj.core.api.Assertions.assertThat;

import com.adobe.testing.s3mock.junit5.S3MockExtension;
import dev.halcyon.layer.Digest;
import dev.halcyon.store.LayerStoreContract.SentRecorder;
import dev.halcyon.store.PutMode;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Progress of uploads to S3Mock over plain HTTP, both upload framings, through both upload paths:
 * one request (below the multipart threshold) and parallel parts (a file of 8 parts, 2 in flight).
 * The callback is told many totals in between, rising, from one call at a time, ending at the size.
 */
class S3UploadProgressIT {
  private static final String BUCKET = "halcyon-progress";
  private static final long MIB = 1024 * 1024;

  @RegisterExtension
  static final S3MockExtension S3_MOCK =
      S3MockExtension.builder().silent().withInitialBuckets(BUCKET).build();

  @TempDir Path tmp;

  @ParameterizedTest(name = "{0} bytes, chunked encoding {1}")
  @CsvSource({"7340035, false", "7340035, true", "41943043, false", "41943043, true"})
  void put_singleAndMultipart_toldRisingTotalsInBetween(long size, boolean chunked)
      throws Exception {
    Path file = S3StoreScenarios.randomFile(tmp, "layer.tar.zst", size, size);
    Digest digest = S3StoreScenarios.digestOf(file);
    SentRecorder sent = new SentRecorder(size);
    try (S3LayerStore store =
        S3LayerStore.builder()
            .bucket(BUCKET)
            .folder("progress-" + chunked)
            .endpoint(URI.create("http://127.0.0.1:" + S3_MOCK.getHttpPort()))
            .credentials("mock-key", "mock-secret")
            .chunkedEncoding(chunked)
            .partSize(5 * MIB)
            .multipartThreshold(8 * MIB)
            .parallelism(2)
            .build()) {
      assertThat(store.put("layer.tar.zst", file, digest, PutMode.OVERWRITE, sent).written())
          .isTrue();
      sent.returned();
      assertThat(store.head("layer.tar.zst").orElseThrow().size()).isEqualTo(size);
    }

    sent.assertKept(size + " bytes");
    List<Long> between = sent.totals().stream().filter(t -> t > 0 && t < size).distinct().toList();
    // Told as the SDK reads each body, buffer by buffer: far more often than once per part.
    assertThat(between).as("totals between 0 and the size").hasSizeGreaterThan(20);
  }
}
