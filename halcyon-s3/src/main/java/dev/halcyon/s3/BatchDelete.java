package dev.halcyon.s3;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.DeleteObjectsResponse;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Error;

/**
 * Many keys deleted with DeleteObjects, {@code batchSize} per request; the keys it could not delete
 * are reported together at the end. Thread-safe.
 */
final class BatchDelete {
  private final S3Location location;
  private final S3Client s3;
  private final S3Errors errors;
  private final int batchSize;

  BatchDelete(S3Location location, S3Client s3, S3Errors errors, int batchSize) {
    this.location = location;
    this.s3 = s3;
    this.errors = errors;
    this.batchSize = batchSize;
  }

  /** Deletes every key once; returns the number of requests made. */
  int deleteAll(Collection<String> keys) throws IOException {
    List<String> unique = new ArrayList<>(new LinkedHashSet<>(keys));
    unique.forEach(location::objectKey);
    int requests = 0;
    List<S3Error> failures = new ArrayList<>();
    for (int from = 0; from < unique.size(); from += batchSize) {
      List<ObjectIdentifier> batch =
          unique.subList(from, Math.min(from + batchSize, unique.size())).stream()
              .map(key -> ObjectIdentifier.builder().key(location.objectKey(key)).build())
              .toList();
      try {
        DeleteObjectsResponse r =
            s3.deleteObjects(
                b -> b.bucket(location.bucket()).delete(d -> d.objects(batch).quiet(true)));
        failures.addAll(r.errors());
      } catch (SdkException e) {
        throw errors.translate(e, S3Errors.Operation.DELETE, location.storeKey(batch.get(0).key()));
      }
      requests++;
    }
    if (!failures.isEmpty()) {
      throw errors.deleteFailed(failures, unique.size(), location);
    }
    return requests;
  }
}
