package dev.halcyon.s3;

import dev.halcyon.layer.Digest;
import dev.halcyon.store.GrowingFile;
import dev.halcyon.store.PutMode;
import dev.halcyon.store.PutResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.LongConsumer;

/**
 * How a write goes: not at all if the key already answers it, else in one request or, above the
 * multipart threshold, in parts; then the HEAD after it is checked: the stored size must be what
 * was sent (a service that kept the aws-chunked framing stores more, see {@link UploadFraming}),
 * and, where the service does not keep {@code If-None-Match}, an IF_ABSENT write that finds another
 * writer's object there reports it as already there. With {@code signingPass} (the SDK reads each
 * body once to sign it before sending it) progress leaves that first read out. Thread-safe.
 */
final class Uploads {
  private final S3Location location;
  private final ConditionalWrites conditionalWrites;
  private final ObjectHeads heads;
  private final SingleUpload single;
  private final MultipartUpload multipart;
  private final GrowingUpload growing;
  private final long multipartThreshold;
  private final UploadFraming framing;
  private final int uncountedReads;

  Uploads(
      S3Location location,
      ConditionalWrites conditionalWrites,
      ObjectHeads heads,
      SingleUpload single,
      MultipartUpload multipart,
      GrowingUpload growing,
      long multipartThreshold,
      UploadFraming framing,
      boolean signingPass) {
    this.framing = framing;
    this.uncountedReads = signingPass ? 1 : 0;
    this.location = location;
    this.conditionalWrites = conditionalWrites;
    this.heads = heads;
    this.single = single;
    this.multipart = multipart;
    this.growing = growing;
    this.multipartThreshold = multipartThreshold;
  }

  /**
   * Uploads {@code source}, telling {@code sent} the running total of bytes sent (see {@link
   * SentBytes}) and, on success, the file's size last; never after this returns.
   */
  PutResult putFile(String key, Path source, Digest digest, PutMode mode, LongConsumer sent)
      throws IOException {
    return conditionalWrites.inTurn(
        location.objectKey(key),
        mode,
        () -> {
          long size = Files.size(source);
          SentBytes progress = new SentBytes(sent, size, uncountedReads);
          try {
            PutResult result =
                unlessPresent(
                    key,
                    size,
                    digest,
                    mode,
                    () ->
                        size > multipartThreshold
                            ? multipart.upload(key, source, size, digest, mode, progress)
                            : single.putFile(key, source, size, digest, mode, progress));
            progress.finished();
            return result;
          } finally {
            progress.close();
          }
        });
  }

  /**
   * Uploads the file {@code source} is growing into (see {@link GrowingUpload}): overlapped with
   * the writing once the file has outgrown the multipart threshold and the key is free; else, and
   * when the service cannot copy parts, the finished file as {@link #putFile} does. {@code sent} is
   * told a running total that only rises, and the file's final size last.
   */
  PutResult putGrowing(String key, GrowingFile source, PutMode mode, LongConsumer sent)
      throws IOException {
    LongConsumer rising = new Rising(sent);
    return conditionalWrites.inTurn(
        location.objectKey(key),
        mode,
        () -> {
          if (growing.usable()
              && source.awaitWritten(multipartThreshold + 1) > multipartThreshold
              && heads.head(key).isEmpty()) {
            SentBytes progress = new SentBytes(rising, Long.MAX_VALUE, uncountedReads);
            try {
              Optional<PutResult> result = growing.upload(key, source, mode, progress);
              if (result.isPresent()) {
                GrowingFile.Finished end = source.awaitFinished();
                PutResult checked = checked(result.get(), key, end.size(), end.digest(), mode);
                progress.finished(end.size());
                return checked;
              }
            } finally {
              progress.close();
            }
          }
          GrowingFile.Finished end = source.awaitFinished();
          return putFile(key, source.path(), end.digest(), mode, rising);
        });
  }

  /** A callback told only totals above the last one (a fallback upload counts from 0 again). */
  private static final class Rising implements LongConsumer {
    private final LongConsumer sent;
    private long told = -1;

    Rising(LongConsumer sent) {
      this.sent = sent;
    }

    @Override
    public synchronized void accept(long total) {
      if (total > told) {
        told = total;
        sent.accept(total);
      }
    }
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
    return skip.isPresent() ? skip.get() : checked(write.run(), key, size, digest, mode);
  }

  private PutResult checked(PutResult result, String key, long size, Digest digest, PutMode mode)
      throws IOException {
    if (!result.written()) {
      return result;
    }
    boolean ours = result.info().digest().equals(Optional.of(digest));
    if (ours && result.info().size() != size) {
      throw framing.storedSizeDiffers(key, size, result.info().size());
    }
    if (!ours && mode == PutMode.IF_ABSENT && !conditionalWrites.atomic()) {
      // Another writer's upload landed between our HEAD and our HEAD after the write.
      return new PutResult(result.info(), false);
    }
    return result;
  }
}
