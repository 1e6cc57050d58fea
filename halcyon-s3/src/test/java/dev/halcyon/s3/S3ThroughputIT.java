package dev.halcyon.s3;

import static org.assertj.core.api.Assertions.assertThat;

import com.adobe.testing.s3mock.junit5.S3MockExtension;
import dev.halcyon.layer.Digest;
import dev.halcyon.store.PutMode;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Measures upload and download MB/s of a 300 MiB archive-like (incompressible) file on loopback,
 * one stream against parallel parts and ranges. Not a test of speed: it prints figures. Runs only
 * with {@code -Dhalcyon.bench=true}, e.g. {@code mvn -B -o -pl halcyon-s3 -am verify -Dtest=NONE
 * -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=S3ThroughputIT -Dhalcyon.bench=true}.
 */
@EnabledIfSystemProperty(named = "halcyon.bench", matches = "true")
class S3ThroughputIT {
  private static final String BUCKET = "halcyon-bench";
  private static final long SIZE = 300L << 20;

  @RegisterExtension
  static final S3MockExtension S3_MOCK =
      S3MockExtension.builder().silent().withInitialBuckets(BUCKET).build();

  @RegisterExtension
  static final S3ProxyExtension S3_PROXY =
      S3ProxyExtension.builder().withInitialBuckets(BUCKET).build();

  @TempDir Path tmp;

  @Test
  void measure() throws Exception {
    Path file = S3StoreScenarios.randomFile(tmp, "install.tar.zst", SIZE, 99);
    Digest digest = S3StoreScenarios.digestOf(file);
    URI mock = URI.create("http://127.0.0.1:" + S3_MOCK.getHttpPort());
    run("S3Mock", mock, "k", "s", file, digest);
    run(
        "S3Proxy",
        S3_PROXY.endpoint(),
        S3_PROXY.accessKeyId(),
        S3_PROXY.secretAccessKey(),
        file,
        digest);
  }

  private void run(String server, URI endpoint, String id, String secret, Path file, Digest digest)
      throws Exception {
    UnaryOperator<S3LayerStore.Builder> single =
        b -> b.partSize(512L << 20).multipartThreshold(Long.MAX_VALUE);
    UnaryOperator<S3LayerStore.Builder> parallel = b -> b;
    for (Map.Entry<String, UnaryOperator<S3LayerStore.Builder>> mode :
        Map.of("single stream", single, "parallel (16 MiB x 4)", parallel).entrySet()) {
      String key = mode.getKey().replaceAll("[^a-z0-9]+", "-") + System.nanoTime();
      try (S3LayerStore store =
          mode.getValue()
              .apply(
                  S3LayerStore.builder().bucket(BUCKET).endpoint(endpoint).credentials(id, secret))
              .build()) {
        // With progress, as the engine uploads: the counting must not slow the upload.
        AtomicLong calls = new AtomicLong();
        long t0 = System.nanoTime();
        store.put(key, file, digest, PutMode.OVERWRITE, sent -> calls.incrementAndGet());
        long t1 = System.nanoTime();
        var read = S3StoreScenarios.drain(store.get(key).orElseThrow());
        long t2 = System.nanoTime();
        assertThat(read).isEqualTo(Map.entry(digest, Files.size(file)));
        System.out.printf(
            "BENCH %s %s: upload %.0f MB/s (%d progress calls), download+verify %.0f MB/s (%d"
                + " MB)%n",
            server,
            mode.getKey(),
            SIZE / 1e6 / ((t1 - t0) / 1e9),
            calls.get(),
            SIZE / 1e6 / ((t2 - t1) / 1e9),
            SIZE / 1_000_000);
        store.delete(key);
      }
    }
  }
}
