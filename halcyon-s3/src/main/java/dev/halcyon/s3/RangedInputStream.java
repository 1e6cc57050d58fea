package dev.halcyon.s3;

import static com.google.common.base.Preconditions.checkArgument;

import dev.halcyon.store.BulkReadInputStream;
import dev.halcyon.store.StoreException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

/**
 * One large object read as parallel byte ranges and delivered in order as a single stream.
 *
 * <p>The first range streams straight from its response; up to {@code window} following ranges are
 * fetched into memory meanwhile, so memory stays below {@code window × partSize} and the consumer
 * can decompress while later ranges are still downloading. The range buffers are recycled: a range
 * read to its end gives its buffer to the next range fetched, so a 200 MB download allocates {@code
 * window + 1} buffers rather than one per range (each a young-generation collection's worth of
 * copying while it waits to be read). Later ranges are requested with {@code If-Match} on the first
 * response's ETag, so an object overwritten during the read fails instead of mixing two versions.
 * Byte ranges, not {@code partNumber}: some S3-compatible servers (S3Proxy) refuse part reads.
 *
 * <p>Not thread-safe (one consumer). Closing it aborts every range still in flight.
 */
final class RangedInputStream extends BulkReadInputStream.Guarded {
  /** How often one range is requested again when its body breaks off mid-way. */
  private static final int BODY_ATTEMPTS = 3;

  private final S3Client s3;
  private final Executor executor;
  private final GetObjectRequest base;
  private final String key;
  private final S3Errors errors;
  private final long total;
  private final long partSize;
  private final int window;
  private final ArrayDeque<Part> inFlight = new ArrayDeque<>();

  /** Buffers of {@code partSize} bytes whose range was read to its end, for the next fetches. */
  private final ConcurrentLinkedQueue<byte[]> spare = new ConcurrentLinkedQueue<>();

  private final InputStream first;
  private InputStream current;

  /** The buffer behind {@link #current} when that is a fetched range. */
  private byte[] currentBuffer;

  private long nextOffset;

  /**
   * @param first the body of the first range, {@code partSize} bytes long, which fails (rather than
   *     ends) if it is cut short and aborts its connection if closed before its end
   * @param base the request for later ranges (bucket, key, If-Match); the range is set per part
   * @param key the store key, for messages
   */
  RangedInputStream(
      S3Client s3,
      Executor executor,
      GetObjectRequest base,
      String key,
      S3Errors errors,
      InputStream first,
      long total,
      long partSize,
      int window) {
    checkArgument(total > partSize, "a ranged read needs more than one part");
    checkArgument(window >= 1, "window must be >= 1");
    this.s3 = s3;
    this.executor = executor;
    this.base = base;
    this.key = key;
    this.errors = errors;
    this.first = first;
    this.current = first;
    this.total = total;
    this.partSize = partSize;
    this.window = window;
    this.nextOffset = partSize;
    fill();
  }

  @Override
  protected int readOpen(byte[] b, int off, int len) throws IOException {
    while (current != null) {
      int n;
      try {
        n = current.read(b, off, len);
      } catch (SdkException e) {
        throw errors.translate(e, S3Errors.Operation.GET, key);
      } catch (IOException e) {
        throw errors.translate(e, S3Errors.Operation.GET, key);
      } catch (UncheckedIOException e) {
        throw errors.translate(e.getCause(), S3Errors.Operation.GET, key);
      }
      if (n >= 0) {
        return n;
      }
      advance();
    }
    return -1;
  }

  @Override
  protected void closeOnce() {
    if (current == first) {
      // Aborts rather than drains if the range was not read to its end.
      closeQuietly(first);
    }
    for (Part p : inFlight) {
      p.cancel();
    }
    inFlight.clear();
    current = null;
  }

  private void advance() throws IOException {
    if (current == first) {
      // Read to its end, so closing keeps the connection for reuse.
      closeQuietly(first);
    }
    if (currentBuffer != null) {
      // Read to its end: no thread touches it any more.
      spare.add(currentBuffer);
      currentBuffer = null;
    }
    Part next = inFlight.poll();
    if (next == null) {
      current = null;
      return;
    }
    fill();
    byte[] data = await(next);
    currentBuffer = data;
    current = new ByteArrayInputStream(data, 0, next.length());
  }

  private static void closeQuietly(InputStream in) {
    try {
      in.close();
    } catch (IOException ignored) {
      // The body guard swallows close failures; nothing else can fail here.
    }
  }

  private void fill() {
    while (inFlight.size() < window && nextOffset < total) {
      long start = nextOffset;
      long end = Math.min(start + partSize, total) - 1;
      nextOffset = end + 1;
      Part p = new Part(start, end);
      inFlight.add(p);
      try {
        executor.execute(p::fetch);
      } catch (RejectedExecutionException e) {
        p.result.completeExceptionally(e);
      }
    }
  }

  private byte[] await(Part p) throws IOException {
    try {
      return p.result.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      close();
      throw new InterruptedIOException("interrupted while downloading " + key);
    } catch (CancellationException e) {
      throw new InterruptedIOException("download of " + key + " was cancelled");
    } catch (ExecutionException e) {
      throw errors.rangeFailed(e.getCause(), key);
    }
  }

  /** One range being fetched by a worker thread. */
  private final class Part {
    final long start;
    final long end;
    final CompletableFuture<byte[]> result = new CompletableFuture<>();
    volatile ResponseInputStream<GetObjectResponse> body;
    volatile boolean cancelled;

    Part(long start, long end) {
      this.start = start;
      this.end = end;
    }

    int length() {
      return Math.toIntExact(end - start + 1);
    }

    void fetch() {
      try {
        result.complete(download());
      } catch (Throwable t) {
        result.completeExceptionally(t);
      }
    }

    private byte[] download() throws IOException {
      int length = length();
      // A recycled buffer, or a new one of the full part size so that it can be recycled too. A
      // cancelled part's buffer is never recycled: its fetch may still be writing into it.
      byte[] data = spare.poll();
      if (data == null) {
        data = new byte[Math.toIntExact(partSize)];
      }
      StoreException last = null;
      for (int attempt = 1; attempt <= BODY_ATTEMPTS && !cancelled; attempt++) {
        // The SDK retries the request (a failure there propagates); a body that breaks off or
        // ends early after the headers is ours to retry.
        GetObjectRequest request = base.toBuilder().range("bytes=" + start + "-" + end).build();
        ResponseInputStream<GetObjectResponse> in = s3.getObject(request);
        body = in;
        if (cancelled) {
          in.abort();
          break;
        }
        ResponseBodyInputStream guarded =
            new ResponseBodyInputStream(in, key, start, length, total, errors);
        try (guarded) {
          // readNBytes(int) would gather 8 KiB chunks and copy them: twice the memory per part.
          guarded.readNBytes(data, 0, length);
          return data;
        } catch (StoreException e) {
          last = e;
        }
      }
      if (cancelled) {
        throw new CancellationException();
      }
      throw last;
    }

    void cancel() {
      cancelled = true;
      result.cancel(false);
      ResponseInputStream<GetObjectResponse> b = body;
      if (b != null) {
        b.abort();
      }
    }
  }
}
