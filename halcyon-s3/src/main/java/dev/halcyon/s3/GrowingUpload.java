package dev.halcyon.s3;

import dev.halcyon.layer.Digest;
import dev.halcyon.store.CorruptObjectException;
import dev.halcyon.store.GrowingFile;
import dev.halcyon.store.ObjectInfo;
import dev.halcyon.store.PutMode;
import dev.halcyon.store.PutResult;
import dev.halcyon.store.StoreException;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.ObjectCannedACL;

/**
 * An upload that overlaps the writing of its file ({@link
 * dev.halcyon.store.LayerStore#putWhileWriting}). S3 fixes user metadata, our {@code
 * x-amz-meta-halcyon-sha256}, when a multipart upload is created, before the digest of a file still
 * being written is known; so the parts go to a hidden key under {@link #PARTIAL_PREFIX} as they
 * fill (read back from the growing file, hashed as they pass, at most {@code parallelism} parts in
 * flight), and once the writer has finished and the digest matches, that object is copied on the
 * server (a multipart upload to the final key created with the digest, one UploadPartCopy,
 * completed with {@code If-None-Match: *} for IF_ABSENT where the service keeps it) and deleted.
 * The final key therefore never holds an object without its digest, and nothing appears there
 * before the whole file is sent and checked. A failure aborts both uploads and deletes the hidden
 * object; a killed process leaves an incomplete upload or a hidden object, which {@link
 * IncompleteUploads} removes once older than gc's grace period. Listings leave the hidden keys out.
 *
 * <p>Empty results mean "upload the finished file the ordinary way instead": the service lacks
 * UploadPartCopy (remembered for the store's life and reported once), or the file outgrew one copy
 * (5 GiB). Thread-safe; one instance serves every such upload of a store.
 */
final class GrowingUpload {
  /** Where hidden objects of uploads in progress live under the folder; never a store key. */
  static final String PARTIAL_PREFIX = ".halcyon-partial/";

  private static final long COPY_LIMIT = 5L << 30;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final S3Location location;
  private final S3Client s3;
  private final S3Errors errors;
  private final ObjectHeads heads;
  private final ConditionalWrites conditionalWrites;
  private final Optional<ObjectCannedACL> acl;
  private final Executor executor;
  private final long partSize;
  private final int parallelism;
  private final S3Notices notices;
  private volatile boolean partCopy = true;

  GrowingUpload(
      S3Location location,
      S3Client s3,
      S3Errors errors,
      ObjectHeads heads,
      ConditionalWrites conditionalWrites,
      Optional<ObjectCannedACL> acl,
      Executor executor,
      long partSize,
      int parallelism,
      S3Notices notices) {
    this.location = location;
    this.s3 = s3;
    this.errors = errors;
    this.heads = heads;
    this.conditionalWrites = conditionalWrites;
    this.acl = acl;
    this.executor = executor;
    this.partSize = partSize;
    this.parallelism = parallelism;
    this.notices = notices;
  }

  /** False once the service has been seen to lack UploadPartCopy: upload finished files instead. */
  boolean usable() {
    return partCopy;
  }

  /**
   * Uploads {@code source} as it grows to the final key {@code key}; empty (with nothing left
   * behind) when the finished file must be uploaded the ordinary way instead.
   */
  Optional<PutResult> upload(String key, GrowingFile source, PutMode mode, SentBytes progress)
      throws IOException {
    return new Transfer(key, source, mode, progress).run();
  }

  /** The file outgrew one server-side copy. */
  private static final class TooLarge extends Exception {
    private static final long serialVersionUID = 1L;

    TooLarge() {
      super(null, null, false, false);
    }
  }

  /** One file's upload. */
  private final class Transfer {
    private final String key;
    private final String objectKey;
    private final String hiddenObjectKey;
    private final GrowingFile source;
    private final PutMode mode;
    private final SentBytes progress;

    Transfer(String key, GrowingFile source, PutMode mode, SentBytes progress) {
      this.key = key;
      this.objectKey = location.objectKey(key);
      byte[] id = new byte[8];
      RANDOM.nextBytes(id);
      this.hiddenObjectKey =
          location.objectKey(PARTIAL_PREFIX + key + "." + HexFormat.of().formatHex(id));
      this.source = source;
      this.mode = mode;
      this.progress = progress;
    }

    Optional<PutResult> run() throws IOException {
      String hiddenUpload = create(hiddenObjectKey, Optional.empty(), key);
      boolean hiddenCompleted = false;
      try {
        GrowingFile.Finished end;
        List<CompletedPart> parts;
        try {
          parts = uploadParts(hiddenUpload);
          end = source.finished().orElseThrow();
        } catch (TooLarge e) {
          return Optional.empty();
        }
        s3.completeMultipartUpload(
            b ->
                b.bucket(location.bucket())
                    .key(hiddenObjectKey)
                    .uploadId(hiddenUpload)
                    .multipartUpload(m -> m.parts(parts)));
        hiddenCompleted = true;
        return copy(end);
      } catch (SdkException e) {
        throw errors.translate(e, S3Errors.Operation.PUT, key);
      } finally {
        if (!hiddenCompleted) {
          abort(hiddenObjectKey, hiddenUpload);
        }
        // Also when its completion failed: the answer may have been lost after it went through.
        deleteHidden();
      }
    }

