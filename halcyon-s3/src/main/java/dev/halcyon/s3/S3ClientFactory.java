package dev.halcyon.s3;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.LegacyMd5Plugin;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.S3Configuration;

/**
 * Builds the S3 client of a store and describes, for messages, where it goes and as whom. Every
 * client it builds shares one credentials provider; the caller closes the client.
 */
final class S3ClientFactory {
  private final String region;
  private final Optional<URI> endpoint;
  private final boolean dualstack;
  private final boolean fips;
  private final Optional<String> accessKeyId;
  private final Optional<String> secretAccessKey;
  private final Duration connectTimeout;
  private final Duration socketTimeout;
  private final int maxAttempts;
  private final Optional<Boolean> chunkedEncoding;
  private final AwsCredentialsProvider credentials;

  /**
   * @param endpoint an S3-compatible service; empty for AWS, then {@code dualstack} and {@code
   *     fips} select the AWS endpoint
   * @param secretAccessKey present exactly when {@code accessKeyId} is; without them the default
   *     AWS credential chain is used
   * @param chunkedEncoding forces the SDK's {@code aws-chunked} upload framing on or off; empty
   *     decides by the endpoint's scheme (see {@link #chunkedUploads})
   */
  S3ClientFactory(
      String region,
      Optional<URI> endpoint,
      boolean dualstack,
      boolean fips,
      Optional<String> accessKeyId,
      Optional<String> secretAccessKey,
      Duration connectTimeout,
      Duration socketTimeout,
      int maxAttempts,
      Optional<Boolean> chunkedEncoding) {
    this.region = region;
    this.endpoint = endpoint;
    this.dualstack = dualstack;
    this.fips = fips;
    this.accessKeyId = accessKeyId;
    this.secretAccessKey = secretAccessKey;
    this.connectTimeout = connectTimeout;
    this.socketTimeout = socketTimeout;
    this.maxAttempts = maxAttempts;
    this.chunkedEncoding = chunkedEncoding;
    this.credentials =
        accessKeyId.isPresent()
            ? StaticCredentialsProvider.create(
                AwsBasicCredentials.create(accessKeyId.get(), secretAccessKey.get()))
            : DefaultCredentialsProvider.builder().build();
  }

  S3Client newClient() {
    S3ClientBuilder client =
        S3Client.builder()
            .httpClientBuilder(
                UrlConnectionHttpClient.builder()
                    .connectionTimeout(connectTimeout)
                    .socketTimeout(socketTimeout))
            .region(Region.of(region))
            .credentialsProvider(credentials)
            // We verify SHA-256 end to end; the SDK's default CRC32 on every request would hash
            // every byte a second time.
            .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
            .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
            .overrideConfiguration(
                o ->
                    o.retryStrategy(
                        AwsRetryStrategy.standardRetryStrategy().toBuilder()
                            .maxAttempts(maxAttempts)
                            .build()));
    if (endpoint.isPresent()) {
      // S3-compatible servers want path-style requests and, for DeleteObjects, Content-MD5.
      client
          .endpointOverride(endpoint.get())
          .forcePathStyle(true)
          .addPlugin(LegacyMd5Plugin.create());
    } else {
      client.dualstackEnabled(dualstack).fipsEnabled(fips);
    }
    // Over plain HTTP the SDK signs a streamed upload chunk by chunk (aws-chunked framing,
    // STREAMING-AWS4-HMAC-SHA256-PAYLOAD); a service that does not decode it stores the framing
    // inside the object. Without it the SDK signs the whole payload: x-amz-content-sha256 is then
    // the body's SHA-256, which the service checks, at the cost of one more read of the body.
    client.serviceConfiguration(
        S3Configuration.builder().chunkedEncodingEnabled(chunkedUploads()).build());
    return client.build();
  }

  /**
   * Whether uploads may use {@code aws-chunked} framing: as forced by the setting, else not to a
   * custom endpoint over plain HTTP (the SDK frames only there, and only some services decode it).
   */
  boolean chunkedUploads() {
    return chunkedEncoding.orElseGet(
        () -> endpoint.map(e -> !"http".equalsIgnoreCase(e.getScheme())).orElse(true));
  }

  /**
   * Whether the SDK reads every upload body once to sign it (the payload's SHA-256) before it reads
   * it again to send it: over plain HTTP without aws-chunked framing. Over HTTPS it sends the
   * payload unsigned, and with the framing it signs chunk by chunk as the body streams.
   */
  boolean signsBodiesBeforeSending() {
    return !chunkedUploads()
        && endpoint.map(e -> "http".equalsIgnoreCase(e.getScheme())).orElse(false);
  }

  /** The error translator for a store at {@code location} using these clients. */
  S3Errors errors(S3Location location) {
    return new S3Errors(
        location.bucket(),
        location.describe(),
        region,
        endpointDescription(),
        this::credentialsInUse,
        secretAccessKey,
        maxAttempts);
  }

  /**
   * Where the clients go and as whom, e.g. "AWS S3 in us-east-1, access key id AKIA… (secret
   * hidden)".
   */
  String describe() {
    return endpointDescription() + ", " + credentialDescription() + " (secret hidden)";
  }

  /** The custom URL, or e.g. "AWS S3 in eu-central-1 (dual-stack)". */
  String endpointDescription() {
    return endpoint
        .map(URI::toString)
        .orElse(
            "AWS S3 in " + region + (dualstack ? " (dual-stack)" : "") + (fips ? " (FIPS)" : ""));
  }

  /** The configured credentials, without resolving the default chain. */
  private String credentialDescription() {
    return accessKeyId.map(id -> "access key id " + id).orElse("default AWS credential chain");
  }

  /** The credentials actually used; resolves the default chain, so only for error messages. */
  private String credentialsInUse() {
    if (accessKeyId.isPresent()) {
      return "access key id " + accessKeyId.get();
    }
    try {
      return "access key id "
          + credentials.resolveCredentials().accessKeyId()
          + " (from the default AWS credential chain)";
    } catch (RuntimeException e) {
      return "the default AWS credential chain (which found no credentials)";
    }
  }
}
