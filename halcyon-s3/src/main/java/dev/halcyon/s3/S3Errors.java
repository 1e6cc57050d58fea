package dev.halcyon.s3;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.halcyon.store.CorruptObjectException;
import dev.halcyon.store.ObjectChangedException;
import dev.halcyon.store.ObjectInfo;
import dev.halcyon.store.RangeNotSupportedException;
import dev.halcyon.store.StoreAccessException;
import dev.halcyon.store.StoreConfigurationException;
import dev.halcyon.store.StoreException;
import dev.halcyon.store.TransientStoreException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.model.S3Error;

/**
 * Turns SDK failures into {@link StoreException}s a person can act on. The one place where S3 error
 * codes are read.
 *
 * <p>Messages are built only from our own words, the bucket, the key, the access key id, error
 * codes and regions, and are then scrubbed of the secret as a second line of defence. Thread-safe.
 */
final class S3Errors {
  /** What was being done; names the IAM permission it needs. */
  enum Operation {
    HEAD("read the metadata of", "s3:GetObject"),
    GET("download", "s3:GetObject"),
    PUT("upload", "s3:PutObject"),
    LIST("list", "s3:ListBucket"),
    DELETE("delete", "s3:DeleteObject"),
    LIST_UPLOADS("list the incomplete multipart uploads of", "s3:ListBucketMultipartUploads"),
    ABORT_UPLOAD("abort the incomplete multipart upload of", "s3:AbortMultipartUpload");

    final String verb;
    final String permission;

    Operation(String verb, String permission) {
      this.verb = verb;
      this.permission = permission;
    }
  }

  // Looser than an AWS region name: S3-compatible services name their own regions ("garage").
  private static final Pattern EXPECTED_REGION = Pattern.compile("expecting '([a-z0-9-]+)'");
  private static final Pattern REGION_ELEMENT =
      Pattern.compile("<Region>(" + S3Endpoints.REGION_NAME.pattern() + ")</Region>");
  private static final Pattern ENDPOINT_REGION =
      Pattern.compile(
          "<Endpoint>[^<]*s3[.-](?:dualstack\\.)?("
              + S3Endpoints.REGION_NAME.pattern()
              + ")\\.amazonaws\\.com(?:\\.cn)?</Endpoint>");

  private final String bucket;
  private final String location;
  private final String region;
  private final String endpoint;
  private final Supplier<String> credentials;
  private final Optional<String> secret;
  private final int maxAttempts;

  /**
   * @param bucket the bucket name
   * @param location {@code s3://bucket/folder}
   * @param region the configured region
   * @param endpoint the endpoint for messages (the custom URL, or "AWS region X")
   * @param credentials describes the credentials used, e.g. "access key id AKIA…"; called only when
   *     a message needs it
   * @param secret the secret access key, only to scrub it from messages
   * @param maxAttempts how many attempts the SDK makes, for messages
   */
  S3Errors(
      String bucket,
      String location,
      String region,
      String endpoint,
      Supplier<String> credentials,
      Optional<String> secret,
      int maxAttempts) {
    this.bucket = checkNotNull(bucket);
    this.location = checkNotNull(location);
    this.region = checkNotNull(region);
    this.endpoint = checkNotNull(endpoint);
    this.credentials = checkNotNull(credentials);
    this.secret = checkNotNull(secret);
    this.maxAttempts = maxAttempts;
  }

  /** A 404: the key (or, see {@link #isNoSuchBucket}, the bucket) is not there. */
  static boolean isNotFound(AwsServiceException e) {
    return e.statusCode() == 404;
  }

  /** A 404 that is about the bucket, not the key: a configuration error, never "absent". */
  static boolean isNoSuchBucket(AwsServiceException e) {
    return "NoSuchBucket".equals(code(e));
  }

  /** A 416: the range asked for starts beyond the end, as byte 0 of an empty object does. */
  static boolean isRangeNotSatisfiable(AwsServiceException e) {
    return e.statusCode() == 416;
  }

  /** {@code If-None-Match: *} met an existing object. */
  static boolean isPreconditionFailed(AwsServiceException e) {
    return e.statusCode() == 412 || "PreconditionFailed".equals(code(e));
  }

  /** The service does not support a header we sent (conditional writes, on older servers). */
  static boolean isNotImplemented(AwsServiceException e) {
    return e.statusCode() == 501 || "NotImplemented".equals(code(e));
  }

  private static String code(AwsServiceException e) {
    return e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
  }

  // ---- S3-compatible services: what a service lacks, told from its answer

