package dev.halcyon.s3;

import static org.assertj.core.api.Assertions.assertThat;

import dev.halcyon.store.CorruptObjectException;
import dev.halcyon.store.StoreAccessException;
import dev.halcyon.store.StoreConfigurationException;
import dev.halcyon.store.StoreException;
import dev.halcyon.store.TransientStoreException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;

class S3ErrorsTest {
  private static final String SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

  private final S3Errors errors =
      new S3Errors(
          "team-bucket",
          "s3://team-bucket/halcyon",
          "us-east-1",
          "AWS S3 in us-east-1",
          () -> "access key id AKIAEXAMPLE",
          Optional.of(SECRET),
          3);

  private static S3Exception service(int status, String code, String message, String... headers) {
    SdkHttpResponse.Builder http = SdkHttpResponse.builder().statusCode(status);
    for (int i = 0; i < headers.length; i += 2) {
      http.putHeader(headers[i], headers[i + 1]);
    }
    return (S3Exception)
        S3Exception.builder()
            .statusCode(status)
            .message(message)
            .awsErrorDetails(
                AwsErrorDetails.builder()
                    .errorCode(code)
                    .errorMessage(message)
                    .sdkHttpResponse(http.build())
                    .build())
            .build();
  }

  @Test
  void translate_permanentRedirect_namesRealRegionAndSettings() {
    StoreException e =
        errors.translate(
            service(
                301,
                "PermanentRedirect",
                "use the specified endpoint",
                "x-amz-bucket-region",
                "eu-central-1"),
            S3Errors.Operation.GET,
            "install/a.tar.zst");

    assertThat(e)
        .isInstanceOf(StoreConfigurationException.class)
        .hasMessage(
            "could not download s3://team-bucket/halcyon/install/a.tar.zst: bucket team-bucket is in region eu-central-1, "
                + "not us-east-1; set HALCYON_S3_REGION=eu-central-1");
  }

  @Test
  void translate_headRedirectWithoutBody_usesTheRegionHeader() {
    StoreException e =
        errors.translate(
            service(301, null, null, "x-amz-bucket-region", "ap-southeast-2"),
            S3Errors.Operation.HEAD,
            "k");

    assertThat(e)
        .isInstanceOf(StoreConfigurationException.class)
        .hasMessageContaining("HALCYON_S3_REGION=ap-southeast-2");
  }

  @Test
  void translate_authorizationHeaderMalformed_readsRegionFromMessage() {
    StoreException e =
        errors.translate(
            service(
                400,
                "AuthorizationHeaderMalformed",
                "The authorization header is malformed; the region 'us-east-1' is wrong; expecting 'eu-west-2'"),
            S3Errors.Operation.LIST,
            "");

    assertThat(e)
        .isInstanceOf(StoreConfigurationException.class)
        .hasMessageContaining("could not list s3://team-bucket/halcyon")
        .hasMessageContaining("is in region eu-west-2")
        .hasMessageContaining("HALCYON_S3_REGION=eu-west-2");
  }

  @Test
  void translate_accessDenied_namesKeyIdAndPermissionByOperation() {
    assertThat(
            errors.translate(
                service(403, "AccessDenied", "Access Denied"), S3Errors.Operation.PUT, "k"))
        .isInstanceOf(StoreAccessException.class)
        .hasMessage(
            "could not upload s3://team-bucket/halcyon/k: access denied to access key id AKIAEXAMPLE; "
                + "it needs s3:PutObject on arn:aws:s3:::team-bucket/halcyon/*");
    assertThat(
            errors.translate(
                service(403, "AccessDenied", "Access Denied"), S3Errors.Operation.LIST, ""))
        .hasMessageContaining("it needs s3:ListBucket on arn:aws:s3:::team-bucket");
    assertThat(errors.translate(service(403, null, null), S3Errors.Operation.HEAD, "k"))
        .isInstanceOf(StoreAccessException.class)
        .hasMessageContaining("s3:GetObject");
    assertThat(errors.translate(service(403, "AccessDenied", "x"), S3Errors.Operation.DELETE, "k"))
        .hasMessageContaining("s3:DeleteObject");
  }

  @Test
  void translate_invalidAccessKeyId_namesTheSetting() {
    assertThat(
            errors.translate(
                service(403, "InvalidAccessKeyId", "no such key"), S3Errors.Operation.GET, "k"))
        .isInstanceOf(StoreAccessException.class)
        .hasMessageContaining(
            "does not know access key id AKIAEXAMPLE; check HALCYON_AWS_ACCESS_KEY_ID");
  }

