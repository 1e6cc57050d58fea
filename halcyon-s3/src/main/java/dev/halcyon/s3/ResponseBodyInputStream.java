package dev.halcyon.s3;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.halcyon.store.BulkReadInputStream;
import dev.halcyon.store.StoreException;
import java.io.IOException;
import java.io.UncheckedIOException;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * The body of one GET response, held to the length the response announced. A body that ends before
 * that length (the connection closed cleanly mid-way) and a connection failure while reading both
 * throw {@link dev.halcyon.store.TransientStoreException} naming the key and the endpoint: the
 * stored object may well be whole, only this transfer was not. Only a complete body can then reach
 * the digest check, so {@link dev.halcyon.store.CorruptObjectException} means the stored bytes
 * themselves are wrong.
 *
 * <p>Not thread-safe (one reader). Closing it before the end aborts the connection rather than
 * draining the rest of the body; closing it closes the response.
 */
final class ResponseBodyInputStream extends BulkReadInputStream.Guarded {
  private final ResponseInputStream<?> body;
  private final String key;
  private final long offset;
  private final long length;
  private final long objectLength;
  private final S3Errors errors;
  private long count;
  private boolean eof;

  /**
   * @param body the response, positioned at its first byte
   * @param key the store key, for messages
   * @param offset where in the object the body starts (0 unless it is a later range)
   * @param length how many bytes the response announced, or -1 if it did not say
   * @param objectLength the length of the whole object, for messages
   */
  ResponseBodyInputStream(
      ResponseInputStream<?> body,
      String key,
      long offset,
      long length,
      long objectLength,
      S3Errors errors) {
    checkArgument(offset >= 0, "offset must be >= 0");
    this.body = checkNotNull(body, "body");
    this.key = checkNotNull(key, "key");
    this.offset = offset;
    this.length = length;
    this.objectLength = objectLength;
    this.errors = checkNotNull(errors, "errors");
  }

  @Override
  protected int readOpen(byte[] b, int off, int len) throws IOException {
    if (ended()) {
      return -1;
    }
    int n;
    try {
      // Never ask past the announced end: what follows is not ours to read.
      n = body.read(b, off, length < 0 ? len : (int) Math.min(len, length - count));
    } catch (StoreException e) {
      throw e;
    } catch (IOException | UncheckedIOException | SdkException e) {
      abortQuietly();
      throw errors.bodyFailed(e, key, offset, count, length, objectLength);
    }
    if (n < 0) {
      if (length < 0) {
        eof = true;
        return -1;
      }
      abortQuietly();
      throw errors.cutShort(key, offset, count, length, objectLength);
    }
    count += n;
    return n;
  }

  private boolean ended() {
    return eof || count == length;
  }

  @Override
  protected void closeOnce() {
    if (!ended()) {
      // Closing an SDK body would drain the rest of it first.
      body.abort();
    }
    try {
      body.close();
    } catch (IOException | UncheckedIOException | SdkException e) {
      // The bytes we needed have arrived (or the read failed and said so); a connection that does
      // not close cleanly is not a reason to fail the read.
    }
  }

  private void abortQuietly() {
    try {
      body.abort();
    } catch (RuntimeException ignored) {
      // Already broken.
    }
  }
}
