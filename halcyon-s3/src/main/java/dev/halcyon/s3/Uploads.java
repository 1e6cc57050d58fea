package dev.halcyon.s3;

import dev.halcyon.layer.Digest;
import dev.halcyon.store.PutMode;
import dev.halcyon.store.PutResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * How a write goes: not at all if the key already answers it, else in one request or, above the
 * multipart threshold, in parts. Thread-safe.
 */
final class Uploads {
  private final S3Location location;
  private final ConditionalWrites conditionalWrites;
  private final ObjectHeads heads;
  private final SingleUpload single;
  private final MultipartUpload multipart;
  private final long multipartThreshold;

  Uploads(
      S3Location location,
      ConditionalWrites conditionalWrites,
      ObjectHeads heads,
      SingleUpload single,
      MultipartUpload multipart,
      long multipartThreshold) {
    this.location = location;
    this.conditionalWrites = conditionalWrites;
    this.heads = heads;
    this.single = single;
    this.multipart = multipart;
    this.multipartThreshold = multipartThreshold;
  }

  PutResult putFile(String key, Path source, Digest digest, PutMode mode) throws IOException {
    return conditionalWrites.inTurn(
        location.objectKey(key),
        mode,
        () -> {
          long size = Files.size(source);
          return unlessPresent(
              key,
              size,
              digest,
              mode,
              () ->
                  size > multipartThreshold
                      ? multipart.upload(key, source, size, digest, mode)
                      : single.putFile(key, source, size, digest, mode));
        });
  }

  PutResult putBytes(String key, byte[] bytes, PutMode mode) throws IOException {
    return conditionalWrites.inTurn(
        location.objectKey(key),
        mode,
        () -> {
          Digest digest = Digest.sha256(bytes);
          return unlessPresent(
              key, bytes.length, digest, mode, () -> single.putBytes(key, bytes, digest, mode));
        });
  }

  /** Runs {@code write} unless the key is taken (IF_ABSENT) or already holds these bytes. */
  private PutResult unlessPresent(
      String key, long size, Digest digest, PutMode mode, ConditionalWrites.Write write)
      throws IOException {
    Optional<PutResult> skip = heads.existing(key, size, digest, mode);
    return skip.isPresent() ? skip.get() : write.run();
  }
}
