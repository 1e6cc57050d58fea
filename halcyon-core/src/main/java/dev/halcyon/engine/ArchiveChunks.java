package dev.halcyon.engine;

import dev.halcyon.archive.ArchiveToc;
import dev.halcyon.archive.CorruptArchiveException;
import dev.halcyon.archive.TocChunk;
import dev.halcyon.archive.TocEntry;
import dev.halcyon.layer.Digest;
import dev.halcyon.store.LayerStore;
import dev.halcyon.store.ObjectInfo;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The content chunks of a few install archives in the local cache ({@link CachedArchives}), by
 * digest, and the reads that put them into the files of a delta restore: a chunk of the new archive
 * whose SHA-256 one of them holds is decompressed from that archive's frame, read with the cache's
 * positioned ranged reads ({@link RangeFetcher}, which checks every chunk against its digest before
 * it writes a byte), instead of being fetched. An archive whose frames fail their digests is
 * dropped from the cache and what it was to give is fetched instead. Confined to the run's thread.
 */
final class ArchiveChunks {
  /** A cached archive and its verified table of contents. */
  record Source(ObjectInfo info, ArchiveToc toc) {}

  /**
   * What reading from the cached archives came to.
   *
   * @param toFetch the files still to fetch, each with the chunks still missing (the entry itself
   *     when none came from an archive)
   * @param files the files filled from cached archives alone
   * @param bytes the content bytes read from cached archives
   * @param used the keys of the cached archives read from
   */
  record Read(List<TocEntry> toFetch, int files, long bytes, Set<String> used) {
    Read {
      toFetch = List.copyOf(toFetch);
      used = Set.copyOf(used);
    }
  }

  private record Located(int source, TocChunk chunk) {}

  private final LayerStore cache;
  private final List<Source> sources;
  private final EngineListener listener;
  private final Map<Digest, Located> byDigest = new HashMap<>();

  ArchiveChunks(LayerStore cache, List<Source> sources, EngineListener listener) {
    this.cache = cache;
    this.sources = List.copyOf(sources);
    this.listener = listener;
    for (int i = 0; i < this.sources.size(); i++) {
      for (TocEntry e : this.sources.get(i).toc().entries()) {
        for (TocChunk c : e.chunks()) {
          byDigest.putIfAbsent(c.digest(), new Located(i, c));
        }
      }
    }
  }

  /** No cached archive: every chunk is fetched. */
  static ArchiveChunks none() {
    return new ArchiveChunks(null, List.of(), EngineListener.NONE);
  }

  /** The content bytes of {@code entry} that the cached archives hold. */
  long covered(TocEntry entry) {
    long bytes = 0;
    for (TocChunk c : entry.chunks()) {
      if (byDigest.containsKey(c.digest())) {
        bytes += c.size();
      }
    }
    return bytes;
  }

  /**
   * Writes every chunk of {@code placed} the cached archives hold into the file {@code paths} gives
   * for its entry (created empty by the caller), and says what is left to fetch. A chunk comes out
   * of its archive verified against the digest the new table of contents gives it; the caller still
   * checks each whole file.
   *
   * @throws InterruptedIOException the run was interrupted
   */
  Read read(List<TocEntry> placed, Function<TocEntry, Path> paths) throws IOException {
    if (sources.isEmpty()) {
      return new Read(placed, 0, 0, Set.of());
    }
    // Each source's chunks as entries of their own: the new file's path and digest, the chunk's
    // frame in the cached archive and its place in the new file.
    List<Map<String, List<TocChunk>>> bySource = new ArrayList<>();
    sources.forEach(s -> bySource.add(new LinkedHashMap<>()));
    Map<String, TocEntry> byPath = new HashMap<>();
    for (TocEntry e : placed) {
      byPath.put(e.path(), e);
      for (TocChunk c : e.chunks()) {
        Located l = byDigest.get(c.digest());
        if (l != null) {
          TocChunk from = l.chunk();
          bySource
              .get(l.source())
              .computeIfAbsent(e.path(), p -> new ArrayList<>())
              .add(
                  new TocChunk(
                      from.offset(),
                      from.length(),
                      from.innerOffset(),
                      c.fileOffset(),
                      c.size(),
                      c.digest()));
        }
      }
    }
    Map<String, Set<Long>> written = new HashMap<>();
    Set<String> used = new HashSet<>();
    long bytes = 0;
    for (int i = 0; i < sources.size(); i++) {
      if (bySource.get(i).isEmpty()) {
        continue;
      }
      Source s = sources.get(i);
      List<TocEntry> pieces = new ArrayList<>();
      for (Map.Entry<String, List<TocChunk>> p : bySource.get(i).entrySet()) {
        TocEntry e = byPath.get(p.getKey());
        pieces.add(withChunks(e, p.getValue()));
      }
      try {
        RangeFetcher.fetch(cache, s.info(), s.toc(), pieces, paths);
      } catch (InterruptedIOException | ClosedByInterruptException e) {
        throw e;
      } catch (CorruptArchiveException e) {
        // Its chunks are fetched instead, over what it wrote.
        CachedArchives.dropDamaged(cache, listener, s.info().key(), e);
        continue;
      } catch (IOException e) {
        listener.step(
            "delta: could not read "
                + s.info().key()
                + " from the local cache ("
                + e.getMessage()
                + "); fetching its files");
        continue;
      }
      used.add(s.info().key());
      for (TocEntry p : pieces) {
        for (TocChunk c : p.chunks()) {
          written.computeIfAbsent(p.path(), k -> new HashSet<>()).add(c.fileOffset());
          bytes += c.size();
        }
      }
    }
    List<TocEntry> toFetch = new ArrayList<>();
    int files = 0;
    for (TocEntry e : placed) {
      Set<Long> done = written.getOrDefault(e.path(), Set.of());
      List<TocChunk> missing =
          e.chunks().stream().filter(c -> !done.contains(c.fileOffset())).toList();
      if (missing.isEmpty()) {
        files++;
      } else {
        toFetch.add(missing.size() == e.chunks().size() ? e : withChunks(e, missing));
      }
    }
    return new Read(toFetch, files, bytes, used);
  }

  private static TocEntry withChunks(TocEntry e, List<TocChunk> chunks) {
    return TocEntry.file(
        e.path(), e.mode(), e.size(), e.digest().orElseThrow(), e.tarOffset(), chunks);
  }
}