  /**
   * The service refused the {@code x-amz-checksum-sha256} header itself, as opposed to finding that
   * the bytes do not match it (BadDigest and kin): a 400 or 501 that names checksums, or a 501 to a
   * request whose only optional header was the checksum.
   *
   * @param conditionalSent whether the request also carried {@code If-None-Match}
   */
  static boolean isChecksumHeaderRefused(AwsServiceException e, boolean conditionalSent) {
    String code = String.valueOf(code(e));
    if (code.equals("BadDigest")
        || code.equals("XAmzContentSHA256Mismatch")
        || code.equals("InvalidDigest")
        || code.contains("Mismatch")) {
      return false;
    }
    boolean namesChecksum = text(e).contains("checksum");
    if (isNotImplemented(e)) {
      return namesChecksum || !conditionalSent;
    }
    return e.statusCode() == 400 && namesChecksum;
  }

  /** The service has no DeleteObjects (multi-object delete): 501, or 405 for the POST. */
  static boolean isOperationUnsupported(AwsServiceException e) {
    return isNotImplemented(e)
        || e.statusCode() == 405
        || "MethodNotAllowed".equals(code(e))
        || "NotImplemented".equals(code(e));
  }

  /** A ListObjectsV2 request refused as such: 501, or 400 naming the list-type parameter. */
  static boolean isListV2Refused(AwsServiceException e) {
    return isNotImplemented(e)
        || (e.statusCode() == 400
            && (text(e).contains("list-type") || text(e).contains("continuation")));
  }

  /** The service's answer for a one-line message: status, code and message. */
  static String answer(AwsServiceException e) {
    String code = code(e);
    String message = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorMessage();
    return e.statusCode()
        + (code == null || code.isEmpty() ? "" : " " + code)
        + (message == null || message.isEmpty() ? "" : ": " + message.replaceAll("\\s+", " "));
  }

  /**
   * The one wording for a file that does not hash to the digest its uploader gave: nothing was
   * stored, since the check runs before the last bytes are sent.
   */
  static CorruptObjectException sourceMismatch(
      java.nio.file.Path source,
      String target,
      dev.halcyon.layer.Digest expected,
      dev.halcyon.layer.Digest actual) {
    return new CorruptObjectException(
        source
            + " does not match the digest given for "
            + target
            + ": expected "
            + expected
            + ", got "
            + actual
            + "; nothing was stored");
  }

  private static String text(AwsServiceException e) {
    String message = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorMessage();
    return (String.valueOf(code(e)) + " " + message + " " + e.getMessage())
        .toLowerCase(Locale.ROOT);
  }

  /**
   * The error for {@code e}, raised while doing {@code op} on {@code key} (empty for the bucket).
   */
  StoreException translate(SdkException e, Operation op, String key) {
    String what = key.isEmpty() ? location : location + "/" + key;
    StoreException result;
    if (e instanceof AwsServiceException s) {
      result = service(s, op, what);
    } else {
      result = client(e, op, what);
    }
    return result;
  }

  /**
   * The error for a write to {@code key} that failed because the bucket does not exist, found out
   * after the write itself failed to connect (some services answer a write to a missing bucket and
   * close the connection before reading the body, which the client sees as a broken connection).
   */
  StoreException missingBucketOnWrite(String key, Exception cause) {
    return noSuchBucket("could not " + Operation.PUT.verb + " " + location + "/" + key, cause);
  }

  private StoreException noSuchBucket(String failed, Exception cause) {
    return new StoreConfigurationException(
        scrub(
            failed
                + ": the bucket "
                + bucket
                + " does not exist at "
                + endpoint
                + "; create it or fix "
                + S3Settings.BUCKET),
        cause);
  }

  /** An I/O failure while reading or writing a body (outside the SDK's own retries). */
  StoreException translate(IOException e, Operation op, String key) {
    if (e instanceof StoreException s) {
      return s;
    }
    String what = key.isEmpty() ? location : location + "/" + key;
    return new TransientStoreException(
        scrub(
            "could not "
                + op.verb
                + " "
                + what
                + ": connection to "
                + endpoint
                + " failed ("
                + e.getClass().getSimpleName()
                + "); try again"),
        e);
  }

  /**
   * A GET body that ended before the length its response announced: the connection closed cleanly
   * mid-way. Transient, not corrupt: the stored object was not read, so nothing is known to be
   * wrong with it.
   *
   * @param offset where the body started in the object
   * @param received bytes of the body that arrived
   * @param length bytes the response announced
   * @param objectLength bytes of the whole object
   */
  TransientStoreException cutShort(
      String key, long offset, long received, long length, long objectLength) {
    String range =
        offset == 0 && length == objectLength
            ? ""
            : " (range " + offset + "-" + (offset + length - 1) + " of " + objectLength + " bytes)";
    return new TransientStoreException(
        scrub(
            "download of "
                + key
                + " from "
                + location
                + " was cut short after "
                + received
                + " of "
                + length
                + " bytes"
                + range
                + "; the connection to "
                + endpoint
                + " closed early; run again"));
  }

