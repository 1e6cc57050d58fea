package dev.halcyon.s3;

import dev.halcyon.store.LayerStore;
import dev.halcyon.store.LayerStoreContract;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The LayerStore contract against S3Proxy in a child process with SigV4 checking on. Smaller parts
 * (5 MiB) keep the large object multipart and ranged at a third of S3Mock's size.
 */
class S3ProxyLayerStoreIT extends LayerStoreContract {
  private static final String BUCKET = "halcyon-contract";
  private static final AtomicInteger FOLDERS = new AtomicInteger();

  @RegisterExtension
  static final S3ProxyExtension S3_PROXY =
      S3ProxyExtension.builder().shared().withInitialBuckets(BUCKET).build();

  @Override
  protected LayerStore newStore() {
    return S3LayerStore.builder()
        .bucket(BUCKET)
        .folder("contract/" + FOLDERS.incrementAndGet())
        .endpoint(S3_PROXY.endpoint())
        .credentials(S3_PROXY.accessKeyId(), S3_PROXY.secretAccessKey())
        .partSize(5L << 20)
        .multipartThreshold(8L << 20)
        .listPageSize(100)
        .build();
  }

  @Override
  protected long largeObjectBytes() {
    return 48L << 20;
  }

  @Override
  protected int manyKeysCount() {
    return 250;
  }
}
