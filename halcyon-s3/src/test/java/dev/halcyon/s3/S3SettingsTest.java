package dev.halcyon.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class S3SettingsTest {
  private static final String SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

  private static Map<String, String> env(String... pairs) {
    Map<String, String> env = new HashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      env.put(pairs[i], pairs[i + 1]);
    }
    return env;
  }

  @Test
  void fromEnvironment_bucketOnly_usesDefaults() {
    S3Settings s = S3Settings.fromEnvironment(env("HALCYON_S3_BUCKET", "my-bucket"));

    assertThat(s.bucket()).isEqualTo("my-bucket");
    assertThat(s.folder()).isEmpty();
    assertThat(s.region()).isEqualTo("us-east-1");
    assertThat(s.endpoint()).isEmpty();
    assertThat(s.accessKeyId()).isEmpty();
    assertThat(s.acl()).isEqualTo("private");
    assertThat(s.describe()).isEqualTo("s3://my-bucket");
  }

  @ParameterizedTest(name = "{0} -> {1} / {2}")
  @CsvSource({
    "my-bucket/folder, my-bucket, folder",
    "my-bucket/folder/sub, my-bucket, folder/sub",
    "my-bucket/folder/, my-bucket, folder",
    "my-bucket/, my-bucket, ''",
    "my.bucket.example/linux/x86_64, my.bucket.example, linux/x86_64",
  })
  void fromEnvironment_bucketWithFolder_splitsAtFirstSlash(
      String value, String bucket, String folder) {
    S3Settings s = S3Settings.fromEnvironment(env("HALCYON_S3_BUCKET", value));

    assertThat(s.bucket()).isEqualTo(bucket);
    assertThat(s.folder()).isEqualTo(folder);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "ab",
        "My-Bucket",
        "my_bucket",
        "-bucket",
        "bucket-",
        "my..bucket",
        "my.-bucket",
        "192.168.1.10",
        "xn--bucket",
        "bucket-s3alias",
        "a234567890123456789012345678901234567890123456789012345678901234"
      })
  void fromEnvironment_invalidBucketName_failsNamingBucketAndSetting(String bucket) {
    assertThatThrownBy(
            () -> S3Settings.fromEnvironment(env("HALCYON_S3_BUCKET", bucket + "/folder")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("'" + bucket + "' is not a valid S3 bucket name: ")
        .hasMessageEndingWith("; check HALCYON_S3_BUCKET");
  }

  @Test
  void fromEnvironment_noBucket_failsNamingTheVariable() {
    assertThatThrownBy(() -> S3Settings.fromEnvironment(env()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("HALCYON_S3_BUCKET is not set");
  }

  @Test
  void fromEnvironment_folderWithEmptySegment_fails() {
    assertThatThrownBy(() -> S3Settings.fromEnvironment(env("HALCYON_S3_BUCKET", "bucket/a//b")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("empty path segment")
        .hasMessageContaining("HALCYON_S3_BUCKET");
  }

  @ParameterizedTest(name = "endpoint={0} region={1} aws={2} -> {3}")
  @CsvSource({
    // explicit HALCYON_S3_REGION wins over everything
    "s3-eu-west-1.amazonaws.com, ap-south-1, us-west-2, ap-south-1",
    // the legacy host's region wins over the machine-wide AWS_REGION
    "s3-eu-west-1.amazonaws.com, '', us-west-2, eu-west-1",
    "s3.amazonaws.com, '', us-west-2, us-east-1",
    // AWS_REGION when nothing else says
    "'', '', us-west-2, us-west-2",
    "'', '', '', us-east-1",
    "'', eu-north-1, '', eu-north-1",
  })
  void fromEnvironment_region_precedence(
      String endpoint, String region, String awsRegion, String expected) {
    S3Settings s =
        S3Settings.fromEnvironment(
            env(
                "HALCYON_S3_BUCKET", "b-bucket",
                "HALCYON_S3_ENDPOINT", endpoint,
                "HALCYON_S3_REGION", region,
                "AWS_REGION", awsRegion));

    assertThat(s.region()).isEqualTo(expected);
    assertThat(s.endpoint()).isEmpty();
  }

  @Test
  void fromEnvironment_legacyHostName_isRead() {
    S3Settings s =
        S3Settings.fromEnvironment(
            env(
                "HALCYON_S3_BUCKET",
                "b-bucket",
                "HALCYON_S3_HOST",
                "s3.dualstack.eu-central-1.amazonaws.com"));

    assertThat(s.region()).isEqualTo("eu-central-1");
    assertThat(s.dualstack()).isTrue();
  }

  @Test
  void fromEnvironment_customEndpoint_keepsUrlAndAcceptsServiceRegionNames() {
    S3Settings s =
        S3Settings.fromEnvironment(
            env(
                "HALCYON_S3_BUCKET",
                "b-bucket",
                "HALCYON_S3_ENDPOINT",
                "http://127.0.0.1:9000",
                "HALCYON_S3_REGION",
                "garage"));

    assertThat(s.endpoint()).contains(URI.create("http://127.0.0.1:9000"));
    assertThat(s.region()).isEqualTo("garage");
  }

  @Test
  void fromEnvironment_endpointAndHostDiffer_fails() {
    assertThatThrownBy(
            () ->
                S3Settings.fromEnvironment(
                    env(
                        "HALCYON_S3_BUCKET", "b-bucket",
                        "HALCYON_S3_ENDPOINT", "s3.eu-west-1.amazonaws.com",
                        "HALCYON_S3_HOST", "s3.amazonaws.com")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "HALCYON_S3_ENDPOINT and its older name HALCYON_S3_HOST are both set and differ; unset HALCYON_S3_HOST");
  }

  @Test
  void fromEnvironment_malformedEndpoint_namesTheVariable() {
    assertThatThrownBy(
            () ->
                S3Settings.fromEnvironment(
                    env("HALCYON_S3_BUCKET", "b-bucket", "HALCYON_S3_HOST", "ftp://host")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("HALCYON_S3_HOST='ftp://host' is not usable");
  }

  @Test
  void fromEnvironment_badAwsRegion_fails() {
    assertThatThrownBy(
            () ->
                S3Settings.fromEnvironment(
                    env("HALCYON_S3_BUCKET", "b-bucket", "HALCYON_S3_REGION", "Frankfurt")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'Frankfurt' is not an AWS region name")
        .hasMessageContaining("HALCYON_S3_REGION");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "private",
        "public-read",
        "public-read-write",
        "authenticated-read",
        "aws-exec-read",
        "bucket-owner-read",
        "bucket-owner-full-control",
        "PUBLIC-READ"
      })
  void fromEnvironment_cannedAcl_isAccepted(String acl) {
    assertThat(
            S3Settings.fromEnvironment(env("HALCYON_S3_BUCKET", "b-bucket", "HALCYON_S3_ACL", acl))
                .acl())
        .isEqualTo(acl);
  }

  @Test
  void fromEnvironment_unknownAcl_listsAllowedValues() {
    assertThatThrownBy(
            () ->
                S3Settings.fromEnvironment(
                    env("HALCYON_S3_BUCKET", "b-bucket", "HALCYON_S3_ACL", "public")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "HALCYON_S3_ACL: unknown canned ACL 'public'; use one of private, public-read, public-read-write, "
                + "authenticated-read, aws-exec-read, bucket-owner-read, bucket-owner-full-control");
  }

  @Test
  void fromEnvironment_onlyOneCredential_failsNamingTheMissingOne() {
    assertThatThrownBy(
            () ->
                S3Settings.fromEnvironment(
                    env(
                        "HALCYON_S3_BUCKET",
                        "b-bucket",
                        "HALCYON_AWS_ACCESS_KEY_ID",
                        "AKIAEXAMPLE")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(
            "HALCYON_AWS_SECRET_ACCESS_KEY is not set but HALCYON_AWS_ACCESS_KEY_ID is");
    assertThatThrownBy(
            () ->
                S3Settings.fromEnvironment(
                    env("HALCYON_S3_BUCKET", "b-bucket", "HALCYON_AWS_SECRET_ACCESS_KEY", SECRET)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("HALCYON_AWS_ACCESS_KEY_ID is not set")
        .hasMessageNotContaining(SECRET);
  }

  @Test
  void toString_withCredentials_showsKeyIdButNeverTheSecret() {
    S3Settings s =
        S3Settings.fromEnvironment(
            env(
                "HALCYON_S3_BUCKET", "b-bucket/f",
                "HALCYON_AWS_ACCESS_KEY_ID", "AKIAEXAMPLE",
                "HALCYON_AWS_SECRET_ACCESS_KEY", SECRET));

    assertThat(s.accessKeyId()).contains("AKIAEXAMPLE");
    assertThat(s.secretAccessKey()).isEqualTo(Optional.of(SECRET));
    assertThat(s.toString())
        .isEqualTo(
            "S3Settings[s3://b-bucket/f, region=us-east-1, credentials=key id AKIAEXAMPLE (secret hidden), acl=private]")
        .doesNotContain(SECRET);
  }

  @ParameterizedTest
  @CsvSource({
    "'', false",
    "on, true",
    "ON, true",
    "true, true",
    "off, false",
    "0, false",
    "no, false"
  })
  void fromEnvironment_overlapUploads_offUnlessSwitchedOn(String value, boolean expected) {
    S3Settings s =
        S3Settings.fromEnvironment(
            env("HALCYON_S3_BUCKET", "b-bucket", "HALCYON_S3_OVERLAP_UPLOADS", value));

    assertThat(s.overlapUploads()).isEqualTo(expected);
    assertThat(s.toString()).contains(expected ? "overlapUploads=on" : "acl=private]");
    try (S3LayerStore store = S3LayerStore.builder().settings(s).build()) {
      assertThat(store.overlapsWrites()).isEqualTo(expected);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"auto", "maybe"})
  void fromEnvironment_overlapUploadsNeitherOnNorOff_namesTheVariableAndTheValues(String value) {
    assertThatThrownBy(
            () ->
                S3Settings.fromEnvironment(
                    env("HALCYON_S3_BUCKET", "b-bucket", "HALCYON_S3_OVERLAP_UPLOADS", value)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("HALCYON_S3_OVERLAP_UPLOADS is '" + value + "'; use on or off");
  }

  @Test
  void fromEnvironment_chunkedEncodingUnknown_namesTheVariableAndTheValues() {
    assertThatThrownBy(
            () ->
                S3Settings.fromEnvironment(
                    env("HALCYON_S3_BUCKET", "b-bucket", "HALCYON_S3_CHUNKED_ENCODING", "maybe")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("HALCYON_S3_CHUNKED_ENCODING is 'maybe'; use auto, on or off");
  }
}