  /**
   * A connection failure while a GET body was being read, after the SDK had handed it over (so
   * outside its retries). The message counts the bytes of the body (of the range, for a ranged
   * read), and names the range in the object.
   *
   * @param offset where the body started in the object
   * @param received bytes of the body that arrived
   * @param length bytes the response announced, or -1 if it did not say
   * @param objectLength bytes of the whole object
   */
  TransientStoreException bodyFailed(
      Exception e, String key, long offset, long received, long length, long objectLength) {
    Throwable root = rootCause(e);
    String detail =
        root.getMessage() == null ? "" : ": " + root.getMessage().replaceAll("\\s+", " ");
    String count;
    if (length < 0) {
      count =
          received
              + " bytes"
              + (offset == 0 ? "" : " (from offset " + offset + " of " + objectLength + " bytes)");
    } else if (offset == 0 && length == objectLength) {
      count = received + " of " + objectLength + " bytes";
    } else {
      count =
          received
              + " of "
              + length
              + " bytes (range "
              + offset
              + "-"
              + (offset + length - 1)
              + " of "
              + objectLength
              + " bytes)";
    }
    return new TransientStoreException(
        scrub(
            "download of "
                + key
                + " from "
                + location
                + " broke off after "
                + count
                + ": connection to "
                + endpoint
                + " failed ("
                + root.getClass().getSimpleName()
                + detail
                + "); run again"),
        e);
  }

  /**
   * Why a later range of {@code key} failed in a worker thread. Ranges are read with {@code
   * If-Match}, so a 412 means the object was overwritten while it was read.
   */
  StoreException rangeFailed(Throwable cause, String key) {
    if (cause instanceof AwsServiceException s && s.statusCode() == 412) {
      return new TransientStoreException(
          scrub(key + " was overwritten while it was downloaded; try again"), s);
    }
    if (cause instanceof SdkException s) {
      return translate(s, Operation.GET, key);
    }
    if (cause instanceof IOException io) {
      return translate(io, Operation.GET, key);
    }
    return new StoreException("could not download " + key + ": " + cause, cause);
  }

  /**
   * A ranged GET answered with the whole object or another range than asked for.
   *
   * @param answer what the service answered, e.g. "answered HTTP 200 with the whole object"
   * @param remembered whether this was answered to an earlier GET and not asked again
   */
  RangeNotSupportedException rangesNotHonoured(String key, String answer, boolean remembered) {
    return new RangeNotSupportedException(
        scrub(
            "could not read a range of "
                + location
                + "/"
                + key
                + ": "
                + endpoint
                + " does not honour byte ranges (it "
                + answer
                + (remembered ? ", to an earlier ranged GET" : "")
                + "); read the object whole instead"));
  }

  /** A ranged GET of one object's bytes found another object under its key. */
  ObjectChangedException objectChanged(String key, ObjectInfo expected, ObjectInfo now) {
    return new ObjectChangedException(
        scrub(
            location
                + "/"
                + key
                + " was replaced while it was read in ranges ("
                + describe(expected)
                + " when looked up, "
                + describe(now)
                + " now); look it up again, or run again"));
  }

  private static String describe(ObjectInfo info) {
    return info.size()
        + " bytes, "
        + info.digest().map(Object::toString).orElse("modified " + info.lastModified());
  }

  /**
   * The keys a DeleteObjects batch reported as not deleted.
   *
   * @param failures the errors of every batch, not empty
   * @param attempted how many keys were to be deleted
   * @param where maps the failures' object keys back to store keys
   */
  StoreException deleteFailed(List<S3Error> failures, int attempted, S3Location where) {
    String sample =
        failures.stream()
            .limit(5)
            .map(f -> where.storeKey(f.key()) + " (" + f.code() + ")")
            .reduce((a, c) -> a + ", " + c)
            .orElse("");
    String message =
        "could not delete "
            + failures.size()
            + " of "
            + attempted
            + " keys in "
            + location
            + ": "
            + sample
            + (failures.size() > 5 ? ", …" : "");
    boolean denied = failures.stream().anyMatch(f -> "AccessDenied".equals(f.code()));
    return denied
        ? new StoreAccessException(scrub(message + "; the credentials need s3:DeleteObject"))
        : new StoreException(scrub(message));
  }

