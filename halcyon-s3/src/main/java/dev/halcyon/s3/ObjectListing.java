package dev.halcyon.s3;

import dev.halcyon.store.ObjectInfo;
import dev.halcyon.store.StoreException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ListObjectsResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Every key under a prefix, with ListObjectsV2 page by page, or ListObjects (V1, by marker) on a
 * service that has only that. A V1-only service either refuses the V2 request (501, or 400 naming
 * its parameters) or ignores {@code list-type=2} and answers a V1 page: truncated, but without the
 * continuation token a V2 page carries. Taking that page as the last would silently drop every
 * later key (and the garbage collector would plan on a partial listing), so the listing starts
 * again with V1, for the rest of the run. The conditional-write probe object is left out of every
 * listing. Thread-safe.
 */
final class ObjectListing {
  private final S3Location location;
  private final S3Client s3;
  private final S3Errors errors;
  private final int pageSize;
  private final S3Notices notices;
  private volatile boolean v2 = true;

  ObjectListing(
      S3Location location, S3Client s3, S3Errors errors, int pageSize, S3Notices notices) {
    this.location = location;
    this.s3 = s3;
    this.errors = errors;
    this.pageSize = pageSize;
    this.notices = notices;
  }

  /** The keys under {@code prefix} in String order, with sizes and times but no digests. */
  List<ObjectInfo> list(String prefix) throws IOException {
    String objectPrefix = location.folderPrefix() + prefix;
    List<ObjectInfo> result = new ArrayList<>();
    try {
      if (!v2 || !listV2(objectPrefix, result)) {
        result.clear();
        listV1(objectPrefix, result);
      }
    } catch (SdkException e) {
      throw errors.translate(e, S3Errors.Operation.LIST, prefix);
    }
    // S3 sorts by UTF-8 bytes; callers expect String order (they differ above U+FFFF).
    result.sort(Comparator.comparing(ObjectInfo::key));
    return result;
  }

  /** Lists with V2 into {@code out}; false if the service turned out to know only V1. */
  private boolean listV2(String objectPrefix, List<ObjectInfo> out) {
    String token = null;
    while (true) {
      String continuation = token;
      ListObjectsV2Response page;
      try {
        page =
            s3.listObjectsV2(
                b ->
                    b.bucket(location.bucket())
                        .prefix(objectPrefix)
                        .maxKeys(pageSize)
                        .continuationToken(continuation));
      } catch (AwsServiceException e) {
        if (!S3Errors.isListV2Refused(e)) {
          throw e;
        }
        fallBack("refused ListObjectsV2 (" + S3Errors.answer(e) + ")");
        return false;
      }
      add(page.contents(), out);
      if (!Boolean.TRUE.equals(page.isTruncated())) {
        return true;
      }
      token = page.nextContinuationToken();
      if (token == null || token.isEmpty()) {
        fallBack(
            "answered ListObjectsV2 with a truncated page without a continuation token (a V1"
                + " answer)");
        return false;
      }
    }
  }

  private void listV1(String objectPrefix, List<ObjectInfo> out) throws IOException {
    String marker = null;
    while (true) {
      String from = marker;
      ListObjectsResponse page =
          s3.listObjects(
              b -> b.bucket(location.bucket()).prefix(objectPrefix).maxKeys(pageSize).marker(from));
      add(page.contents(), out);
      if (!Boolean.TRUE.equals(page.isTruncated()) || page.contents().isEmpty()) {
        return;
      }
      // NextMarker comes only with a delimiter; otherwise the last key is the marker.
      marker =
          Optional.ofNullable(page.nextMarker())
              .filter(m -> !m.isEmpty())
              .orElse(page.contents().get(page.contents().size() - 1).key());
      if (marker.equals(from)) {
        throw new StoreException(
            errors.scrub(
                "could not list "
                    + location.describe()
                    + ": the service answered the ListObjects page after "
                    + from
                    + " with the same page again"));
      }
    }
  }

  private void add(List<S3Object> objects, List<ObjectInfo> out) {
    for (S3Object o : objects) {
      if (o.key().startsWith(location.folderPrefix() + ConditionalWrites.PROBE_PREFIX)
          || o.key().startsWith(location.folderPrefix() + GrowingUpload.PARTIAL_PREFIX)) {
        // Our own probe object (see ConditionalWrites) and the hidden objects of uploads in
        // progress (see GrowingUpload) are no store keys.
        continue;
      }
      out.add(
          new ObjectInfo(location.storeKey(o.key()), o.size(), Optional.empty(), o.lastModified()));
    }
  }

  private void fallBack(String how) {
    v2 = false;
    notices.once(
        S3Notices.Fallback.LIST_OBJECTS_V2,
        location.describe()
            + ": the service "
            + how
            + ", so listings use ListObjects (V1) with markers");
  }
}
