package dev.halcyon.s3;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.s3.S3Client;

/** The overlapped-upload scenarios against S3Proxy in a child process, signatures checked. */
class S3ProxyOverlappedUploadIT extends OverlappedUploadScenarios {
  private static final String BUCKET = "halcyon-overlap";

  @RegisterExtension
  static final S3ProxyExtension S3_PROXY =
      S3ProxyExtension.builder().shared().withInitialBuckets(BUCKET).build();

  private static S3Client raw;

  @Override
  S3LayerStore.Builder builder(String folder) {
    return S3LayerStore.builder()
        .bucket(BUCKET)
        .folder(folder)
        .endpoint(S3_PROXY.endpoint())
        .credentials(S3_PROXY.accessKeyId(), S3_PROXY.secretAccessKey());
  }

  @Override
  synchronized S3Client raw() {
    if (raw == null) {
      raw = S3_PROXY.client();
    }
    return raw;
  }

  @Override
  String bucket() {
    return BUCKET;
  }

  @AfterAll
  static void closeRaw() {
    if (raw != null) {
      raw.close();
      raw = null;
    }
  }
}