  private StoreException service(AwsServiceException e, Operation op, String what) {
    int status = e.statusCode();
    String code =
        e.awsErrorDetails() == null || e.awsErrorDetails().errorCode() == null
            ? ""
            : e.awsErrorDetails().errorCode();
    String message =
        e.awsErrorDetails() == null || e.awsErrorDetails().errorMessage() == null
            ? ""
            : e.awsErrorDetails().errorMessage();
    String failed = "could not " + op.verb + " " + what;

    Optional<String> real = bucketRegion(e, message);
    boolean elsewhere = real.isPresent() && !real.get().equals(region);
    if (code.equals("PermanentRedirect")
        || code.equals("AuthorizationHeaderMalformed")
        || code.equals("IllegalLocationConstraintException")
        || code.equals("TemporaryRedirect")
        || status == 301
        || status == 307
        || (status == 400 && code.isEmpty() && elsewhere)) {
      // AWS answers a request signed for the wrong region with 301 (a regional endpoint) or 400
      // (the global one); HEAD answers have no body, only the x-amz-bucket-region header.
      String fix =
          elsewhere
              ? "bucket "
                  + bucket
                  + " is in region "
                  + real.get()
                  + ", not "
                  + region
                  + "; set "
                  + S3Settings.REGION
                  + "="
                  + real.get()
              : "bucket "
                  + bucket
                  + " is not in region "
                  + region
                  + "; set "
                  + S3Settings.REGION
                  + " to the bucket's region";
      if (elsewhere || !code.equals("AuthorizationHeaderMalformed")) {
        return new StoreConfigurationException(scrub(failed + ": " + fix), e);
      }
    }
    if (code.equals("NoSuchBucket")) {
      return noSuchBucket(failed, e);
    }
    if (code.equals("InvalidAccessKeyId")) {
      return new StoreAccessException(
          scrub(
              failed
                  + ": the service does not know "
                  + credentials.get()
                  + "; check "
                  + S3Settings.ACCESS_KEY_ID
                  + " (and that "
                  + endpoint
                  + " is the right service)"),
          e);
    }
    if (code.equals("SignatureDoesNotMatch")) {
      return new StoreAccessException(
          scrub(
              failed
                  + ": the secret access key does not match "
                  + credentials.get()
                  + "; check "
                  + S3Settings.SECRET_ACCESS_KEY),
          e);
    }
    if (code.equals("AccessControlListNotSupported")) {
      return new StoreConfigurationException(
          scrub(
              failed
                  + ": the bucket "
                  + bucket
                  + " has ACLs disabled (object ownership: bucket owner enforced); unset "
                  + S3Settings.ACL
                  + " or use "
                  + S3Settings.ACL
                  + "=bucket-owner-full-control"),
          e);
    }
    if (code.equals("ExpiredToken")
        || code.equals("InvalidToken")
        || code.equals("TokenRefreshRequired")) {
      return new StoreAccessException(
          scrub(
              failed
                  + ": the session token of "
                  + credentials.get()
                  + " has expired or is invalid; refresh the credentials"),
          e);
    }
    if (status == 403 && code.isEmpty()) {
      // HEAD answers carry no body, so a wrong secret and a missing permission look alike.
      return new StoreAccessException(
          scrub(
              failed
                  + ": access denied to "
                  + credentials.get()
                  + "; check "
                  + S3Settings.SECRET_ACCESS_KEY
                  + ", and that the credentials have "
                  + op.permission
                  + " on "
                  + arn(op)),
          e);
    }
    if (status == 403 || code.equals("AccessDenied") || code.equals("AllAccessDisabled")) {
      return new StoreAccessException(
          scrub(
              failed
                  + ": access denied to "
                  + credentials.get()
                  + "; it needs "
                  + op.permission
                  + " on "
                  + arn(op)),
          e);
    }
    if (code.equals("BadDigest")
        || code.equals("XAmzContentSHA256Mismatch")
        || code.equals("InvalidDigest")
        || code.contains("Checksum")
        || (status == 400 && message.toLowerCase(Locale.ROOT).contains("checksum"))) {
      return new CorruptObjectException(
          scrub(
              failed
                  + ": the service rejected the bytes sent ("
                  + code
                  + "): the file does not match its digest or changed while it was sent"),
          e);
    }
    if (status == 429
        || status >= 500
        || code.equals("SlowDown")
        || code.equals("Throttling")
        || code.equals("RequestTimeout")) {
      return new TransientStoreException(
          scrub(
              failed
                  + ": the service answered "
                  + status
                  + (code.isEmpty() ? "" : " " + code)
                  + " after "
                  + maxAttempts
                  + " attempts; try again later"),
          e);
    }
    return new StoreException(
        scrub(
            failed
                + ": the service answered "
                + status
                + (code.isEmpty() ? "" : " " + code)
                + (message.isEmpty() ? "" : " (" + message + ")")),
        e);
  }

