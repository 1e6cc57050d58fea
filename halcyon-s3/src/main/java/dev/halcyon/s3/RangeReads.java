package dev.halcyon.s3;

import static com.google.common.base.Preconditions.checkArgument;

import dev.halcyon.store.ObjectInfo;
import dev.halcyon.store.RangeNotSupportedException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * Ranged reads: one single-range GET per call (S3 answers no multi-range GET), taken only as a 206
 * whose Content-Range is the range asked for. A 200 (the whole object) or another range means the
 * service ignores ranges: that is remembered, and later calls fail with {@link
 * RangeNotSupportedException} at once. Reads of an {@link ObjectInfo}'s ranges compare the answer's
 * size and recorded digest (or Last-Modified) with it, in the same GET, so an object replaced
 * between two ranges is detected rather than mixed. Thread-safe; the returned streams are the
 * caller's to close.
 */
final class RangeReads {
  private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+)");

  private final S3Location location;
  private final S3Client s3;
  private final S3Errors errors;
  private final ObjectHeads heads;

  /** What the service answered to the first ranged GET it did not honour; null until then. */
  private volatile String refused;

  RangeReads(S3Location location, S3Client s3, S3Errors errors, ObjectHeads heads) {
    this.location = location;
    this.s3 = s3;
    this.errors = errors;
    this.heads = heads;
  }

  /** False once the service answered a ranged GET with the whole object or another range. */
  boolean honoured() {
    return refused == null;
  }

  Optional<InputStream> read(String key, Optional<ObjectInfo> expected, long offset, long length)
      throws IOException {
    checkArgument(offset >= 0, "offset must be >= 0, got %s", offset);
    checkArgument(length >= 0, "length must be >= 0, got %s", length);
    if (length == 0 || (expected.isPresent() && offset >= expected.get().size())) {
      // No byte to ask for ("bytes=a-(a-1)" is no range): existence and identity are enough.
      return nothingToRead(key, expected);
    }
    String earlier = refused;
    if (earlier != null) {
      throw errors.rangesNotHonoured(key, earlier, true);
    }
    boolean toTheEnd = length > Long.MAX_VALUE - offset;
    String asked = "bytes=" + offset + "-" + (toTheEnd ? "" : String.valueOf(offset + length - 1));
    String objectKey = location.objectKey(key);
    ResponseInputStream<GetObjectResponse> in;
    try {
      in = s3.getObject(b -> b.bucket(location.bucket()).key(objectKey).range(asked));
    } catch (NoSuchKeyException e) {
      return Optional.empty();
    } catch (AwsServiceException e) {
      if (S3Errors.isNotFound(e) && !S3Errors.isNoSuchBucket(e)) {
        return Optional.empty();
      }
      if (S3Errors.isRangeNotSatisfiable(e)) {
        // The range starts at or past the end; for a known object that means it shrank.
        return expected.isEmpty() ? Optional.of(emptyStream()) : nothingToRead(key, expected);
      }
      throw errors.translate(e, S3Errors.Operation.GET, key);
    } catch (SdkException e) {
      throw errors.translate(e, S3Errors.Operation.GET, key);
    }
    boolean handedOver = false;
    try {
      GetObjectResponse r = in.response();
      int status = r.sdkHttpResponse().statusCode();
      if (status != 206) {
        throw refuse(key, "answered HTTP " + status + " with the whole object");
      }
      String contentRange = r.contentRange() == null ? "" : r.contentRange();
      Matcher m = CONTENT_RANGE.matcher(contentRange);
      if (!m.matches()) {
        throw refuse(key, "answered " + asked + " with Content-Range '" + contentRange + "'");
      }
      long first = Long.parseLong(m.group(1));
      long last = Long.parseLong(m.group(2));
      long total = Long.parseLong(m.group(3));
      long end = toTheEnd ? total : Math.min(offset + length, total);
      long bytes = last - first + 1;
      if (first != offset
          || last + 1 != end
          || (r.contentLength() != null && r.contentLength() != bytes)) {
        throw refuse(
            key,
            "answered "
                + asked
                + " with Content-Range '"
                + contentRange
                + "' and Content-Length "
                + r.contentLength());
      }
      if (expected.isPresent()) {
        ObjectInfo now =
            new ObjectInfo(key, total, S3ObjectMetadata.digestOf(r.metadata()), r.lastModified());
        if (!expected.get().isSameObject(now)) {
          throw errors.objectChanged(key, expected.get(), now);
        }
      }
      handedOver = true;
      // A body cut short or broken off is a transient failure of this read, never "corrupt".
      return Optional.of(new ResponseBodyInputStream(in, key, first, bytes, total, errors));
    } finally {
      if (!handedOver) {
        // Closing would drain the body first, possibly a whole large object.
        in.abort();
      }
    }
  }

  private RangeNotSupportedException refuse(String key, String answer) {
    refused = answer;
    return errors.rangesNotHonoured(key, answer, false);
  }

  /** A read of no bytes: empty if nothing is stored, an empty stream if the object is there. */
  private Optional<InputStream> nothingToRead(String key, Optional<ObjectInfo> expected)
      throws IOException {
    Optional<ObjectInfo> now = heads.head(key);
    if (now.isEmpty()) {
      return Optional.empty();
    }
    if (expected.isPresent() && !expected.get().isSameObject(now.get())) {
      throw errors.objectChanged(key, expected.get(), now.get());
    }
    return Optional.of(emptyStream());
  }

  private static InputStream emptyStream() {
    return new ByteArrayInputStream(new byte[0]);
  }
}
