package dev.halcyon.s3;

import dev.halcyon.layer.Digest;
import dev.halcyon.store.ObjectInfo;
import dev.halcyon.store.PutMode;
import dev.halcyon.store.PutResult;
import dev.halcyon.store.StoreException;
import dev.halcyon.store.TransientStoreException;
import java.io.IOException;
import java.time.Instant;
import java.util.Optional;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/** HEAD requests: what a key holds, and what that means before and after a write. Thread-safe. */
final class ObjectHeads {
  private final S3Client s3;
  private final S3Location location;
  private final S3Errors errors;

  ObjectHeads(S3Client s3, S3Location location, S3Errors errors) {
    this.s3 = s3;
    this.location = location;
    this.errors = errors;
  }

  Optional<ObjectInfo> head(String key) throws IOException {
    String objectKey = location.objectKey(key);
    try {
      HeadObjectResponse r = s3.headObject(b -> b.bucket(location.bucket()).key(objectKey));
      return Optional.of(
          new ObjectInfo(
              key, r.contentLength(), S3ObjectMetadata.digestOf(r.metadata()), r.lastModified()));
    } catch (NoSuchKeyException e) {
      return Optional.empty();
    } catch (AwsServiceException e) {
      if (S3Errors.isNotFound(e)) {
        return Optional.empty();
      }
      throw errors.translate(e, S3Errors.Operation.HEAD, key);
    } catch (SdkException e) {
      throw errors.translate(e, S3Errors.Operation.HEAD, key);
    }
  }

  /**
   * A result that makes the write unnecessary: the key is taken (IF_ABSENT) or holds these bytes.
   */
  Optional<PutResult> existing(String key, long size, Digest digest, PutMode mode)
      throws IOException {
    Optional<ObjectInfo> present = head(key);
    if (present.isEmpty()) {
      return Optional.empty();
    }
    ObjectInfo info = present.get();
    boolean same = info.size() == size && info.digest().equals(Optional.of(digest));
    return mode == PutMode.IF_ABSENT || same
        ? Optional.of(new PutResult(info, false))
        : Optional.empty();
  }

  /** The result of a conditional write that met an existing object. */
  PutResult alreadyThere(String key, Digest ours) throws IOException {
    Optional<ObjectInfo> info = head(key);
    if (info.isEmpty()) {
      throw new StoreException(
          location.describe(key) + " was reported present but has since been deleted; try again");
    }
    // The SDK retries a PUT whose answer was lost; the retry then meets our own object. Both
    // "written" and "already there" are true of identical bytes; say written, as the caller's
    // bytes are what is stored.
    return new PutResult(info.get(), info.get().digest().equals(Optional.of(ours)));
  }

  /**
   * {@code failure} of a write to {@code key}, or, when it was a broken connection and the bucket
   * turns out not to exist, the missing bucket: a service may answer a write to a missing bucket by
   * closing the connection before the body is read, which alone would read as "try again".
   */
  StoreException diagnoseWrite(StoreException failure, String key) {
    if (!(failure instanceof TransientStoreException)) {
      return failure;
    }
    try {
      s3.headBucket(b -> b.bucket(location.bucket()));
      return failure;
    } catch (NoSuchBucketException e) {
      return errors.missingBucketOnWrite(key, e);
    } catch (AwsServiceException e) {
      return e.statusCode() == 404 ? errors.missingBucketOnWrite(key, e) : failure;
    } catch (SdkException e) {
      failure.addSuppressed(e);
      return failure;
    }
  }

  /** The result of a write that succeeded. */
  PutResult written(String key, long size, Digest digest) throws IOException {
    // PUT answers carry no Last-Modified; ask, so the info matches what head() and list() say.
    ObjectInfo info =
        head(key).orElse(new ObjectInfo(key, size, Optional.of(digest), Instant.now()));
    return new PutResult(info, true);
  }
}
