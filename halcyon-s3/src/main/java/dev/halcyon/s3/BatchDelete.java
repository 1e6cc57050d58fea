package dev.halcyon.s3;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.DeleteObjectsResponse;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Error;

/**
 * Many keys deleted with DeleteObjects, {@code batchSize} per request; the keys it could not delete
 * are reported together at the end. A service without DeleteObjects (it answers 501 or 405, as the
 * Google Cloud Storage XML API does) gets one DeleteObject per key from then on, for the rest of
 * the run, each counted as a request. Thread-safe.
 */
final class BatchDelete {
  private final S3Location location;
  private final S3Client s3;
  private final S3Errors errors;
  private final int batchSize;
  private final S3Notices notices;
  private volatile boolean multiDelete = true;

  BatchDelete(S3Location location, S3Client s3, S3Errors errors, int batchSize, S3Notices notices) {
    this.location = location;
    this.s3 = s3;
    this.errors = errors;
    this.batchSize = batchSize;
    this.notices = notices;
  }

  /** Deletes every key once; returns the number of requests made. */
  int deleteAll(Collection<String> keys) throws IOException {
    List<String> unique = new ArrayList<>(new LinkedHashSet<>(keys));
    unique.forEach(location::objectKey);
    int requests = 0;
    List<S3Error> failures = new ArrayList<>();
    for (int from = 0; from < unique.size(); from += batchSize) {
      List<String> batch = unique.subList(from, Math.min(from + batchSize, unique.size()));
      if (multiDelete) {
        try {
          failures.addAll(deleteObjects(batch));
          requests++;
          continue;
        } catch (AwsServiceException e) {
          if (!S3Errors.isOperationUnsupported(e)) {
            throw errors.translate(e, S3Errors.Operation.DELETE, batch.get(0));
          }
          requests++;
          multiDelete = false;
          notices.once(
              S3Notices.Fallback.DELETE_OBJECTS,
              location.describe()
                  + ": the service has no DeleteObjects ("
                  + S3Errors.answer(e)
                  + "), so keys are deleted one request each");
        } catch (SdkException e) {
          throw errors.translate(e, S3Errors.Operation.DELETE, batch.get(0));
        }
      }
      for (String key : batch) {
        requests++;
        deleteOne(key).ifPresent(failures::add);
      }
    }
    if (!failures.isEmpty()) {
      throw errors.deleteFailed(failures, unique.size(), location);
    }
    return requests;
  }

  private List<S3Error> deleteObjects(List<String> batch) {
    List<ObjectIdentifier> ids =
        batch.stream()
            .map(key -> ObjectIdentifier.builder().key(location.objectKey(key)).build())
            .toList();
    DeleteObjectsResponse r =
        s3.deleteObjects(b -> b.bucket(location.bucket()).delete(d -> d.objects(ids).quiet(true)));
    return r.errors();
  }

  private java.util.Optional<S3Error> deleteOne(String key) throws IOException {
    String objectKey = location.objectKey(key);
    try {
      s3.deleteObject(b -> b.bucket(location.bucket()).key(objectKey));
      return java.util.Optional.empty();
    } catch (AwsServiceException e) {
      if (S3Errors.isNotFound(e) && !S3Errors.isNoSuchBucket(e)) {
        return java.util.Optional.empty();
      }
      if (e.statusCode() == 403 || e.statusCode() == 409) {
        String code =
            e.awsErrorDetails() == null || e.awsErrorDetails().errorCode() == null
                ? (e.statusCode() == 403 ? "AccessDenied" : String.valueOf(e.statusCode()))
                : e.awsErrorDetails().errorCode();
        return java.util.Optional.of(S3Error.builder().key(objectKey).code(code).build());
      }
      throw errors.translate(e, S3Errors.Operation.DELETE, key);
    } catch (SdkException e) {
      throw errors.translate(e, S3Errors.Operation.DELETE, key);
    }
  }
}
