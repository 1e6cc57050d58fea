package dev.halcyon.s3;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.net.URI;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where the shared bucket is and how to reach it, as read from the environment with the names the
 * original Halcyon used.
 *
 * <table>
 *   <caption>Environment variables</caption>
 *   <tr><td>{@code HALCYON_S3_BUCKET}</td><td>{@code bucket} or {@code bucket/folder/sub}: keys live under the folder (required)</td></tr>
 *   <tr><td>{@code HALCYON_AWS_ACCESS_KEY_ID}, {@code HALCYON_AWS_SECRET_ACCESS_KEY}</td><td>static credentials; when both are absent, the default AWS chain (env, profiles, instance roles)</td></tr>
 *   <tr><td>{@code HALCYON_S3_ACL}</td><td>canned ACL of every upload, {@code private} by default</td></tr>
 *   <tr><td>{@code HALCYON_S3_ENDPOINT} (older name {@code HALCYON_S3_HOST})</td><td>an AWS host such as {@code s3-eu-west-1.amazonaws.com} (selects the region) or the URL of an S3-compatible service</td></tr>
 *   <tr><td>{@code HALCYON_S3_REGION}, else {@code AWS_REGION}</td><td>the bucket's region; {@code HALCYON_S3_REGION} wins over a region implied by the endpoint, which wins over {@code AWS_REGION}; default {@code us-east-1}</td></tr>
 *   <tr><td>{@code HALCYON_S3_CHUNKED_ENCODING}</td><td>{@code auto} (default), {@code on} or {@code off}: whether uploads may use the SDK's {@code aws-chunked} framing; {@code auto} turns it off for an endpoint over plain HTTP, where the SDK would otherwise frame every upload and some services store the framing</td></tr>
 *   <tr><td>{@code HALCYON_S3_OVERLAP_UPLOADS}</td><td>{@code off} (default) or {@code on}: whether an archive's parts are sent while it is still written (to a hidden key, then copied on the server); {@code off} uploads the finished file</td></tr>
 * </table>
 *
 * <p>Immutable and thread-safe. {@link #toString()} never shows the secret.
 *
 * @param bucket the bucket name, validated against the S3 naming rules
 * @param folder the key prefix without leading or trailing slash, empty for the bucket root
 * @param region the AWS region used for signing (and for the AWS endpoint)
 * @param endpoint the URL of an S3-compatible service, empty for AWS
 * @param dualstack use the AWS dual-stack endpoint
 * @param fips use the AWS FIPS endpoint
 * @param accessKeyId static credentials' key id; empty for the default chain
 * @param secretAccessKey static credentials' secret; present exactly when {@code accessKeyId} is
 * @param acl the canned ACL name, e.g. {@code private} or {@code public-read}
 * @param chunkedEncoding whether uploads may use {@code aws-chunked} framing; empty to decide by
 *     the endpoint's scheme (off over plain HTTP)
 * @param overlapUploads whether an archive's parts are sent while it is still written
 */
public record S3Settings(
    String bucket,
    String folder,
    String region,
    Optional<URI> endpoint,
    boolean dualstack,
    boolean fips,
    Optional<String> accessKeyId,
    Optional<String> secretAccessKey,
    String acl,
    Optional<Boolean> chunkedEncoding,
    boolean overlapUploads) {

  /** The bucket, optionally followed by {@code /folder/sub} under which the keys live; required. */
  public static final String BUCKET = "HALCYON_S3_BUCKET";

  /**
   * The access key id of static credentials; used only together with {@link #SECRET_ACCESS_KEY}.
   */
  public static final String ACCESS_KEY_ID = "HALCYON_AWS_ACCESS_KEY_ID";

  /**
   * The secret of static credentials; never printed. Without it and {@link #ACCESS_KEY_ID} the
   * default AWS chain is used.
   */
  public static final String SECRET_ACCESS_KEY = "HALCYON_AWS_SECRET_ACCESS_KEY";

  /** The canned ACL every upload gets, {@code private} by default. */
  public static final String ACL = "HALCYON_S3_ACL";

  /** An AWS host (which selects the region) or the URL of an S3-compatible service. */
  public static final String ENDPOINT = "HALCYON_S3_ENDPOINT";

  /** The older name of {@link #ENDPOINT}; setting both to different values is an error. */
  public static final String HOST = "HALCYON_S3_HOST";

  /**
   * The bucket's region; wins over a region implied by the endpoint and over {@link #AWS_REGION}.
   */
  public static final String REGION = "HALCYON_S3_REGION";

  /**
   * The region used when neither {@link #REGION} nor the endpoint gives one; {@code us-east-1}
   * otherwise.
   */
  public static final String AWS_REGION = "AWS_REGION";

  /**
   * {@code auto}, {@code on} or {@code off}: whether uploads may use the SDK's {@code aws-chunked}
   * framing.
   */
  public static final String CHUNKED_ENCODING = "HALCYON_S3_CHUNKED_ENCODING";

  /**
   * {@code off} (default) or {@code on}: whether an archive's parts are sent while it is still
   * written; {@code off} uploads the finished file.
   */
  public static final String OVERLAP_UPLOADS = "HALCYON_S3_OVERLAP_UPLOADS";

  private static final Pattern BUCKET_NAME = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
  private static final Pattern IP_ADDRESS = Pattern.compile("\\d+\\.\\d+\\.\\d+\\.\\d+");

  /**
   * Checks the settings and normalizes the folder.
   *
   * @param bucket a valid S3 bucket name
   * @param folder a key prefix; leading and trailing slashes are dropped
   * @param region not blank; an AWS region name unless an endpoint is given
   * @param endpoint the URL of an S3-compatible service, or empty for AWS
   * @param dualstack use the AWS dual-stack endpoint
   * @param fips use the AWS FIPS endpoint
   * @param accessKeyId empty for the default credential chain
   * @param secretAccessKey present exactly when {@code accessKeyId} is
   * @param acl a canned ACL name
   * @param chunkedEncoding empty to decide by the endpoint's scheme
   * @param overlapUploads whether an archive's parts are sent while it is still written
   * @throws IllegalArgumentException naming the setting (and the variable that sets it), if one is
   *     malformed or only one half of the credentials is given
   */
  public S3Settings {
    checkNotNull(bucket, "bucket");
    checkNotNull(folder, "folder");
    checkNotNull(region, "region");
    checkNotNull(endpoint, "endpoint");
    checkNotNull(accessKeyId, "accessKeyId");
    checkNotNull(secretAccessKey, "secretAccessKey");
    checkNotNull(acl, "acl");
    checkNotNull(chunkedEncoding, "chunkedEncoding");
    checkBucketName(bucket, "bucket");
    folder = S3Location.normalizeFolder(folder, "; check folder");
    // S3-compatible services accept names of their own (Garage uses "garage").
    checkArgument(!region.isBlank(), "region is blank; check %s", REGION);
    checkArgument(
        endpoint.isPresent() || S3Endpoints.REGION_NAME.matcher(region).matches(),
        "'%s' is not an AWS region name (e.g. us-east-1, eu-central-1); check %s",
        region,
        REGION);
    checkArgument(
        accessKeyId.isPresent() == secretAccessKey.isPresent(),
        "set both %s and %s, or neither to use the default AWS credential chain",
        ACCESS_KEY_ID,
        SECRET_ACCESS_KEY);
    S3Acls.parse(acl);
  }

  /**
   * Reads the settings from environment variables (pass {@code System.getenv()}).
   *
   * @param env the variables by name; absent and blank ones count as unset
   * @return the settings
   * @throws IllegalArgumentException naming the variable if one is missing or malformed
   */
  public static S3Settings fromEnvironment(Map<String, String> env) {
    checkNotNull(env, "env");
    String bucketValue =
        value(env, BUCKET)
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        BUCKET
                            + " is not set; set it to the shared bucket, e.g. my-bucket or my-bucket/folder"));
    int slash = bucketValue.indexOf('/');
    String bucket = slash < 0 ? bucketValue : bucketValue.substring(0, slash);
    String folder = slash < 0 ? "" : bucketValue.substring(slash + 1);
    checkBucketName(bucket, BUCKET);
    folder = S3Location.normalizeFolder(folder, "; check " + BUCKET);

    Optional<String> endpointValue = value(env, ENDPOINT);
    Optional<String> hostValue = value(env, HOST);
    if (endpointValue.isPresent() && hostValue.isPresent() && !endpointValue.equals(hostValue)) {
      throw new IllegalArgumentException(
          ENDPOINT + " and its older name " + HOST + " are both set and differ; unset " + HOST);
    }
    Optional<S3Endpoints.Target> target =
        endpointValue.isPresent()
            ? Optional.of(S3Endpoints.parse(endpointValue.get(), ENDPOINT))
            : hostValue.map(h -> S3Endpoints.parse(h, HOST));

    // HALCYON_S3_REGION is specific to us; AWS_REGION is often a machine-wide default and must not
    // override the region a legacy HALCYON_S3_HOST names.
    String region =
        value(env, REGION)
            .or(() -> target.flatMap(S3Endpoints.Target::region))
            .or(() -> value(env, AWS_REGION))
            .orElse(S3Endpoints.US_EAST_1);
    if (target.flatMap(S3Endpoints.Target::custom).isEmpty()
        && !S3Endpoints.REGION_NAME.matcher(region).matches()) {
      throw new IllegalArgumentException(
          "'"
              + region
              + "' is not an AWS region name (e.g. us-east-1, eu-central-1); check "
              + REGION);
    }

    Optional<String> keyId = value(env, ACCESS_KEY_ID);
    Optional<String> secret = value(env, SECRET_ACCESS_KEY);
    if (keyId.isPresent() != secret.isPresent()) {
      throw new IllegalArgumentException(
          (keyId.isPresent() ? SECRET_ACCESS_KEY : ACCESS_KEY_ID)
              + " is not set but "
              + (keyId.isPresent() ? ACCESS_KEY_ID : SECRET_ACCESS_KEY)
              + " is; set both, or neither to use the default AWS credential chain");
    }
    String acl = value(env, ACL).orElse(S3Acls.PRIVATE);
    try {
      S3Acls.parse(acl);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(ACL + ": " + e.getMessage(), e);
    }
    return new S3Settings(
        bucket,
        folder,
        region,
        target.flatMap(S3Endpoints.Target::custom),
        target.map(S3Endpoints.Target::dualstack).orElse(false),
        target.map(S3Endpoints.Target::fips).orElse(false),
        keyId,
        secret,
        acl,
        onOff(env, CHUNKED_ENCODING, true),
        onOff(env, OVERLAP_UPLOADS, false).orElse(false));
  }

  /**
   * The switch {@code name}: {@code on}/{@code off} (or {@code true}/{@code false}, {@code
   * 1}/{@code 0}, {@code yes}/{@code no}, as every flag); empty when unset, or {@code auto} where
   * {@code auto} is allowed.
   */
  private static Optional<Boolean> onOff(Map<String, String> env, String name, boolean auto) {
    Optional<String> value = value(env, name);
    if (value.isEmpty()) {
      return Optional.empty();
    }
    String word = value.get().toLowerCase(java.util.Locale.ROOT);
    if (auto && word.equals("auto")) {
      return Optional.empty();
    }
    return switch (word) {
      case "on", "1", "true", "yes" -> Optional.of(true);
      case "off", "0", "false", "no" -> Optional.of(false);
      default ->
          throw new IllegalArgumentException(
              name + " is '" + value.get() + "'; use " + (auto ? "auto, on or off" : "on or off"));
    };
  }

  /**
   * {@code s3://bucket} or {@code s3://bucket/folder}.
   *
   * @return a description for messages, e.g. {@code s3://my-bucket/halcyon}; it shows no
   *     credentials
   */
  public String describe() {
    return new S3Location(bucket, folder).describe();
  }

  @Override
  public String toString() {
    return "S3Settings["
        + describe()
        + ", region="
        + region
        + endpoint.map(e -> ", endpoint=" + e).orElse("")
        + (dualstack ? ", dualstack" : "")
        + (fips ? ", fips" : "")
        + ", credentials="
        + accessKeyId.map(id -> "key id " + id + " (secret hidden)").orElse("default AWS chain")
        + ", acl="
        + acl
        + chunkedEncoding.map(on -> ", chunkedEncoding=" + (on ? "on" : "off")).orElse("")
        + (overlapUploads ? ", overlapUploads=on" : "")
        + "]";
  }

  private static Optional<String> value(Map<String, String> env, String name) {
    String v = env.get(name);
    return v == null || v.isBlank() ? Optional.empty() : Optional.of(v.trim());
  }

  static void checkBucketName(String bucket, String setting) {
    String why = null;
    if (bucket.length() < 3 || bucket.length() > 63) {
      why = "it must be 3 to 63 characters long";
    } else if (!BUCKET_NAME.matcher(bucket).matches()) {
      why =
          "it may contain only lower-case letters, digits, dots and hyphens, and must begin and end with a letter or digit";
    } else if (bucket.contains("..") || bucket.contains(".-") || bucket.contains("-.")) {
      why = "dots may not be adjacent to each other or to hyphens";
    } else if (IP_ADDRESS.matcher(bucket).matches()) {
      why = "it may not look like an IP address";
    } else if (bucket.startsWith("xn--")
        || bucket.startsWith("sthree-")
        || bucket.endsWith("-s3alias")
        || bucket.endsWith("--ol-s3")) {
      why = "it uses a prefix or suffix that S3 reserves";
    }
    if (why != null) {
      throw new IllegalArgumentException(
          "'" + bucket + "' is not a valid S3 bucket name: " + why + "; check " + setting);
    }
  }
}
