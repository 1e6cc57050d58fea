package dev.halcyon.engine;

import dev.halcyon.layer.LayerKind;
import dev.halcyon.naming.ArchiveNamer;
import dev.halcyon.store.LayerStore;
import dev.halcyon.store.ObjectInfo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Keeps the local cache to what runs use: cleaning drops this app's entries this run did not use
 * (every app's only when asked), and the size cap drops the least recently used ones of any app.
 * Never drops an entry this run used.
 *
 * <p>Use times live in {@link WorkDirLayout#cacheUses}, not in the cache: the engine knows the
 * cache only as a LayerStore, and touching a DirectoryLayerStore file's mtime would orphan its
 * digest record (records are keyed by inode, mtime and size). Runs sharing a work directory are
 * serialised by its lock, so that file has one writer at a time.
 */
final class CacheUsage {
  private final LayerStore cache;
  private final WorkDirLayout layout;
  private final EngineListener listener;
  private final Clock clock;
  private final RunLedger ledger;
  private final ArchiveNamer namer;

  CacheUsage(EngineConfig config, RunLedger ledger) {
    this.cache = config.cache();
    this.layout = config.layout();
    this.listener = config.listener();
    this.clock = config.clock();
    this.ledger = ledger;
    this.namer = config.namer();
  }

  /**
   * Deletes cache entries of the app labelled {@code label} that this run did not use and that were
   * last used (or written) before {@code before} (its archives of other sources and constraints).
   * Another app's archives, toolchain archives (apps share them) and keys the namer does not read
   * are kept, unless {@code acrossApps}: a cache may be shared by several apps, and one app's run
   * must not evict what the others need. The size cap applies across apps either way.
   */
  void cleanCache(Instant before, String label, boolean acrossApps) throws IOException {
    Map<String, Instant> uses = readCacheUses();
    for (ObjectInfo info : cache.list("")) {
      // The last use, not the file's time: an entry hard-linked from a folder store keeps the
      // store file's (older) modification time.
      if (!ledger.wasUsed(info.key())
          && lastUse(info, uses).isBefore(before)
          && (acrossApps || belongsTo(info.key(), label))) {
        cache.delete(info.key());
        ledger.evicted(info.key());
      }
    }
  }

  private boolean belongsTo(String key, String label) {
    return namer
        .parse(key)
        .filter(name -> name.kind() != LayerKind.TOOLCHAIN && name.label().equals(label))
        .isPresent();
  }

  /**
   * Records that this run used its cache entries and, when {@code maxBytes} is set, deletes the
   * least recently used entries this run did not use until the cache fits.
   */
  void recordCacheUseAndCap(OptionalLong maxBytes) throws IOException {
    Instant now = clock.instant();
    List<ObjectInfo> entries = cache.list("");
    Map<String, Instant> uses = readCacheUses();
    ledger.usedKeys().forEach(k -> uses.put(k, now));
    Set<String> present = new HashSet<>();
    entries.forEach(e -> present.add(e.key()));
    uses.keySet().retainAll(present);
    if (maxBytes.isPresent()) {
      long total = entries.stream().mapToLong(ObjectInfo::size).sum();
      List<ObjectInfo> evictable =
          entries.stream()
              .filter(e -> !ledger.wasUsed(e.key()))
              .sorted(
                  Comparator.comparing((ObjectInfo e) -> lastUse(e, uses))
                      .thenComparing(ObjectInfo::key))
              .toList();
      for (ObjectInfo entry : evictable) {
        if (total <= maxBytes.getAsLong()) {
          break;
        }
        cache.delete(entry.key());
        ledger.evicted(entry.key());
        uses.remove(entry.key());
        total -= entry.size();
      }
      if (total > maxBytes.getAsLong()) {
        listener.warning(
            "the local cache ("
                + cache.describe()
                + ") holds "
                + total
                + " bytes, over HALCYON_CACHE_MAX_SIZE ("
                + maxBytes.getAsLong()
                + " bytes), in archives this run used; raise the cap to keep them all");
      }
    }
    writeCacheUses(uses);
  }

  private static Instant lastUse(ObjectInfo entry, Map<String, Instant> uses) {
    Instant recorded = uses.get(entry.key());
    return recorded == null || recorded.isBefore(entry.lastModified())
        ? entry.lastModified()
        : recorded;
  }

  private Map<String, Instant> readCacheUses() throws IOException {
    Map<String, Instant> uses = new HashMap<>();
    Path file = layout.cacheUses();
    if (!Files.isRegularFile(file)) {
      return uses;
    }
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      int space = line.indexOf(' ');
      try {
        // A damaged line only loses a use time; the entry then counts as used when it was written.
        uses.put(
            line.substring(space + 1),
            Instant.ofEpochMilli(Long.parseLong(line.substring(0, space))));
      } catch (RuntimeException ignored) {
        // skip it
      }
    }
    return uses;
  }

  private void writeCacheUses(Map<String, Instant> uses) throws IOException {
    StringBuilder text = new StringBuilder();
    uses.entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(
            e ->
                text.append(e.getValue().toEpochMilli())
                    .append(' ')
                    .append(e.getKey())
                    .append('\n'));
    Path tmp = layout.cacheUsesTemp();
    Files.writeString(tmp, text, StandardCharsets.UTF_8);
    Files.move(
        tmp,
        layout.cacheUses(),
        StandardCopyOption.REPLACE_EXISTING,
        StandardCopyOption.ATOMIC_MOVE);
  }
}
