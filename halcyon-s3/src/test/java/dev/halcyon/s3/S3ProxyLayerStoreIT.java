package dev.halcyon.s3;

import dev.halcyon.store.LayerStore;
import dev.halcyon.store.LayerStoreContract;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The LayerStore contract against S3Proxy in a child process with SigV4 checking on. Smaller parts
 * (5 MiB) keep the large object multipart and ranged at a third of S3Mock's size.
 */
class S3ProxyLayerStoreIT extends LayerStoreContract {
  private static final String BUCKET = "halcyon-contract";
  private static final AtomicInteger FOLDERS = new AtomicInteger();
  private static S3ProxyServer server;

  @BeforeAll
  static void startServer() throws Exception {
    server = S3ProxyServer.start(BUCKET);
  }

  @AfterAll
  static void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  @Override
  protected LayerStore newStore() {
    return S3LayerStore.builder()
        .bucket(BUCKET)
        .folder("contract/" + FOLDERS.incrementAndGet())
        .endpoint(server.endpoint())
        .credentials(S3ProxyServer.IDENTITY, S3ProxyServer.CREDENTIAL)
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
