package dev.halcyon.s3;

import java.io.IOException;
import java.time.Instant;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
// The SDK's listing entry; this import shadows our own dev.halcyon.s3.MultipartUpload here.
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.NoSuchUploadException;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Finds the multipart uploads that killed writers left behind, and aborts them; and the hidden
 * objects of overlapped uploads ({@link GrowingUpload}) killed between completing and deleting
 * them, and deletes them. Thread-safe.
 */
final class IncompleteUploads {
  private final S3Location location;
  private final S3Client s3;
  private final S3Errors errors;

  IncompleteUploads(S3Location location, S3Client s3, S3Errors errors) {
    this.location = location;
    this.s3 = s3;
    this.errors = errors;
  }

  /** How many uploads under {@code prefix} started before {@code startedBefore} were aborted. */
  int abort(String prefix, Instant startedBefore, boolean dryRun) throws IOException {
    return abortUnder(prefix, startedBefore, dryRun)
        + abortUnder(GrowingUpload.PARTIAL_PREFIX + prefix, startedBefore, dryRun)
        + deleteHidden(GrowingUpload.PARTIAL_PREFIX + prefix, startedBefore, dryRun);
  }

  /** Deletes the hidden objects under {@code prefix} last modified before {@code startedBefore}. */
  private int deleteHidden(String prefix, Instant startedBefore, boolean dryRun)
      throws IOException {
    String objectPrefix = location.folderPrefix() + prefix;
    int count = 0;
    try {
      for (S3Object o :
          s3.listObjectsV2Paginator(b -> b.bucket(location.bucket()).prefix(objectPrefix))
              .contents()) {
        if (o.lastModified() == null || !o.lastModified().isBefore(startedBefore)) {
          continue;
        }
        if (!dryRun) {
          s3.deleteObject(b -> b.bucket(location.bucket()).key(o.key()));
        }
        count++;
      }
    } catch (SdkException e) {
      throw errors.translate(e, S3Errors.Operation.DELETE, prefix);
    }
    return count;
  }

  private int abortUnder(String prefix, Instant startedBefore, boolean dryRun) throws IOException {
    String folderPrefix = location.folderPrefix();
    int count = 0;
    Iterable<MultipartUpload> uploads =
        s3.listMultipartUploadsPaginator(
                b -> b.bucket(location.bucket()).prefix(folderPrefix + prefix))
            .uploads();
    try {
      for (MultipartUpload u : uploads) {
        if (u.initiated() == null
            || !u.initiated().isBefore(startedBefore)
            || !u.key().startsWith(folderPrefix)
            || (!prefix.startsWith(GrowingUpload.PARTIAL_PREFIX)
                && u.key().startsWith(folderPrefix + GrowingUpload.PARTIAL_PREFIX))) {
          // A hidden upload is counted once, by the listing under the hidden prefix.
          continue;
        }
        if (!dryRun && !abortUpload(u.key(), u.uploadId())) {
          continue;
        }
        count++;
      }
    } catch (SdkException e) {
      throw errors.translate(e, S3Errors.Operation.LIST_UPLOADS, prefix);
    }
    return count;
  }

  /** False if the upload was no longer there (completed or aborted meanwhile). */
  private boolean abortUpload(String objectKey, String uploadId) throws IOException {
    try {
      s3.abortMultipartUpload(b -> b.bucket(location.bucket()).key(objectKey).uploadId(uploadId));
      return true;
    } catch (NoSuchUploadException e) {
      return false;
    } catch (AwsServiceException e) {
      if (S3Errors.isNotFound(e)) {
        return false;
      }
      throw errors.translate(e, S3Errors.Operation.ABORT_UPLOAD, location.storeKey(objectKey));
    }
  }
}
