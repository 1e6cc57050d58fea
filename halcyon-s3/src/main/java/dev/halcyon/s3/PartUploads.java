package dev.halcyon.s3;

import dev.halcyon.store.StoreException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;

/**
 * The parts of one multipart upload, sent on an executor with at most {@code parallelism} in flight
 * ({@link MultipartUpload} from a finished file, {@link GrowingUpload} from a growing one): the
 * caller takes a slot, reads the next part's bytes and {@link #send}s them; a part that failed
 * fails the next {@link #awaitSlot}. Confined to the uploading thread; the parts run on the
 * executor.
 */
final class PartUploads {
  private final S3Client s3;
  private final S3Location location;
  private final S3Errors errors;
  private final Executor executor;
  private final String key;
  private final String objectKey;
  private final String uploadId;
  private final SentBytes progress;
  private final Semaphore slots;
  private final List<CompletableFuture<CompletedPart>> futures = new ArrayList<>();

  /**
   * @param key the store key errors name
   * @param objectKey the S3 key the upload {@code uploadId} writes
   */
  PartUploads(
      S3Client s3,
      S3Location location,
      S3Errors errors,
      Executor executor,
      int parallelism,
      String key,
      String objectKey,
      String uploadId,
      SentBytes progress) {
    this.s3 = s3;
    this.location = location;
    this.errors = errors;
    this.executor = executor;
    this.key = key;
    this.objectKey = objectKey;
    this.uploadId = uploadId;
    this.progress = progress;
    this.slots = new Semaphore(parallelism);
  }

  /** Parts sent so far. */
  int count() {
    return futures.size();
  }

  /**
   * Waits for a free slot (memory for one more part) and takes it.
   *
   * @throws IOException a part sent earlier has failed
   */
  void awaitSlot() throws IOException {
    try {
      slots.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while uploading " + location.describe(key));
    }
    for (CompletableFuture<CompletedPart> f : futures) {
      if (f.isCompletedExceptionally()) {
        releaseSlot();
        result(f);
      }
    }
  }

  /** Gives back the slot taken by {@link #awaitSlot} without sending a part. */
  void releaseSlot() {
    slots.release();
  }

  /** Sends {@code data} as the next part, in the slot taken by {@link #awaitSlot}. */
  void send(byte[] data) {
    int partNumber = futures.size() + 1;
    long length = data.length;
    CompletableFuture<CompletedPart> f = new CompletableFuture<>();
    futures.add(f);
    executor.execute(
        () -> {
          try {
            String etag =
                s3.uploadPart(
                        b ->
                            b.bucket(location.bucket())
                                .key(objectKey)
                                .uploadId(uploadId)
                                .partNumber(partNumber)
                                .contentLength(length),
                        RequestBody.fromContentProvider(
                            progress.counting(
                                partNumber,
                                length,
                                ContentStreamProvider.fromByteArrayUnsafe(data)),
                            length,
                            S3ObjectMetadata.CONTENT_TYPE))
                    .eTag();
            progress.partSent(partNumber, length);
            f.complete(CompletedPart.builder().partNumber(partNumber).eTag(etag).build());
          } catch (Throwable t) {
            f.completeExceptionally(t);
          } finally {
            slots.release();
          }
        });
  }

  /**
   * Waits until no part is running, whatever their outcome: an abort must come after the last part.
   */
  void awaitAll() {
    for (CompletableFuture<CompletedPart> f : futures) {
      try {
        f.join();
      } catch (RuntimeException ignored) {
        // reported by completed(), or by awaitSlot
      }
    }
  }

  /**
   * The parts sent, in order, once all have finished.
   *
   * @throws IOException the first part that failed, translated
   */
  List<CompletedPart> completed() throws IOException {
    List<CompletedPart> parts = new ArrayList<>(futures.size());
    for (CompletableFuture<CompletedPart> f : futures) {
      parts.add(result(f));
    }
    return parts;
  }

  private CompletedPart result(CompletableFuture<CompletedPart> f) throws IOException {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while uploading " + location.describe(key));
    } catch (ExecutionException e) {
      if (e.getCause() instanceof SdkException s) {
        throw errors.translate(s, S3Errors.Operation.PUT, key);
      }
      if (e.getCause() instanceof IOException io) {
        throw errors.translate(io, S3Errors.Operation.PUT, key);
      }
      if (e.getCause() instanceof UncheckedIOException io) {
        throw errors.translate(io.getCause(), S3Errors.Operation.PUT, key);
      }
      throw new StoreException(
          "could not upload " + location.describe(key) + ": " + e.getCause(), e.getCause());
    }
  }
}
