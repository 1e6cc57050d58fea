package dev.halcyon.cli;

import static dev.halcyon.cli.Machines.machine;
import static org.assertj.core.api.Assertions.assertThat;

import com.adobe.testing.s3mock.junit5.S3MockExtension;
import dev.halcyon.cli.FaultProxy.Fault;
import dev.halcyon.layer.Digest;
import dev.halcyon.s3.S3LayerStore;
import dev.halcyon.s3.S3TestClients;
import dev.halcyon.store.CorruptObjectException;
import dev.halcyon.store.LayerStore;
import dev.halcyon.store.ObjectInfo;
import dev.halcyon.store.PutMode;
import dev.halcyon.store.StoreException;
import dev.halcyon.store.StoredObject;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Fault injection between halcyon and S3 (S3Mock): a {@link FaultProxy} resets connections in the
 * middle of request and response bodies, answers 500, 503 SlowDown and 429, stalls past the
 * client's timeout and cuts bodies short, on uploads (single and multipart), downloads (whole and
 * ranged), listings and deletes. Every operation completes or fails with one clear line; no
 * completed read returns wrong bytes; afterwards every object in the bucket verifies and a re-run
 * completes. The same through the CLI jar.
 *
 * <p>{@code -Dhalcyon.stress=true} injects 1,000 faults in-process instead of 200.
 */
@Execution(ExecutionMode.CONCURRENT) // waits more than it computes: beside the others
class S3FaultInjectionIT {
  @RegisterExtension
  static final S3MockExtension S3 =
      S3MockExtension.builder().silent().withInitialBuckets("faults", "clifaults").build();

  static final String SECRET = "fault-injection-SECRET-do-not-print";
  static final int FAULTS = Boolean.getBoolean("halcyon.stress") ? 1000 : 200;
  static final long SEED = Long.getLong("halcyon.seed", 20261125L);
  static final long MIB = 1L << 20;

  @TempDir Path tmp;

  private static S3LayerStore.Builder store(String endpoint, String bucket) {
    return S3LayerStore.builder()
        .bucket(bucket)
        .region("us-east-1")
        .endpoint(URI.create(endpoint))
        .credentials("AKIDFAULTS", SECRET)
        .connectTimeout(Duration.ofSeconds(1))
        .socketTimeout(Duration.ofSeconds(1))
        .maxAttempts(3)
        .partSize(5 * MIB)
        .multipartThreshold(6 * MIB);
  }

  /** The content every version of {@code key} has, so any read can be checked. */
  static byte[] content(String key) {
    Random r = new Random(key.hashCode());
    int size = key.startsWith("large/") ? (int) (11 * MIB) : 1 + r.nextInt(200_000);
    byte[] b = new byte[size];
    r.nextBytes(b);
    return b;
  }

  @Test
  void s3Store_faultsOnEveryKindOfRequest_eachOperationCompletesOrFailsClearlyAndBucketVerifies()
      throws Exception {
    Map<String, Integer> outcomes = new java.util.concurrent.ConcurrentSkipListMap<>();
    List<String> keys = java.util.Collections.synchronizedList(new ArrayList<>());
    keys.add("small/0");
    try (FaultProxy proxy = FaultProxy.start(S3.getHttpPort(), SEED);
        S3LayerStore store = store(proxy.endpoint().toString(), "faults").build()) {
      // Stalls cost a socket timeout each: they get one share in nineteen.
      List<Fault> kinds = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        kinds.addAll(
            List.of(
                Fault.RESET_REQUEST,
                Fault.RESET_RESPONSE,
                Fault.ERROR_500,
                Fault.SLOW_DOWN_503,
                Fault.TOO_MANY_429,
                Fault.TRUNCATE));
      }
      kinds.add(Fault.STALL);
      proxy.faults(0.3, kinds.toArray(Fault[]::new));
      // Four workers at once: the SDK's back-off after 503 and 429 waits, and waits overlap.
      java.util.concurrent.atomic.AtomicInteger ops =
          new java.util.concurrent.atomic.AtomicInteger();
      java.util.concurrent.atomic.AtomicInteger largeUploads =
          new java.util.concurrent.atomic.AtomicInteger();
      java.util.concurrent.ExecutorService workers =
          java.util.concurrent.Executors.newFixedThreadPool(4);
      List<java.util.concurrent.Future<?>> running = new ArrayList<>();
      for (int w = 0; w < 4; w++) {
        Random random = new Random(SEED + 100 + w);
        Path large = tmp.resolve("large-" + w + ".bin");
        running.add(
            workers.submit(
                () -> {
                  while (proxy.injectedTotal() < FAULTS) {
                    operate(store, random, large, keys, largeUploads, outcomes);
                    ops.incrementAndGet();
                  }
                  return null;
                }));
      }
      for (java.util.concurrent.Future<?> f : running) {
        f.get(10, java.util.concurrent.TimeUnit.MINUTES);
      }
      workers.shutdown();
      System.out.printf(
          "FAULT in-process: %d operations, %d faults injected by kind %s, by operation %s; outcomes %s%n",
          ops.get(),
          proxy.injectedTotal(),
          proxy.injected(),
          proxy.injectedByOperation(),
          outcomes);
    }

