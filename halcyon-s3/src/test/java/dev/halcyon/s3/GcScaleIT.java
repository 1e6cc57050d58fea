package dev.halcyon.s3;

import static org.assertj.core.api.Assertions.assertThat;

import com.adobe.testing.s3mock.junit5.S3MockExtension;
import dev.halcyon.layer.Digest;
import dev.halcyon.layer.LayerKind;
import dev.halcyon.layer.LayerTag;
import dev.halcyon.naming.DefaultArchiveNamer;
import dev.halcyon.retention.GarbageCollector;
import dev.halcyon.retention.GcReport;
import dev.halcyon.retention.RetentionPolicies;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * {@code gc} of a large bucket: install archives are written straight into the bucket (small
 * parallel PUTs), then one collection lists them all and deletes the condemned ones in
 * DeleteObjects batches of 1,000. Request counts come from {@link RequestCounter}; the figures are
 * printed.
 *
 * <p>Two servers. S3Mock rewrites its whole per-bucket key map on every PUT and every deleted key,
 * so each write costs time proportional to the bucket (about 50 PUTs/s at 2,000 keys on two cores,
 * 23 under load): it gets {@value #S3MOCK_ARCHIVES} archives. S3Proxy (a process, files on disk,
 * SigV4 checked) gets {@value #S3PROXY_ARCHIVES} in the suite; {@code -Dhalcyon.bench=true} makes
 * that 100,000, and {@code -Dhalcyon.gc.archives=N} any number.
 */
class GcScaleIT {
  static final String BUCKET = "gc-scale";
  static final int S3MOCK_ARCHIVES = 500;
  static final int S3PROXY_ARCHIVES = 2_500;
  static final int LABELS = 100;

  @RegisterExtension
  static final S3MockExtension S3_MOCK =
      S3MockExtension.builder().silent().withInitialBuckets(BUCKET).build();

  private static final boolean BENCH = Boolean.getBoolean("halcyon.bench");

  /**
   * The bench keeps S3Proxy's objects in memory: its filesystem store reads every object's metadata
   * from disk for every listing page, so a page of a 100,000-key bucket takes longer than the 30 s
   * socket timeout; in memory that costs milliseconds.
   */
  @RegisterExtension
  static final S3ProxyExtension S3_PROXY =
      BENCH
          ? S3ProxyExtension.builder().transientStorage().withInitialBuckets(BUCKET).build()
          : S3ProxyExtension.builder().shared().withInitialBuckets(BUCKET).build();

  private static int s3ProxyArchives() {
    String n = System.getProperty("halcyon.gc.archives");
    if (n != null) {
      return Integer.parseInt(n);
    }
    return BENCH ? 100_000 : S3PROXY_ARCHIVES;
  }

  @Test
  void collect_s3MockBucket_listsEverythingAndDeletesInBatchesOfAThousand() throws Exception {
    URI endpoint = URI.create("http://127.0.0.1:" + S3_MOCK.getHttpPort());
    S3Client raw = S3TestClients.raw(endpoint, "mock-key", "mock-secret");
    measure(
        "S3Mock",
        raw,
        S3LayerStore.builder()
            .bucket(BUCKET)
            .endpoint(endpoint)
            .credentials("mock-key", "mock-secret"),
        S3MOCK_ARCHIVES);
  }

  @Test
  void collect_s3ProxyBucket_listsEverythingAndDeletesInBatchesOfAThousand() throws Exception {
    S3LayerStore.Builder store =
        S3LayerStore.builder()
            .bucket(BUCKET)
            .endpoint(S3_PROXY.endpoint())
            .credentials(S3_PROXY.accessKeyId(), S3_PROXY.secretAccessKey());
    if (BENCH) {
      measure(
          "S3Proxy (in memory)",
          S3_PROXY.client(),
          store.socketTimeout(Duration.ofMinutes(5)),
          s3ProxyArchives());
    } else {
      measure("S3Proxy", S3_PROXY.client(), store, s3ProxyArchives());
    }
  }

  private static void measure(String server, S3Client raw, S3LayerStore.Builder storeBuilder, int n)
      throws Exception {
    long t0 = System.nanoTime();
    try (raw) {
      fill(raw, n);
    }
    double fillSeconds = (System.nanoTime() - t0) / 1e9;

    try (S3LayerStore store = storeBuilder.build()) {
      Map<String, Long> before = RequestCounter.snapshot();
      long t1 = System.nanoTime();
      GcReport report =
          GarbageCollector.of(
                  store,
                  new DefaultArchiveNamer(),
                  RetentionPolicies.parse("halcyon;grace=0", Clock.systemUTC()))
              .collect(false);
      double gcSeconds = (System.nanoTime() - t1) / 1e9;
      Map<String, Long> after = RequestCounter.snapshot();
      long lists = RequestCounter.between(before, after, "ListObjectsV2");
      long deletes = RequestCounter.between(before, after, "DeleteObjects");
      long gets = RequestCounter.between(before, after, "GetObject");
      long uploads = RequestCounter.between(before, after, "ListMultipartUploads");
      long total =
          after.values().stream().mapToLong(Long::longValue).sum()
              - before.values().stream().mapToLong(Long::longValue).sum();
      System.out.printf(
          "gc of %,d archives on %s: filled in %.1f s (%.0f PUT/s); gc %.1f s (list %.1f s, plan %.2f s, delete %.1f s);"
              + " %d HTTP requests: %d ListObjectsV2, %d DeleteObjects, %d GetObject; %d list calls, %d deleteAll calls; deleted %,d%n",
          n,
          server,
          fillSeconds,
          n / fillSeconds,
          gcSeconds,
          report.listTime().toMillis() / 1000.0,
          report.planTime().toMillis() / 1000.0,
          report.deleteTime().toMillis() / 1000.0,
          total,
          lists,
          deletes,
          gets,
          report.listCalls(),
          report.deleteCalls(),
          report.plan().condemned().size());

      int condemned = n - LABELS;
      assertThat(report.objectsListed()).isEqualTo(n);
      assertThat(report.plan().condemned()).hasSize(condemned);
      int pages = (n + 999) / 1000;
      assertThat(lists)
          .as(
              "two listings (plan and re-check) of %s pages, and one of the hidden objects of"
                  + " overlapped uploads (there are none)",
              pages)
          .isEqualTo(2L * pages + 1);
      assertThat(deletes).isEqualTo((condemned + 999) / 1000).isEqualTo(report.deleteRequests());
      assertThat(gets).as("no manifest exists, so none is read").isZero();
      assertThat(uploads)
          .as("one look for incomplete uploads and one for hidden ones (there are none)")
          .isEqualTo(2);
      assertThat(report.incompleteUploads()).isZero();
      assertThat(total).isEqualTo(lists + deletes + uploads);
      DefaultArchiveNamer namer = new DefaultArchiveNamer();
      assertThat(store.list(""))
          .as("Halcyon's rules keep the newest install archive of each label")
          .extracting(o -> namer.parse(o.key()).orElseThrow().label())
          .hasSize(LABELS)
          .doesNotHaveDuplicates();
    }
  }

  /** {@code n} install archives of {@value #LABELS} labels, written by 16 threads. */
  private static void fill(S3Client raw, int n) throws Exception {
    DefaultArchiveNamer namer = new DefaultArchiveNamer();
    ExecutorService pool = Executors.newFixedThreadPool(16);
    try {
      List<Future<?>> writes = new ArrayList<>();
      int perLabel = n / LABELS;
      for (int l = 0; l < LABELS; l++) {
        int label = l;
        writes.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < perLabel; i++) {
                    LayerTag tag =
                        LayerTag.of(
                                LayerKind.INSTALL,
                                "linux-test-1-x86_64",
                                "jdk-17",
                                "app" + label + "-1.0")
                            .with(LayerTag.SOURCE_HASH, Digest.sha256(label + "/" + i).toString())
                            .with(LayerTag.PREFIX, "/app");
                    String key = namer.key(tag, "tar.zst");
                    String body = "archive " + i;
                    raw.putObject(b -> b.bucket(BUCKET).key(key), RequestBody.fromString(body));
                  }
                  return null;
                }));
      }
      for (Future<?> f : writes) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
