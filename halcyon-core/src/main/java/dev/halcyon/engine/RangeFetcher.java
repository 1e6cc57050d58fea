package dev.halcyon.engine;

import dev.halcyon.archive.ArchiveToc;
import dev.halcyon.archive.TocChunk;
import dev.halcyon.archive.TocChunks;
import dev.halcyon.archive.TocEntry;
import dev.halcyon.archive.TocFrame;
import dev.halcyon.store.LayerStore;
import dev.halcyon.store.ObjectChangedException;
import dev.halcyon.store.ObjectInfo;
import dev.halcyon.store.TransientStoreException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Fetches the frames holding the content of some files of an archive with ranged reads of one
 * object, and writes each chunk, verified against its digest, at its place in the file the caller
 * created for it. Frames closer than {@link #MERGE_GAP} are fetched in one range (the gap's bytes
 * are read and dropped), ranges are at most about {@link #MAX_RANGE} bytes, and up to {@link
 * #THREADS} ranges are read at once on a pool owned by one {@link #fetch} call, which shuts it down
 * before it returns. Memory stays bounded: each worker holds one range and one frame's content.
 */
final class RangeFetcher {
  static final long MERGE_GAP = 64 << 10;
  static final long MAX_RANGE = 8 << 20;
  static final int THREADS = 4;

  /** What a fetch cost. */
  record Stats(long bytes, int requests) {}

  private record Piece(TocEntry entry, TocChunk chunk) {}

  private record Range(long start, long end, List<TocFrame> frames) {}

  private RangeFetcher() {}

  /**
   * Fetches the content of every chunk of {@code files} from {@code object} into the file {@code
   * paths} gives for each.
   *
   * @throws dev.halcyon.archive.CorruptArchiveException a frame or chunk does not match the TOC
   * @throws TransientStoreException a read broke off or the object changed ("run again")
   */
  static Stats fetch(
      LayerStore store,
      ObjectInfo object,
      ArchiveToc toc,
      List<TocEntry> files,
      Function<TocEntry, Path> paths)
      throws IOException {
    TreeMap<Long, List<Piece>> byFrame = new TreeMap<>();
    for (TocEntry e : files) {
      for (TocChunk c : e.chunks()) {
        byFrame.computeIfAbsent(c.offset(), k -> new ArrayList<>()).add(new Piece(e, c));
      }
    }
    List<Range> ranges = ranges(toc, byFrame);
    if (ranges.isEmpty()) {
      return new Stats(0, 0);
    }
    AtomicLong bytes = new AtomicLong();
    ExecutorService pool =
        Executors.newFixedThreadPool(
            Math.min(THREADS, ranges.size()),
            r -> {
              Thread t = new Thread(r, "halcyon-range-fetch");
              t.setDaemon(true);
              return t;
            });
    try {
      List<Future<?>> done = new ArrayList<>();
      for (Range r : ranges) {
        done.add(
            pool.submit(
                () -> {
                  fetchRange(store, object, r, byFrame, paths);
                  bytes.addAndGet(r.end() - r.start());
                  return null;
                }));
      }
      for (Future<?> f : done) {
        try {
          f.get();
        } catch (ExecutionException e) {
          Throwable cause = e.getCause();
          if (cause instanceof IOException io) {
            throw io;
          }
          if (cause instanceof RuntimeException re) {
            throw re;
          }
          throw new IOException(cause);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("interrupted while fetching ranges");
        }
      }
    } finally {
      pool.shutdownNow();
      try {
        pool.awaitTermination(1, TimeUnit.MINUTES);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    return new Stats(bytes.get(), ranges.size());
  }

  /** The frames to fetch, merged into ranges. */
  private static List<Range> ranges(ArchiveToc toc, Map<Long, List<Piece>> byFrame) {
    List<Range> ranges = new ArrayList<>();
    List<TocFrame> current = new ArrayList<>();
    long start = -1;
    long end = -1;
    for (Map.Entry<Long, List<Piece>> e : byFrame.entrySet()) {
      TocFrame f = toc.frameOf(e.getValue().get(0).chunk());
      if (start >= 0 && (f.offset() - end > MERGE_GAP || f.endOffset() - start > MAX_RANGE)) {
        ranges.add(new Range(start, end, current));
        current = new ArrayList<>();
        start = -1;
      }
      if (start < 0) {
        start = f.offset();
      }
      end = f.endOffset();
      current.add(f);
    }
    if (start >= 0) {
      ranges.add(new Range(start, end, current));
    }
    return ranges;
  }

  private static void fetchRange(
      LayerStore store,
      ObjectInfo object,
      Range r,
      Map<Long, List<Piece>> byFrame,
      Function<TocEntry, Path> paths)
      throws IOException {
    int length = Math.toIntExact(r.end() - r.start());
    byte[] buf;
    Optional<InputStream> in = store.getRange(object, r.start(), length);
    if (in.isEmpty()) {
      throw new ObjectChangedException(
          object.key() + " vanished from " + store.describe() + " while it was read; run again");
    }
    int got;
    try (InputStream s = in.get()) {
      // Into one array of the range's size: readNBytes(int) would gather 8 KiB pieces and copy.
      buf = new byte[length];
      got = s.readNBytes(buf, 0, length);
    }
    if (got != length) {
      throw new TransientStoreException(
          "the read of bytes "
              + r.start()
              + "-"
              + (r.end() - 1)
              + " of "
              + object.key()
              + " from "
              + store.describe()
              + " broke off after "
              + got
              + " of "
              + length
              + " bytes; run again");
    }
    for (TocFrame f : r.frames()) {
      byte[] content = TocChunks.decompressFrame(buf, (int) (f.offset() - r.start()), f);
      for (Piece p : byFrame.get(f.offset())) {
        byte[] chunk = TocChunks.content(content, p.chunk());
        try (FileChannel out =
            FileChannel.open(
                paths.apply(p.entry()), StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
          ByteBuffer b = ByteBuffer.wrap(chunk);
          long pos = p.chunk().fileOffset();
          while (b.hasRemaining()) {
            pos += out.write(b, pos);
          }
        }
      }
    }
  }
}
