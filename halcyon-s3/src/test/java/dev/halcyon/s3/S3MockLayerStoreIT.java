package dev.halcyon.s3;

import com.adobe.testing.s3mock.junit5.S3MockExtension;
import dev.halcyon.store.LayerStore;
import dev.halcyon.store.LayerStoreContract;
import java.net.URI;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The LayerStore contract against S3Mock in-process: each test gets its own folder of one bucket,
 * with the default part size, so the large object goes up in parallel parts and comes back as
 * parallel ranges.
 */
class S3MockLayerStoreIT extends LayerStoreContract {
  private static final String BUCKET = "halcyon-contract";
  private static final AtomicInteger FOLDERS = new AtomicInteger();

  @RegisterExtension
  static final S3MockExtension S3_MOCK =
      S3MockExtension.builder().silent().withInitialBuckets(BUCKET).build();

  @Override
  protected LayerStore newStore() {
    return S3LayerStore.builder()
        .bucket(BUCKET)
        .folder("contract/" + FOLDERS.incrementAndGet())
        .endpoint(URI.create("http://127.0.0.1:" + S3_MOCK.getHttpPort()))
        .credentials("mock-key", "mock-secret")
        // Three pages of listing without writing 1,100 objects.
        .listPageSize(100)
        .build();
  }

  /**
   * S3Mock 5.2 reads an object's metadata and then its file, so a GET racing an overwrite can
   * answer with the old digest and the new bytes (seen in the ranged-read race test: a's digest,
   * b's bytes). AWS GETs are atomic; S3Proxy's passed the same test.
   */
  @Override
  protected boolean readsAreAtomic() {
    return false;
  }

  /**
   * 96 MiB: six of the default 16 MiB parts, more than the upload's four in flight and the
   * download's streamed range plus its window of four, so both wait for a slot (the contract's 200
   * MiB took 8 s here).
   */
  @Override
  protected long largeObjectBytes() {
    return 96L << 20;
  }

  @Override
  protected int manyKeysCount() {
    return 250;
  }
}
