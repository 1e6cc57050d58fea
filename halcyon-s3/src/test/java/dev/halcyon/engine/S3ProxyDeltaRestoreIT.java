package dev.halcyon.engine;

import dev.halcyon.s3.S3LayerStore;
import dev.halcyon.s3.S3ProxyExtension;
import dev.halcyon.store.LayerStore;
import java.util.UUID;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link DeltaRestoreTest} on S3Proxy in a child process, with signature checking on. */
class S3ProxyDeltaRestoreIT extends DeltaRestoreTest {
  private static final String BUCKET = "halcyon-delta-proxy-it";

  @RegisterExtension
  static final S3ProxyExtension S3_PROXY =
      S3ProxyExtension.builder().shared().withInitialBuckets(BUCKET).build();

  @Override
  LayerStore newBucket() {
    return S3LayerStore.builder()
        .bucket(BUCKET)
        .folder("delta-" + UUID.randomUUID())
        .endpoint(S3_PROXY.endpoint())
        .credentials(S3_PROXY.accessKeyId(), S3_PROXY.secretAccessKey())
        .build();
  }
}