  @Test
  void translate_signatureMismatchEchoingSecret_neverShowsTheSecret() {
    StoreException e =
        errors.translate(
            service(
                403,
                "SignatureDoesNotMatch",
                "The request signature we calculated does not match; key " + SECRET),
            S3Errors.Operation.PUT,
            "k");

    assertThat(e)
        .isInstanceOf(StoreAccessException.class)
        .hasMessageContaining(
            "the secret access key does not match access key id AKIAEXAMPLE; check HALCYON_AWS_SECRET_ACCESS_KEY")
        .hasMessageNotContaining(SECRET);
  }

  @Test
  void translate_unknownErrorEchoingSecret_isScrubbed() {
    StoreException e =
        errors.translate(
            service(400, "Weird", "something " + SECRET + " happened"),
            S3Errors.Operation.PUT,
            "k");

    assertThat(e)
        .hasMessage(
            "could not upload s3://team-bucket/halcyon/k: the service answered 400 Weird (something **** happened)");
  }

  @Test
  void translate_noSuchBucket_namesBucketAndSetting() {
    assertThat(
            errors.translate(
                service(404, "NoSuchBucket", "The specified bucket does not exist"),
                S3Errors.Operation.LIST,
                ""))
        .isInstanceOf(StoreConfigurationException.class)
        .hasMessage(
            "could not list s3://team-bucket/halcyon: the bucket team-bucket does not exist at AWS S3 in us-east-1; "
                + "create it or fix HALCYON_S3_BUCKET");
  }

  @Test
  void translate_throttlingAndServerErrors_areTransient() {
    assertThat(
            errors.translate(
                service(503, "SlowDown", "Please reduce your request rate."),
                S3Errors.Operation.PUT,
                "k"))
        .isInstanceOf(TransientStoreException.class)
        .hasMessageContaining("503 SlowDown after 3 attempts; try again later");
    assertThat(errors.translate(service(429, "TooManyRequests", "x"), S3Errors.Operation.GET, "k"))
        .isInstanceOf(TransientStoreException.class);
    assertThat(errors.translate(service(500, "InternalError", "x"), S3Errors.Operation.GET, "k"))
        .isInstanceOf(TransientStoreException.class);
  }

  @Test
  void translate_aclsDisabled_tellsHowToFix() {
    assertThat(
            errors.translate(
                service(400, "AccessControlListNotSupported", "The bucket does not allow ACLs"),
                S3Errors.Operation.PUT,
                "k"))
        .isInstanceOf(StoreConfigurationException.class)
        .hasMessageContaining("has ACLs disabled")
        .hasMessageContaining("unset HALCYON_S3_ACL");
  }

  @Test
  void translate_badDigest_isCorrupt() {
    assertThat(
            errors.translate(
                service(400, "BadDigest", "The SHA256 you specified did not match"),
                S3Errors.Operation.PUT,
                "k"))
        .isInstanceOf(CorruptObjectException.class)
        .hasMessageContaining("s3://team-bucket/halcyon/k");
  }

  @Test
  void translate_connectionRefused_isTransientNamingEndpoint() {
    SdkClientException e =
        SdkClientException.builder()
            .message("Unable to execute HTTP request")
            .cause(new ConnectException("Connection refused"))
            .build();

    assertThat(errors.translate(e, S3Errors.Operation.GET, "k"))
        .isInstanceOf(TransientStoreException.class)
        .hasMessage(
            "could not download s3://team-bucket/halcyon/k: cannot connect to AWS S3 in us-east-1 after 3 attempts; "
                + "check HALCYON_S3_ENDPOINT and that the service is running");
  }

  @Test
  void translate_xmlAnswerCutOff_isTransientNamingEndpoint() {
    SdkClientException e =
        SdkClientException.builder().message("Could not parse XML response.").build();

    assertThat(errors.translate(e, S3Errors.Operation.LIST, ""))
        .isInstanceOf(TransientStoreException.class)
        .hasMessage(
            "could not list s3://team-bucket/halcyon: the answer from AWS S3 in us-east-1 was cut off or unreadable; try again");
  }

  @Test
  void translate_unknownHost_isConfiguration() {
    SdkClientException e =
        SdkClientException.builder()
            .message("x")
            .cause(new UnknownHostException("s3.nowhere"))
            .build();

    assertThat(errors.translate(e, S3Errors.Operation.GET, "k"))
        .isInstanceOf(StoreConfigurationException.class)
        .hasMessageContaining("is unknown; check HALCYON_S3_ENDPOINT");
  }

  @Test
  void translate_noCredentials_explainsTheChoices() {
    SdkClientException e =
        SdkClientException.builder()
            .message("Unable to load credentials from any of the providers in the chain")
            .build();

    assertThat(errors.translate(e, S3Errors.Operation.LIST, ""))
        .isInstanceOf(StoreConfigurationException.class)
        .hasMessageContaining(
            "no AWS credentials found; set HALCYON_AWS_ACCESS_KEY_ID and HALCYON_AWS_SECRET_ACCESS_KEY");
  }
}
