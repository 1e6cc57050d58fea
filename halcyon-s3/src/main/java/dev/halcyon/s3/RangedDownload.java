package dev.halcyon.s3;

import dev.halcyon.hash.VerifyingInputStream;
import dev.halcyon.store.CorruptObjectException;
import dev.halcyon.store.ObjectInfo;
import dev.halcyon.store.StoredObject;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
import java.util.concurrent.Executor;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * Downloads: the first range streamed straight from its answer, later ranges of a large object
 * fetched ahead on the executor ({@link RangedInputStream}), everything verified against the
 * recorded digest and length. Thread-safe; the returned streams are the caller's to close.
 */
final class RangedDownload {
  private static final long MIB = 1024 * 1024;

  private final S3Location location;
  private final S3Client s3;
  private final S3Errors errors;
  private final Executor executor;
  private final long partSize;
  private final int parallelism;

  RangedDownload(
      S3Location location,
      S3Client s3,
      S3Errors errors,
      Executor executor,
      long partSize,
      int parallelism) {
    this.location = location;
    this.s3 = s3;
    this.errors = errors;
    this.executor = executor;
    this.partSize = partSize;
    this.parallelism = parallelism;
  }

  Optional<StoredObject> get(String key) throws IOException {
    String objectKey = location.objectKey(key);
    long range = rangeSize();
    ResponseInputStream<GetObjectResponse> first;
    try {
      first =
          s3.getObject(
              b -> b.bucket(location.bucket()).key(objectKey).range("bytes=0-" + (range - 1)));
    } catch (NoSuchKeyException e) {
      return Optional.empty();
    } catch (AwsServiceException e) {
      if (S3Errors.isNotFound(e) && !S3Errors.isNoSuchBucket(e)) {
        return Optional.empty();
      }
      if (!S3Errors.isRangeNotSatisfiable(e)) {
        throw errors.translate(e, S3Errors.Operation.GET, key);
      }
      // An empty object has no byte 0: read it whole.
      try {
        first = s3.getObject(b -> b.bucket(location.bucket()).key(objectKey));
      } catch (NoSuchKeyException e2) {
        return Optional.empty();
      } catch (SdkException e2) {
        throw errors.translate(e2, S3Errors.Operation.GET, key);
      }
    } catch (SdkException e) {
      throw errors.translate(e, S3Errors.Operation.GET, key);
    }

    GetObjectResponse r = first.response();
    long total = S3ObjectMetadata.totalLength(r);
    ObjectInfo info =
        new ObjectInfo(key, total, S3ObjectMetadata.digestOf(r.metadata()), r.lastModified());
    long received = r.contentLength() == null ? total : r.contentLength();
    // A body cut short or broken off is a transient failure of this read, never "corrupt".
    InputStream bytes = new ResponseBodyInputStream(first, key, 0, received, total, errors);
    if (total > received) {
      GetObjectRequest later =
          GetObjectRequest.builder()
              .bucket(location.bucket())
              .key(objectKey)
              .ifMatch(r.eTag())
              .build();
      bytes =
          new RangedInputStream(
              s3, executor, later, key, errors, bytes, total, received, readWindow(received));
    }
    return Optional.of(
        new StoredObject(
            info,
            new VerifyingInputStream(
                bytes, location.describe(key), total, info.digest(), CorruptObjectException::new)));
  }

  /**
   * Bytes per ranged GET: the part size, or on a small heap a sixteenth of the heap (whole MiB, at
   * least 1 MiB), so that the ranges held in memory ({@link #readWindow}) fit a quarter of it. With
   * {@code -Xmx64m} and 16 MiB ranges even one range ahead (two 16 MiB arrays in a 64 MB heap)
   * sometimes failed with an OutOfMemoryError; 3 MiB ranges, three ahead, take 12 MiB.
   */
  private long rangeSize() {
    long sixteenth = Runtime.getRuntime().maxMemory() / 16 / MIB * MIB;
    return Math.max(MIB, Math.min(partSize, sixteenth));
  }

  /**
   * Ranges buffered ahead while reading: up to {@code parallelism}, but their buffers (window plus
   * the one being read, {@code range} bytes each) stay within a quarter of the heap, so a small
   * heap such as {@code -Xmx64m} restores any size of archive.
   */
  private int readWindow(long range) {
    long fits = Runtime.getRuntime().maxMemory() / 4 / range - 1;
    return (int) Math.max(1, Math.min(parallelism, fits));
  }
}
