package dev.halcyon.s3;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.halcyon.store.PutMode;
import dev.halcyon.store.StoreAccessException;
import dev.halcyon.store.StoreConfigurationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.s3.S3Client;

/** The S3-specific scenarios against S3Proxy in a child process, with signature checking on. */
class S3ProxyStoreIT extends S3StoreScenarios {
  static final String BUCKET = "halcyon-proxy-it";

  @RegisterExtension
  static final S3ProxyExtension S3_PROXY =
      S3ProxyExtension.builder().shared().withInitialBuckets(BUCKET).build();

  private static S3Client raw;

  @BeforeAll
  static void openRaw() {
    raw = S3_PROXY.client();
  }

  @AfterAll
  static void closeRaw() {
    if (raw != null) {
      raw.close();
    }
  }

  @Override
  S3LayerStore.Builder builder(String folder) {
    return S3LayerStore.builder()
        .bucket(BUCKET)
        .folder(folder)
        .endpoint(S3_PROXY.endpoint())
        .credentials(S3_PROXY.accessKeyId(), S3_PROXY.secretAccessKey());
  }

  @Test
  void anyOperation_wrongSecret_namesKeyIdAndNeverTheSecret() throws Exception {
    String wrongSecret = "wrong-secret-do-not-print-42";
    try (S3LayerStore store =
        builder("x").credentials(S3_PROXY.accessKeyId(), wrongSecret).build()) {
      assertThatThrownBy(() -> store.put("k", new byte[] {1}, PutMode.OVERWRITE))
          .isInstanceOf(StoreAccessException.class)
          .hasMessageContaining("access key id " + S3_PROXY.accessKeyId())
          .hasMessageContaining("HALCYON_AWS_SECRET_ACCESS_KEY")
          .hasMessageNotContaining(wrongSecret)
          .hasMessageNotContaining(S3_PROXY.secretAccessKey());
      assertThatThrownBy(() -> store.list(""))
          .isInstanceOf(StoreAccessException.class)
          .hasMessageNotContaining(wrongSecret);
      assertThatThrownBy(() -> store.get("k"))
          .isInstanceOf(StoreAccessException.class)
          .hasMessageNotContaining(wrongSecret);
    }
  }

  @Test
  void anyOperation_missingBucket_namesTheBucketAndTheSetting() throws Exception {
    try (S3LayerStore store = builder("x").bucket("no-such-bucket-here").build()) {
      assertThatThrownBy(() -> store.list(""))
          .isInstanceOf(StoreConfigurationException.class)
          .hasMessageContaining("no-such-bucket-here")
          .hasMessageContaining("HALCYON_S3_BUCKET");
      assertThatThrownBy(() -> store.put("k", new byte[] {1}, PutMode.OVERWRITE))
          .isInstanceOf(StoreConfigurationException.class)
          .hasMessageContaining("no-such-bucket-here");
    }
  }

  @Override
  S3Client raw() {
    return raw;
  }

  @Override
  String bucket() {
    return BUCKET;
  }
}
