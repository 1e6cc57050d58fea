package dev.halcyon.archive;

import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Compresses segments into independent zstd frames on a small pool of threads it owns, and hands
 * them on in submission order. At most {@link #MAX_IN_FLIGHT_BYTES} of segments wait at a time, so
 * memory stays bounded whatever the tree. The bytes of a frame depend only on the segment (level
 * {@link Codecs#ZSTD_LEVEL}, content checksum, content size in the header), never on the number of
 * threads. Not thread-safe: one writer thread calls it; {@link #close} stops the pool.
 */
final class FrameCompressor implements AutoCloseable {
  /** One compressed segment: its frame and its raw length. */
  @SuppressWarnings("ArrayRecordComponent") // a package-private carrier, never compared or hashed
  record Frame(byte[] bytes, int rawLength) {}

  /** Receives each frame, in submission order. */
  @FunctionalInterface
  interface Frames {
    void accept(Frame frame) throws IOException;
  }

  static final long MAX_IN_FLIGHT_BYTES = 32L << 20;
  private static final int MAX_IN_FLIGHT_FRAMES = 1024;
  private static final AtomicInteger POOLS = new AtomicInteger();

  private final ExecutorService pool;
  private final ConcurrentLinkedQueue<ZstdCompressCtx> contexts = new ConcurrentLinkedQueue<>();
  private final Deque<Future<Frame>> inFlight = new ArrayDeque<>();
  private final Deque<Integer> inFlightSizes = new ArrayDeque<>();
  private final Frames frames;
  private long inFlightBytes;

  FrameCompressor(int threads, Frames frames) {
    this.frames = frames;
    int id = POOLS.incrementAndGet();
    AtomicInteger n = new AtomicInteger();
    ThreadFactory factory =
        r -> {
          Thread t = new Thread(r, "halcyon-zstd-" + id + "-" + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        };
    this.pool = Executors.newFixedThreadPool(threads, factory);
  }

  /** Queues {@code raw} for compression. */
  void submit(byte[] raw) throws IOException {
    while (!inFlight.isEmpty()
        && (inFlightBytes + raw.length > MAX_IN_FLIGHT_BYTES
            || inFlight.size() >= MAX_IN_FLIGHT_FRAMES)) {
      handOnFirst();
    }
    inFlight.addLast(pool.submit(() -> compress(raw)));
    inFlightSizes.addLast(raw.length);
    inFlightBytes += raw.length;
  }

  /** Hands on every queued frame. */
  void drain() throws IOException {
    while (!inFlight.isEmpty()) {
      handOnFirst();
    }
  }

  private void handOnFirst() throws IOException {
    Future<Frame> first = inFlight.removeFirst();
    inFlightBytes -= inFlightSizes.removeFirst();
    Frame f;
    try {
      f = first.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while compressing the archive");
    } catch (ExecutionException e) {
      if (e.getCause() instanceof ZstdException z) {
        throw new IOException("zstd failed to compress a frame: " + z.getMessage(), z);
      }
      throw new IOException("compressing a frame failed: " + e.getCause(), e.getCause());
    }
    frames.accept(f);
  }

  private Frame compress(byte[] raw) {
    ZstdCompressCtx ctx = contexts.poll();
    if (ctx == null) {
      ctx = newContext();
    }
    try {
      return new Frame(ctx.compress(raw), raw.length);
    } finally {
      contexts.add(ctx);
    }
  }

  private static ZstdCompressCtx newContext() {
    ZstdCompressCtx ctx = new ZstdCompressCtx();
    ctx.setLevel(Codecs.ZSTD_LEVEL);
    ctx.setChecksum(true);
    ctx.setContentSize(true);
    return ctx;
  }

  /** One frame of {@code raw} with the archive's settings, on the calling thread. */
  static byte[] compressOnce(byte[] raw) {
    try (ZstdCompressCtx ctx = newContext()) {
      return ctx.compress(raw);
    }
  }

  @Override
  public void close() {
    pool.shutdownNow();
    try {
      // The contexts are native memory that a running task may still use.
      if (!pool.awaitTermination(1, TimeUnit.MINUTES)) {
        return; // leave them to the garbage collector rather than free memory in use
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    ZstdCompressCtx ctx;
    while ((ctx = contexts.poll()) != null) {
      ctx.close();
    }
  }
}
