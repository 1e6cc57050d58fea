package dev.halcyon.s3;

import static org.assertj.core.api.Assertions.assertThat;

import com.adobe.testing.s3mock.junit5.S3MockExtension;
import dev.halcyon.layer.Digest;
import dev.halcyon.store.PutMode;
import dev.halcyon.store.StoredObject;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

/**
 * Both upload modes forced (aws-chunked framing on and off) against S3Mock and S3Proxy, both over
 * plain HTTP: single and multipart uploads are stored byte for byte, as a raw client reads them,
 * and come back whole through the store, with no fallback reported.
 */
class S3UploadModesIT {
  private static final String BUCKET = "halcyon-modes";
  private static final long MIB = 1024 * 1024;

  @RegisterExtension
  static final S3MockExtension S3_MOCK =
      S3MockExtension.builder().silent().withInitialBuckets(BUCKET).build();

  @RegisterExtension
  static final S3ProxyExtension S3_PROXY =
      S3ProxyExtension.builder().shared().withInitialBuckets(BUCKET).build();

  @TempDir Path tmp;

  @ParameterizedTest(name = "{0}, chunked encoding {1}")
  @CsvSource({"s3mock, true", "s3mock, false", "s3proxy, true", "s3proxy, false"})
  void putThenGet_eachUploadMode_storedByteForByte(String server, boolean chunked)
      throws Exception {
    URI endpoint =
        server.equals("s3mock")
            ? URI.create("http://127.0.0.1:" + S3_MOCK.getHttpPort())
            : S3_PROXY.endpoint();
    String key = server.equals("s3mock") ? "mock-key" : S3_PROXY.accessKeyId();
    String secret = server.equals("s3mock") ? "mock-secret" : S3_PROXY.secretAccessKey();
    String folder = "modes-" + chunked;
    Path file = S3StoreScenarios.randomFile(tmp, "big.tar", (11 * MIB) + 3, chunked ? 7 : 8);
    Digest digest = S3StoreScenarios.digestOf(file);
    byte[] small = "manifest bytes".getBytes(StandardCharsets.UTF_8);
    List<String> notices = new ArrayList<>();
    try (S3LayerStore store =
            S3LayerStore.builder()
                .bucket(BUCKET)
                .folder(folder)
                .endpoint(endpoint)
                .credentials(key, secret)
                .chunkedEncoding(chunked)
                .partSize(5 * MIB)
                .multipartThreshold(8 * MIB)
                .notices(notices::add)
                .build();
        S3Client raw = S3TestClients.raw(endpoint, key, secret)) {
      assertThat(store.put("m", small, PutMode.IF_ABSENT).written()).isTrue();
      assertThat(store.put("big.tar", file, digest, PutMode.OVERWRITE).written()).isTrue();

      assertThat(rawBytes(raw, folder + "/m")).isEqualTo(small);
      assertThat(Digest.sha256(rawBytes(raw, folder + "/big.tar"))).isEqualTo(digest);
      try (StoredObject o = store.get("big.tar").orElseThrow();
          InputStream in = o.stream()) {
        assertThat(Digest.sha256(in.readAllBytes())).isEqualTo(digest);
      }
      assertThat(store.put("m", small, PutMode.IF_ABSENT).written()).isFalse();
      assertThat(Files.size(file)).isEqualTo((11 * MIB) + 3);
    }
    assertThat(notices).isEmpty();
  }

  private static byte[] rawBytes(S3Client raw, String objectKey) throws Exception {
    try (ResponseInputStream<GetObjectResponse> in =
        raw.getObject(b -> b.bucket(BUCKET).key(objectKey))) {
      return in.readAllBytes();
    }
  }
}
