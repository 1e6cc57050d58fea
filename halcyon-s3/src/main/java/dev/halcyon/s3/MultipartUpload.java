package dev.halcyon.s3;

import dev.halcyon.layer.Digest;
import dev.halcyon.store.CorruptObjectException;
import dev.halcyon.store.PutMode;
import dev.halcyon.store.PutResult;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.ObjectCannedACL;

/**
 * Large files sent as parts in parallel on the given executor, each file read once in order so its
 * digest is computed on the way. A failed upload is aborted after its last part has finished.
 * Thread-safe; one instance serves every upload of a store.
 */
final class MultipartUpload {
  private static final long MIB = 1024 * 1024;
  private static final int MAX_PARTS = 10_000;

  private final S3Location location;
  private final S3Client s3;
  private final S3Errors errors;
  private final ObjectHeads heads;
  private final ConditionalWrites conditionalWrites;
  private final Optional<ObjectCannedACL> acl;
  private final Executor executor;
  private final long partSize;
  private final int parallelism;

  /**
   * @param parallelism parts in flight at once per upload; each holds {@code partSize} bytes
   */
  MultipartUpload(
      S3Location location,
      S3Client s3,
      S3Errors errors,
      ObjectHeads heads,
      ConditionalWrites conditionalWrites,
      Optional<ObjectCannedACL> acl,
      Executor executor,
      long partSize,
      int parallelism) {
    this.location = location;
    this.s3 = s3;
    this.errors = errors;
    this.heads = heads;
    this.conditionalWrites = conditionalWrites;
    this.acl = acl;
    this.executor = executor;
    this.partSize = partSize;
    this.parallelism = parallelism;
  }

  /**
   * Uploads {@code size} bytes of {@code source}, which must hash to {@code digest}, counting the
   * bytes of each part into {@code progress} as the SDK reads them, and each part whole once the
   * service has answered it.
   */
  PutResult upload(
      String key, Path source, long size, Digest digest, PutMode mode, SentBytes progress)
      throws IOException {
    return new Transfer(key, source, size, digest, mode, progress).run();
  }

  /** One file's upload. */
  private final class Transfer {
    private final String key;
    private final String objectKey;
    private final Path source;
    private final long size;
    private final Digest digest;
    private final PutMode mode;
    private final SentBytes progress;
    private final long chunk;

    Transfer(String key, Path source, long size, Digest digest, PutMode mode, SentBytes progress) {
      this.key = key;
      this.objectKey = location.objectKey(key);
      this.source = source;
      this.size = size;
      this.digest = digest;
      this.mode = mode;
      this.progress = progress;
      // S3 allows 10,000 parts: grow the parts of very large files, in whole MiB.
      long minimum = (size + MAX_PARTS - 1) / MAX_PARTS;
      this.chunk = Math.max(partSize, (minimum + MIB - 1) / MIB * MIB);
    }

    PutResult run() throws IOException {
      CreateMultipartUploadRequest.Builder create =
          CreateMultipartUploadRequest.builder()
              .bucket(location.bucket())
              .key(objectKey)
              .contentType(S3ObjectMetadata.CONTENT_TYPE)
              .metadata(S3ObjectMetadata.of(digest));
      acl.ifPresent(create::acl);
      String uploadId;
      try {
        uploadId = s3.createMultipartUpload(create.build()).uploadId();
      } catch (SdkException e) {
        throw heads.diagnoseWrite(errors.translate(e, S3Errors.Operation.PUT, key), key);
      }
      boolean completed = false;
      try {
        List<CompletedPart> parts = uploadParts(uploadId);
        Optional<PutResult> met =
            conditionalWrites.send(
                key, digest, mode, heads, conditional -> complete(uploadId, parts, conditional));
        completed = met.isEmpty();
        if (met.isPresent()) {
          return met.get();
        }
      } catch (SdkException e) {
        throw errors.translate(e, S3Errors.Operation.PUT, key);
      } finally {
        if (!completed) {
          abort(uploadId);
        }
      }
      return heads.written(key, size, digest);
    }

    private void complete(String uploadId, List<CompletedPart> parts, boolean conditional) {
      s3.completeMultipartUpload(
          b -> {
            b.bucket(location.bucket())
                .key(objectKey)
                .uploadId(uploadId)
                .multipartUpload(m -> m.parts(parts));
            if (conditional) {
              b.ifNoneMatch("*");
            }
          });
    }

    private List<CompletedPart> uploadParts(String uploadId) throws IOException {
      int count = Math.toIntExact((size + chunk - 1) / chunk);
      // Bounds memory to `parallelism` parts in flight plus the one being read.
      PartUploads parts =
          new PartUploads(
              s3, location, errors, executor, parallelism, key, objectKey, uploadId, progress);
      MessageDigest sha256 = Digest.newSha256();
      try (InputStream in = Files.newInputStream(source)) {
        for (int i = 0; i < count; i++) {
          int length = Math.toIntExact(Math.min(chunk, size - i * chunk));
          parts.awaitSlot();
          byte[] data = new byte[length];
          if (in.readNBytes(data, 0, length) != length) {
            parts.releaseSlot();
            throw new CorruptObjectException(
                source + " shrank while it was uploaded to " + location.describe(key));
          }
          sha256.update(data);
          parts.send(data);
        }
        if (in.read() >= 0) {
          throw new CorruptObjectException(
              source + " grew while it was uploaded to " + location.describe(key));
        }
      } finally {
        parts.awaitAll();
      }
      Digest actual = Digest.of(sha256.digest());
      if (!actual.equals(digest)) {
        throw S3Errors.sourceMismatch(source, location.describe(key), digest, actual);
      }
      return parts.completed();
    }

    private void abort(String uploadId) {
      try {
        s3.abortMultipartUpload(b -> b.bucket(location.bucket()).key(objectKey).uploadId(uploadId));
      } catch (SdkException ignored) {
        // The original failure matters more; a lifecycle rule cleans up what remains.
      }
    }
  }
}