    // Afterwards, straight to S3Mock: every object verifies and holds exactly its bytes.
    try (S3LayerStore direct = store("http://127.0.0.1:" + S3.getHttpPort(), "faults").build()) {
      int verified = verifyEvery(direct);
      assertThat(verified).isPositive();
      try (S3Client raw = rawClient()) {
        // A failed multipart upload is aborted, but when the abort request itself fails the
        // upload stays (invisible, holding its parts) until a bucket lifecycle rule removes it.
        var incomplete = raw.listMultipartUploads(r -> r.bucket("faults")).uploads();
        assertThat(incomplete).allSatisfy(u -> assertThat(u.key()).startsWith("large/"));
        System.out.printf(
            "FAULT in-process: %d multipart upload(s) left incomplete (their abort failed too)%n",
            incomplete.size());
      }
      // A re-run completes.
      for (String key : keys.stream().distinct().toList()) {
        direct.put(key, content(key), PutMode.OVERWRITE);
      }
      System.out.printf(
          "FAULT in-process: %d objects verified afterwards; re-upload of %d keys completed%n",
          verified, keys.stream().distinct().count());
    }
  }

  @Test
  void cli_faultsDuringBuildAndDeploy_everyRunCompletesOrFailsWithOneLine() throws Exception {
    Path app = TestApps.write(tmp.resolve("app"), "1", tmp.resolve("hooks.log"));
    Map<String, Integer> outcomes = new TreeMap<>();
    try (FaultProxy proxy = FaultProxy.start(S3.getHttpPort(), SEED + 1)) {
      Map<String, String> bucket =
          Map.of(
              "HALCYON_S3_BUCKET", "clifaults",
              "HALCYON_S3_ENDPOINT", proxy.endpoint().toString(),
              "HALCYON_S3_REGION", "us-east-1",
              "HALCYON_AWS_ACCESS_KEY_ID", "AKIDFAULTS",
              "HALCYON_AWS_SECRET_ACCESS_KEY", SECRET);
      // The CLI's socket timeout is 30 s: no stalls here, every other kind.
      proxy.faults(
          0.35,
          Fault.RESET_REQUEST,
          Fault.RESET_RESPONSE,
          Fault.ERROR_500,
          Fault.SLOW_DOWN_503,
          Fault.TOO_MANY_429,
          Fault.TRUNCATE);
      for (int i = 0; i < 6; i++) {
        Files.writeString(app.resolve("src/message.txt"), "hello from version " + i + "\n");
        Map<String, String> env =
            i % 2 == 0
                ? machine(tmp.resolve("builder"), bucket)
                : Machines.with(
                    machine(tmp.resolve("deployer" + i), bucket), "HALCYON_NO_BUILD", "1");
        if (i % 2 == 1) {
          Files.writeString(app.resolve("src/message.txt"), "hello from version " + (i - 1) + "\n");
        }
        CliProcess.Result r = CliProcess.run(env, tmp, "install", app.toString());
        assertThat(r.out() + r.err()).doesNotContain(SECRET);
        if (r.exit() == 0) {
          outcomes.merge((i % 2 == 0 ? "build" : "deploy") + ": completed", 1, Integer::sum);
        } else {
          String last = BuildAndDeployIT.lastLine(r.err());
          assertThat(r.exit()).as(r.toString()).isIn(1, 2);
          assertThat(last).as(r.toString()).startsWith("halcyon: ");
          assertThat(r.err().lines().filter(l -> l.startsWith("halcyon: ")).count()).isEqualTo(1);
          outcomes.merge((i % 2 == 0 ? "build" : "deploy") + ": exit " + r.exit(), 1, Integer::sum);
          System.out.println("FAULT cli line: " + last);
          Path installed = Machines.installed(tmp.resolve(i % 2 == 0 ? "builder" : "deployer" + i));
          if (Files.exists(installed)) {
            assertThat(BuildAndDeployIT.run(installed))
                .startsWith("greeting 1.0\nhello from version ");
          }
        }
      }
      int cliFaults = proxy.injectedTotal();
      proxy.faults(0);
      CliProcess.Result again =
          CliProcess.run(machine(tmp.resolve("builder"), bucket), tmp, "install", app.toString());
      assertThat(again.exit()).as("a re-run without faults completes: " + again).isZero();
      Map<String, String> deployEnv =
          Machines.with(machine(tmp.resolve("lastdeployer"), bucket), "HALCYON_NO_BUILD", "1");
      CliProcess.Result deployed = CliProcess.run(deployEnv, tmp, "install", app.toString());
      assertThat(deployed.exit()).as(deployed.toString()).isZero();
      System.out.printf(
          "FAULT cli: 6 runs, %d faults injected by kind %s, by operation %s; outcomes %s%n",
          cliFaults, proxy.injected(), proxy.injectedByOperation(), outcomes);
    }
    try (S3LayerStore direct = store("http://127.0.0.1:" + S3.getHttpPort(), "clifaults").build()) {
      assertThat(verifyEvery(direct)).isPositive();
    }
  }

  /** One random operation: upload (single or multipart), download, list or delete. */
  private static void operate(
      S3LayerStore store,
      Random random,
      Path large,
      List<String> keys,
      java.util.concurrent.atomic.AtomicInteger largeUploads,
      Map<String, Integer> outcomes)
      throws Exception {
    int dice = random.nextInt(100);
    String op = "unknown";
    try {
      if (dice < 35) {
        op = "upload";
        String key = "small/" + random.nextInt(40);
        store.put(key, content(key), random.nextBoolean() ? PutMode.IF_ABSENT : PutMode.OVERWRITE);
        keys.add(key);
      } else if (dice < 40 && largeUploads.incrementAndGet() <= 6) {
        op = "upload multipart";
        String key = "large/" + random.nextInt(3);
        byte[] b = content(key);
        Files.write(large, b);
        store.put(
            key,
            large,
            Digest.of(java.security.MessageDigest.getInstance("SHA-256").digest(b)),
            PutMode.OVERWRITE);
        keys.add(key);
      } else if (dice < 75) {
        String key;
        synchronized (keys) {
          key = keys.get(random.nextInt(keys.size()));
        }
        op = key.startsWith("large/") ? "download ranged" : "download";
        Optional<StoredObject> o = store.get(key);
        if (o.isPresent()) {
          byte[] got;
          try (StoredObject obj = o.get();
              InputStream in = obj.stream()) {
            got = in.readAllBytes();
          }
          assertThat(Arrays.equals(got, content(key)))
              .as("a completed read of %s returns its exact bytes", key)
              .isTrue();
        }
      } else if (dice < 88) {
        op = "list";
        store.list("");
      } else {
        op = "delete";
        List<String> two;
        synchronized (keys) {
          two =
              List.of(keys.get(random.nextInt(keys.size())), keys.get(random.nextInt(keys.size())));
        }
        store.deleteAll(two);
      }
      outcomes.merge(op + ": completed", 1, Integer::sum);
    } catch (IOException e) {
      String message = e.getMessage();
      assertThat(message)
          .as("one clear line")
          .isNotBlank()
          .doesNotContain("\n")
          .doesNotContain(SECRET);
      // A dropped, reset or cut-short transfer is the network's fault: never a raw socket error,
      // never "corrupt" (the proxy never alters bytes it passes whole).
      assertThat(e)
          .as("%s failed with %s", op, e)
          .isInstanceOf(StoreException.class)
          .isNotInstanceOf(CorruptObjectException.class);
      String kind =
          op
              + ": failed "
              + e.getClass().getSimpleName()
              + (message.contains("was cut short")
                  ? " (cut short)"
                  : message.contains("broke off") ? " (broke off mid-body)" : "");
      if (outcomes.merge(kind, 1, Integer::sum) == 1) {
        System.out.println("FAULT example line (" + kind + "): " + message);
      }
    }
  }

  /** Reads every object through the store to its end (verifying its digest). */
  private static int verifyEvery(LayerStore store) throws IOException {
    int n = 0;
    for (ObjectInfo info : store.list("")) {
      Optional<StoredObject> o = store.get(info.key());
      if (o.isEmpty()) {
        continue;
      }
      try (StoredObject obj = o.get();
          InputStream in = obj.stream()) {
        byte[] got = in.readAllBytes();
        if (info.key().startsWith("small/") || info.key().startsWith("large/")) {
          assertThat(Arrays.equals(got, content(info.key())))
              .as("%s holds exactly its bytes", info.key())
              .isTrue();
        }
      }
      n++;
    }
    return n;
  }

  private static S3Client rawClient() {
    return S3TestClients.raw(
        URI.create("http://127.0.0.1:" + S3.getHttpPort()), "AKIDFAULTS", SECRET);
  }
}
