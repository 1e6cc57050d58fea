package dev.halcyon.engine;

import com.adobe.testing.s3mock.junit5.S3MockExtension;
import dev.halcyon.s3.S3LayerStore;
import dev.halcyon.store.LayerStore;
import java.net.URI;
import java.util.UUID;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link DeltaRestoreTest} on S3Mock, in-process: ranged GETs of real S3 requests. (No test here
 * overwrites a key while it is read, which S3Mock 5.2 does not keep atomic.)
 */
class S3MockDeltaRestoreIT extends DeltaRestoreTest {
  private static final String BUCKET = "halcyon-delta-it";

  @RegisterExtension
  static final S3MockExtension S3_MOCK =
      S3MockExtension.builder().silent().withInitialBuckets(BUCKET).build();

  @Override
  LayerStore newBucket() {
    return S3LayerStore.builder()
        .bucket(BUCKET)
        .folder("delta-" + UUID.randomUUID())
        .endpoint(URI.create("http://127.0.0.1:" + S3_MOCK.getHttpPort()))
        .credentials("mock-key", "mock-secret")
        .build();
  }
}
