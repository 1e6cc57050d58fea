package dev.halcyon.engine;

import dev.halcyon.archive.CorruptArchiveException;
import dev.halcyon.archive.TocEntry;
import dev.halcyon.archive.UnsafeArchiveException;
import dev.halcyon.layer.LayerKind;
import dev.halcyon.naming.ArchiveName;
import dev.halcyon.naming.ArchiveNamer;
import dev.halcyon.store.LayerStore;
import dev.halcyon.store.ObjectInfo;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.ClosedByInterruptException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Finds the earlier install archives of an app in the local cache that a delta restore can take
 * file content from: install archives of the same platform and toolchain in the same codec as the
 * one being restored, the same label first, then labels sharing the longest beginning with it
 * ({@code shop-1.4.2} for {@code shop-1.4.3}), newest first; of those, the first {@link
 * #MAX_SOURCES} whose table of contents reads and verifies as a remote one does ({@link
 * TocReader}), when at least {@link #MIN_BYTES_LEFT} bytes are left to fetch. An archive without a
 * table of contents, foreign or unreadable is skipped with a step line; a damaged one (its table
 * fails its digest or an extraction rule) with a warning, and it is dropped from the cache, as a
 * damaged archive found by a restore is. Nothing here fails the run but an interrupt. Confined to
 * the run's thread.
 */
final class CachedArchives {
  /** At most this many cached archives are read per delta restore. */
  static final int MAX_SOURCES = 3;

  /**
   * Less than this many bytes left to fetch are fetched without looking at cached archives: reading
   * and checking their tables of contents costs about as much as one ranged read of this size.
   */
  static final long MIN_BYTES_LEFT = RangeFetcher.MAX_RANGE;

  /** At most this many candidates are tried to find {@link #MAX_SOURCES} usable ones. */
  private static final int MAX_TRIED = 2 * MAX_SOURCES;

  private final LayerStore cache;
  private final ArchiveNamer namer;
  private final EngineListener listener;

  CachedArchives(LayerStore cache, ArchiveNamer namer, EngineListener listener) {
    this.cache = cache;
    this.namer = namer;
    this.listener = listener;
  }

  /** Whether the cache holds any candidate for a delta restore of {@code key} (none is read). */
  boolean any(String key) throws IOException {
    return !candidates(key).isEmpty();
  }

  /**
   * The cached install archives that may share content with the archive {@code key}, best first:
   * {@code key} itself is not one of them.
   */
  List<ObjectInfo> candidates(String key) throws IOException {
    Optional<ArchiveName> parsed = namer.parse(key);
    if (parsed.isEmpty()) {
      return List.of();
    }
    ArchiveName wanted = parsed.get();
    List<ObjectInfo> listed;
    try {
      listed = cache.list(key.substring(0, key.lastIndexOf('/') + 1));
    } catch (InterruptedIOException | ClosedByInterruptException e) {
      throw e;
    } catch (IOException e) {
      listener.step("delta: cannot list " + cache.describe() + " (" + e.getMessage() + ")");
      return List.of();
    }
    record Candidate(ObjectInfo info, int shared) {}
    List<Candidate> found = new ArrayList<>();
    for (ObjectInfo info : listed) {
      Optional<ArchiveName> name = namer.parse(info.key());
      if (!info.key().equals(key)
          && name.isPresent()
          && name.get().kind() == LayerKind.INSTALL
          && name.get().platform().equals(wanted.platform())
          && name.get().toolchain().equals(wanted.toolchain())
          && name.get().extension().equals(wanted.extension())) {
        found.add(new Candidate(info, sharedPrefix(name.get().label(), wanted.label())));
      }
    }
    found.sort(
        Comparator.comparingInt((Candidate c) -> -c.shared())
            .thenComparing((Candidate c) -> c.info().lastModified(), Comparator.reverseOrder())
            .thenComparing(c -> c.info().key()));
    return found.stream().map(Candidate::info).toList();
  }

  /**
   * The chunks of the first {@link #MAX_SOURCES} candidates for {@code key} whose table of contents
   * is sound, for the files {@code left} to fetch; none if the cache holds none or those files hold
   * less than {@link #MIN_BYTES_LEFT} bytes.
   */
  ArchiveChunks open(String key, List<TocEntry> left) throws IOException {
    long bytes = 0;
    for (TocEntry e : left) {
      bytes += e.size();
    }
    if (bytes < MIN_BYTES_LEFT) {
      return ArchiveChunks.none();
    }
    List<ArchiveChunks.Source> sources = new ArrayList<>();
    int tried = 0;
    for (ObjectInfo info : candidates(key)) {
      if (sources.size() == MAX_SOURCES || tried++ == MAX_TRIED) {
        break;
      }
      try {
        sources.add(new ArchiveChunks.Source(info, TocReader.read(cache, info).toc()));
      } catch (TocReader.NoToc e) {
        listener.step(
            "delta: not using " + info.key() + " from the local cache: " + e.getMessage());
      } catch (InterruptedIOException | ClosedByInterruptException e) {
        throw e;
      } catch (CorruptArchiveException | UnsafeArchiveException e) {
        dropDamaged(cache, listener, info.key(), e);
      } catch (IOException e) {
        listener.step(
            "delta: not using " + info.key() + " from the local cache (" + e.getMessage() + ")");
      }
    }
    return new ArchiveChunks(cache, sources, listener);
  }

  /** Drops the cached archive {@code key}, found damaged, as a restore from the cache would. */
  static void dropDamaged(LayerStore cache, EngineListener listener, String key, IOException why)
      throws IOException {
    listener.warning(
        key + " in " + cache.describe() + " is damaged (" + why.getMessage() + "); ignoring it");
    cache.delete(key);
  }

  /** How many characters {@code a} and {@code b} share from their start. */
  private static int sharedPrefix(String a, String b) {
    int n = Math.min(a.length(), b.length());
    int i = 0;
    while (i < n && a.charAt(i) == b.charAt(i)) {
      i++;
    }
    return i;
  }
}
