package dev.halcyon.s3;

import com.adobe.testing.s3mock.junit5.S3MockExtension;
import java.net.URI;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.s3.S3Client;

/** The overlapped-upload scenarios against S3Mock in-process. */
class S3MockOverlappedUploadIT extends OverlappedUploadScenarios {
  private static final String BUCKET = "halcyon-overlap";

  @RegisterExtension
  static final S3MockExtension S3_MOCK =
      S3MockExtension.builder().silent().withInitialBuckets(BUCKET).build();

  private static S3Client raw;

  private static URI endpoint() {
    return URI.create("http://127.0.0.1:" + S3_MOCK.getHttpPort());
  }

  @Override
  S3LayerStore.Builder builder(String folder) {
    return S3LayerStore.builder()
        .bucket(BUCKET)
        .folder(folder)
        .endpoint(endpoint())
        .credentials("mock-key", "mock-secret");
  }

  @Override
  synchronized S3Client raw() {
    if (raw == null) {
      raw = S3TestClients.raw(endpoint(), "mock-key", "mock-secret");
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
