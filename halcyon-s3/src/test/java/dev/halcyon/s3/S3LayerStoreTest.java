package dev.halcyon.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.halcyon.store.TransientStoreException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;

class S3LayerStoreTest {
  private static final String SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

  @Test
  void toStringAndDescribe_neverShowTheSecret() {
    try (S3LayerStore store =
        S3LayerStore.builder()
            .bucket("team-bucket")
            .folder("/halcyon/linux/")
            .region("eu-central-1")
            .credentials("AKIAEXAMPLE", SECRET)
            .build()) {
      assertThat(store.describe()).isEqualTo("s3://team-bucket/halcyon/linux");
      assertThat(store.toString())
          .isEqualTo(
              "S3LayerStore[s3://team-bucket/halcyon/linux, AWS S3 in eu-central-1, access key id AKIAEXAMPLE (secret hidden), acl=private]")
          .doesNotContain(SECRET);
    }
  }

  @Test
  void builderToString_neverShowsTheSecret() {
    assertThat(
            S3LayerStore.builder()
                .bucket("team-bucket")
                .credentials("AKIAEXAMPLE", SECRET)
                .toString())
        .contains("AKIAEXAMPLE")
        .doesNotContain(SECRET);
  }

  @Test
  void fromEnvironment_customEndpoint_describesIt() {
    try (S3LayerStore store =
        S3LayerStore.fromEnvironment(
            Map.of(
                "HALCYON_S3_BUCKET",
                "b-bucket/f",
                "HALCYON_S3_ENDPOINT",
                "http://127.0.0.1:9000",
                "HALCYON_AWS_ACCESS_KEY_ID",
                "minio",
                "HALCYON_AWS_SECRET_ACCESS_KEY",
                SECRET,
                "HALCYON_S3_ACL",
                "public-read"))) {
      assertThat(store.toString())
          .isEqualTo(
              "S3LayerStore[s3://b-bucket/f, http://127.0.0.1:9000, access key id minio (secret hidden), acl=public-read]");
    }
  }

  @Test
  void acl_unknown_listsAllowedValues() {
    assertThatThrownBy(() -> S3LayerStore.builder().acl("world-readable"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "unknown canned ACL 'world-readable'; use one of private, public-read, public-read-write, "
                + "authenticated-read, aws-exec-read, bucket-owner-read, bucket-owner-full-control");
  }

  @Test
  void build_withoutBucket_fails() {
    assertThatThrownBy(() -> S3LayerStore.builder().build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("bucket is not set");
  }

  @Test
  void partSize_belowS3Minimum_fails() {
    assertThatThrownBy(() -> S3LayerStore.builder().partSize(1024))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least 5 MiB");
  }

  @Test
  void endpoint_awsHost_selectsRegionInsteadOfOverride() {
    try (S3LayerStore store =
        S3LayerStore.builder()
            .bucket("team-bucket")
            .endpoint(URI.create("https://s3-eu-west-1.amazonaws.com"))
            .credentials("AKIAEXAMPLE", SECRET)
            .build()) {
      assertThat(store.toString()).contains("AWS S3 in eu-west-1");
    }
  }

  @Test
  void anyOperation_deadEndpoint_failsWithinSecondsAsTransientNamingEndpoint() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    URI dead = URI.create("http://127.0.0.1:" + port);
    try (S3LayerStore store =
        S3LayerStore.builder()
            .bucket("team-bucket")
            .endpoint(dead)
            .credentials("AKIAEXAMPLE", SECRET)
            .build()) {
      assertThatThrownBy(() -> store.head("k"))
          .isInstanceOf(TransientStoreException.class)
          .hasMessage(
              "could not read the metadata of s3://team-bucket/k: cannot connect to "
                  + dead
                  + " after 3 attempts; check HALCYON_S3_ENDPOINT and that the service is running");
    }
  }
}