    /** Copies the complete hidden object to the final key, with the digest recorded. */
    private Optional<PutResult> copy(GrowingFile.Finished end) throws IOException {
      String upload = create(objectKey, Optional.of(end.digest()), key);
      String etag;
      boolean completed = false;
      try {
        try {
          etag =
              s3.uploadPartCopy(
                      b ->
                          b.sourceBucket(location.bucket())
                              .sourceKey(hiddenObjectKey)
                              .destinationBucket(location.bucket())
                              .destinationKey(objectKey)
                              .uploadId(upload)
                              .partNumber(1))
                  .copyPartResult()
                  .eTag();
        } catch (AwsServiceException e) {
          if (S3Errors.isOperationUnsupported(e)) {
            return noPartCopy(e);
          }
          throw e;
        }
        List<CompletedPart> parts =
            List.of(CompletedPart.builder().partNumber(1).eTag(etag).build());
        Optional<PutResult> met =
            conditionalWrites.send(
                key,
                end.digest(),
                mode,
                heads,
                conditional ->
                    s3.completeMultipartUpload(
                        b -> {
                          b.bucket(location.bucket())
                              .key(objectKey)
                              .uploadId(upload)
                              .multipartUpload(m -> m.parts(parts));
                          if (conditional) {
                            b.ifNoneMatch("*");
                          }
                        }));
        completed = met.isEmpty();
        if (met.isPresent()) {
          return met;
        }
      } catch (SdkException e) {
        StoreException failure = errors.translate(e, S3Errors.Operation.PUT, key);
        // A completion whose answer was lost (a reset, a retry meeting NoSuchUpload) may have
        // stored the object: ours if it holds our size and digest.
        Optional<ObjectInfo> there;
        try {
          there = heads.head(key);
        } catch (IOException suppressed) {
          failure.addSuppressed(suppressed);
          throw failure;
        }
        if (there.isPresent()
            && there.get().size() == end.size()
            && there.get().digest().equals(Optional.of(end.digest()))) {
          completed = true;
          return Optional.of(new PutResult(there.get(), true));
        }
        throw failure;
      } finally {
        if (!completed) {
          abort(objectKey, upload);
        }
      }
      return Optional.of(heads.written(key, end.size(), end.digest()));
    }

    private Optional<PutResult> noPartCopy(AwsServiceException e) {
      partCopy = false;
      notices.once(
          S3Notices.Fallback.PART_COPY,
          location.describe()
              + ": the service lacks UploadPartCopy ("
              + S3Errors.answer(e)
              + "), so archives are uploaded once they are written instead of while they are"
              + " written");
      return Optional.empty();
    }

    private String create(String target, Optional<Digest> digest, String forKey)
        throws IOException {
      CreateMultipartUploadRequest.Builder create =
          CreateMultipartUploadRequest.builder()
              .bucket(location.bucket())
              .key(target)
              .contentType(S3ObjectMetadata.CONTENT_TYPE);
      digest.ifPresent(d -> create.metadata(S3ObjectMetadata.of(d)));
      acl.ifPresent(create::acl);
      try {
        return s3.createMultipartUpload(create.build()).uploadId();
      } catch (SdkException e) {
        throw heads.diagnoseWrite(errors.translate(e, S3Errors.Operation.PUT, forKey), forKey);
      }
    }

    /** Sends the file's parts as they become final; returns them once the writer has finished. */
    private List<CompletedPart> uploadParts(String uploadId) throws IOException, TooLarge {
      // Bounds memory to `parallelism` parts in flight plus the one being read.
      PartUploads parts =
          new PartUploads(
              s3,
              location,
              errors,
              executor,
              parallelism,
              key,
              hiddenObjectKey,
              uploadId,
              progress);
      MessageDigest sha256 = Digest.newSha256();
      long offset = 0;
      try (FileChannel in = FileChannel.open(source.path(), StandardOpenOption.READ)) {
        while (true) {
          long available = source.awaitWritten(offset + partSize);
          int length = Math.toIntExact(Math.min(partSize, available - offset));
          if (length == 0 && parts.count() > 0) {
            break;
          }
          if (offset + length > COPY_LIMIT || parts.count() == 10_000) {
            throw new TooLarge();
          }
          parts.awaitSlot();
          byte[] data = read(in, offset, length);
          sha256.update(data);
          parts.send(data);
          offset += length;
          if (length < partSize) {
            break;
          }
        }
      } finally {
        parts.awaitAll();
      }
      GrowingFile.Finished end = source.awaitFinished();
      Digest actual = Digest.of(sha256.digest());
      if (end.size() != offset || !actual.equals(end.digest())) {
        throw new CorruptObjectException(
            source.path()
                + " changed while it was uploaded to "
                + location.describe(key)
                + ": its writer reported "
                + end.size()
                + " bytes with "
                + end.digest()
                + ", the upload read "
                + offset
                + " bytes with "
                + actual);
      }
      return parts.completed();
    }

    private byte[] read(FileChannel in, long offset, int length) throws IOException {
      byte[] data = new byte[length];
      ByteBuffer buffer = ByteBuffer.wrap(data);
      while (buffer.hasRemaining()) {
        if (in.read(buffer, offset + buffer.position()) < 0) {
          throw new EOFException(
              source.path() + " shrank while it was uploaded to " + location.describe(key));
        }
      }
      return data;
    }

    private void abort(String target, String uploadId) {
      try {
        s3.abortMultipartUpload(b -> b.bucket(location.bucket()).key(target).uploadId(uploadId));
      } catch (SdkException ignored) {
        // The original failure matters more; gc aborts what remains (IncompleteUploads).
      }
    }

    private void deleteHidden() {
      try {
        s3.deleteObject(b -> b.bucket(location.bucket()).key(hiddenObjectKey));
      } catch (SdkException ignored) {
        // gc deletes hidden objects older than its grace period (IncompleteUploads).
      }
    }
  }
}