  private StoreException client(SdkException e, Operation op, String what) {
    String failed = "could not " + op.verb + " " + what;
    if (has(e, UnknownHostException.class)) {
      return new StoreConfigurationException(
          scrub(
              failed
                  + ": the host of "
                  + endpoint
                  + " is unknown; check "
                  + S3Settings.ENDPOINT
                  + " and DNS"),
          e);
    }
    if (has(e, ConnectException.class) || has(e, NoRouteToHostException.class)) {
      return new TransientStoreException(
          scrub(
              failed
                  + ": cannot connect to "
                  + endpoint
                  + " after "
                  + maxAttempts
                  + " attempts; check "
                  + S3Settings.ENDPOINT
                  + " and that the service is running"),
          e);
    }
    if (has(e, SocketTimeoutException.class)
        || has(e, InterruptedIOException.class)
        || e.getClass().getSimpleName().contains("Timeout")) {
      return new TransientStoreException(
          scrub(
              failed
                  + ": "
                  + endpoint
                  + " did not answer in time after "
                  + maxAttempts
                  + " attempts; try again, or check "
                  + S3Settings.ENDPOINT),
          e);
    }
    String text = String.valueOf(e.getMessage());
    if (e instanceof SdkClientException && text.contains("Unable to load credentials")) {
      return new StoreConfigurationException(
          scrub(
              failed
                  + ": no AWS credentials found; set "
                  + S3Settings.ACCESS_KEY_ID
                  + " and "
                  + S3Settings.SECRET_ACCESS_KEY
                  + ", or configure the default AWS chain (AWS_ACCESS_KEY_ID, a profile, an instance role)"),
          e);
    }
    if (e instanceof SdkClientException
        && (text.contains("Could not parse XML response")
            || text.contains("Unable to unmarshall"))) {
      // An XML answer cut off mid-way by the network: the SDK says it cannot parse it.
      return new TransientStoreException(
          scrub(failed + ": the answer from " + endpoint + " was cut off or unreadable; try again"),
          e);
    }
    if (has(e, IOException.class)) {
      return new TransientStoreException(
          scrub(
              failed
                  + ": connection to "
                  + endpoint
                  + " failed ("
                  + rootCause(e).getClass().getSimpleName()
                  + "); try again"),
          e);
    }
    return new StoreException(scrub(failed + ": " + text), e);
  }

  private Optional<String> bucketRegion(AwsServiceException e, String message) {
    AwsErrorDetails details = e.awsErrorDetails();
    if (details != null && details.sdkHttpResponse() != null) {
      Optional<String> header =
          details.sdkHttpResponse().firstMatchingHeader("x-amz-bucket-region");
      if (header.isPresent() && S3Endpoints.REGION_NAME.matcher(header.get().trim()).matches()) {
        return Optional.of(header.get().trim());
      }
    }
    if (details != null && details.rawResponse() != null) {
      // The error XML names the region (<Region>, AuthorizationHeaderMalformed) or the endpoint
      // (<Endpoint>, PermanentRedirect); the SDK keeps neither element.
      String xml = details.rawResponse().asUtf8String();
      Matcher m = REGION_ELEMENT.matcher(xml);
      if (m.find()) {
        return Optional.of(m.group(1));
      }
      m = ENDPOINT_REGION.matcher(xml);
      if (m.find()) {
        return Optional.of(m.group(1));
      }
    }
    Matcher m = EXPECTED_REGION.matcher(message);
    return m.find() ? Optional.of(m.group(1)) : Optional.empty();
  }

  private String arn(Operation op) {
    String folder = location.substring(("s3://" + bucket).length());
    return op == Operation.LIST || op == Operation.LIST_UPLOADS
        ? "arn:aws:s3:::" + bucket
        : "arn:aws:s3:::" + bucket + folder + "/*";
  }

  /** Removes the secret from {@code text}, should any path ever put it there. */
  String scrub(String text) {
    if (secret.isPresent() && !secret.get().isEmpty() && text.contains(secret.get())) {
      return text.replace(secret.get(), "****");
    }
    return text;
  }

  private static boolean has(Throwable e, Class<? extends Throwable> type) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
    }
    return false;
  }

  private static Throwable rootCause(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t;
  }
}
