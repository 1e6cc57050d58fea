package dev.halcyon.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.halcyon.layer.Digest;
import dev.halcyon.store.PutMode;
import dev.halcyon.store.StoredObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Interoperability with a standard S3 client against S3Proxy: what we upload (in parts) the client
 * reads back byte-identical, and what the client uploads we read. Uses {@code rclone} if it is on
 * the PATH, else {@code s3cmd}; skipped if neither is installed.
 */
class S3InteropIT {
  private static final String BUCKET = "halcyon-interop";

  @RegisterExtension
  static final S3ProxyExtension S3_PROXY =
      S3ProxyExtension.builder().shared().withInitialBuckets(BUCKET).build();

  @TempDir Path tmp;

  @BeforeAll
  static void needsAClient() {
    assumeTrue(client().isPresent(), "neither rclone nor s3cmd is installed");
  }

  static Optional<String> client() {
    for (String name : List.of("rclone", "s3cmd")) {
      for (String dir :
          System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
        if (!dir.isEmpty() && Files.isExecutable(Paths.get(dir, name))) {
          return Optional.of(name);
        }
      }
    }
    return Optional.empty();
  }

  private S3LayerStore store() {
    return S3LayerStore.builder()
        .bucket(BUCKET)
        .folder("interop")
        .endpoint(S3_PROXY.endpoint())
        .credentials(S3_PROXY.accessKeyId(), S3_PROXY.secretAccessKey())
        .partSize(5L << 20)
        .multipartThreshold(8L << 20)
        .build();
  }

  @Test
  void ourMultipartUpload_isReadByteIdenticalByStandardClient() throws Exception {
    Path file = S3StoreScenarios.randomFile(tmp, "ours.tar.zst", (12L << 20) + 77, 5);
    Digest digest = S3StoreScenarios.digestOf(file);
    try (S3LayerStore store = store()) {
      assertThat(store.put("install/ours.tar.zst", file, digest, PutMode.OVERWRITE).written())
          .isTrue();
    }
    Path copy = tmp.resolve("copy.bin");

    download("interop/install/ours.tar.zst", copy);

    assertThat(Files.size(copy)).isEqualTo(Files.size(file));
    assertThat(S3StoreScenarios.digestOf(copy)).isEqualTo(digest);
  }

  @Test
  void standardClientUpload_isReadByUs() throws Exception {
    Path file = S3StoreScenarios.randomFile(tmp, "theirs.bin", 3L << 20, 6);
    Files.writeString(
        tmp.resolve("note.txt"), "uploaded by another tool\n", StandardCharsets.UTF_8);

    upload(file, "interop/theirs/archive.bin");

    try (S3LayerStore store = store()) {
      StoredObject got = store.get("theirs/archive.bin").orElseThrow();
      // Another tool records no halcyon digest: the read is checked for length only.
      assertThat(got.info().digest()).isEmpty();
      assertThat(S3StoreScenarios.drain(got))
          .isEqualTo(Map.entry(S3StoreScenarios.digestOf(file), Files.size(file)));
      assertThat(store.list("theirs/"))
          .extracting(i -> i.key())
          .containsExactly("theirs/archive.bin");
    }
  }

  private void download(String key, Path to) throws Exception {
    run(
        client().orElseThrow().equals("rclone")
            ? List.of("rclone", "copyto", "halcyon:" + BUCKET + "/" + key, to.toString())
            : s3cmd("get", "s3://" + BUCKET + "/" + key, to.toString()));
  }

  private void upload(Path from, String key) throws Exception {
    run(
        client().orElseThrow().equals("rclone")
            ? List.of("rclone", "copyto", from.toString(), "halcyon:" + BUCKET + "/" + key)
            : s3cmd("put", from.toString(), "s3://" + BUCKET + "/" + key));
  }

  private List<String> s3cmd(String... args) {
    String host = S3_PROXY.endpoint().getAuthority();
    List<String> command =
        new ArrayList<>(
            List.of(
                "s3cmd",
                "--config=/dev/null",
                "--no-ssl",
                "--host=" + host,
                "--host-bucket=" + host,
                "--region=us-east-1",
                "--access_key=" + S3_PROXY.accessKeyId(),
                "--secret_key=" + S3_PROXY.secretAccessKey()));
    command.addAll(List.of(args));
    return command;
  }

  private void run(List<String> command) throws IOException, InterruptedException {
    ProcessBuilder pb =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(tmp.resolve("client.log").toFile());
    // rclone reads its remote from RCLONE_CONFIG_<NAME>_* variables; no config file is touched.
    Map<String, String> env = pb.environment();
    env.remove("AWS_CA_BUNDLE");
    env.put("RCLONE_CONFIG", tmp.resolve("rclone.conf").toString());
    env.put("RCLONE_CONFIG_HALCYON_TYPE", "s3");
    env.put("RCLONE_CONFIG_HALCYON_PROVIDER", "Other");
    env.put("RCLONE_CONFIG_HALCYON_ACCESS_KEY_ID", S3_PROXY.accessKeyId());
    env.put("RCLONE_CONFIG_HALCYON_SECRET_ACCESS_KEY", S3_PROXY.secretAccessKey());
    env.put("RCLONE_CONFIG_HALCYON_ENDPOINT", S3_PROXY.endpoint().toString());
    env.put("RCLONE_CONFIG_HALCYON_REGION", "us-east-1");
    env.put("RCLONE_CONFIG_HALCYON_FORCE_PATH_STYLE", "true");
    env.put("RCLONE_S3_NO_CHECK_BUCKET", "true");
    Process p = pb.start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(
          command.get(0)
              + " did not finish in 60 s: "
              + Files.readString(tmp.resolve("client.log")));
    }
    assertThat(p.exitValue())
        .as("%s exit code; output: %s", command.get(0), Files.readString(tmp.resolve("client.log")))
        .isZero();
  }
}
