package dev.halcyon.engine;

import dev.halcyon.archive.Archives;
import dev.halcyon.archive.Compression;
import dev.halcyon.archive.CorruptArchiveException;
import dev.halcyon.archive.ExtractLimits;
import dev.halcyon.archive.UnsafeArchiveException;
import dev.halcyon.hash.DigestingOutputStream;
import dev.halcyon.layer.Digest;
import dev.halcyon.layer.LayerTag;
import dev.halcyon.store.CorruptObjectException;
import dev.halcyon.store.LayerStore;
import dev.halcyon.store.ObjectInfo;
import dev.halcyon.store.PutMode;
import dev.halcyon.store.StoreException;
import dev.halcyon.store.StoredObject;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.channels.ClosedByInterruptException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Restores a layer directory from the first tier that holds a sound archive of it: the local cache,
 * then private, then public storage. A download is extracted while it streams and fills the cache
 * on the way; a damaged archive is recorded in the {@link RunLedger}, dropped from the cache, and
 * skipped. Confined to the run's thread.
 */
final class TieredRestore {
  private final EngineConfig config;
  private final RunLedger ledger;
  private final ScratchDir scratch;
  private final DeltaRestore delta;
  private Optional<InstallRecord.Snapshot> lastSnapshot = Optional.empty();

  TieredRestore(EngineConfig config, RunLedger ledger, ScratchDir scratch) {
    this.config = config;
    this.ledger = ledger;
    this.scratch = scratch;
    this.delta = new DeltaRestore(config);
  }

  /** Restores exactly {@code tag} into {@code dir} from the first store that has it. */
  Optional<LayerOutcome> restoreExact(LayerTag tag, Path dir) throws IOException {
    return restore(tag, dir, tag::equals).filter(o -> o.tag().equals(tag));
  }

  /**
   * Restores the archive named by {@code tag} into {@code dir} from the cache, then private, then
   * public storage, accepting the first whose tag passes {@code accept}.
   */
  Optional<LayerOutcome> restore(LayerTag tag, Path dir, Predicate<LayerTag> accept)
      throws IOException {
    return restoreKey(config.key(tag), tag, dir, accept);
  }

  /**
   * Restores the archive {@code key} (another layer's, for a partial match) into {@code dir} from
   * the first tier that holds a sound copy whose tag passes {@code accept}; {@code wanted} only
   * words the message when a tag does not pass.
   */
  Optional<LayerOutcome> restoreKey(
      String key, LayerTag wanted, Path dir, Predicate<LayerTag> accept) throws IOException {
    Instant t0 = config.clock().instant();
    for (Tier tier : tiers()) {
      Optional<RestoredArchive> restored = restoreFrom(tier, key, dir, wanted, accept);
      if (restored.isPresent()) {
        ledger.used(key);
        return Optional.of(outcome(restored.get(), tier, key, t0));
      }
    }
    return Optional.empty();
  }

  /**
   * Restores exactly the install layer {@code tag} into {@code installDir}: from the cache by full
   * extraction; from private or public storage by a {@link DeltaRestore} when the archive has a
   * table of contents and the machine has files to reuse, else (saying why in one line) by a full
   * download.
   */
  Optional<LayerOutcome> restoreInstall(LayerTag tag, Path installDir) throws IOException {
    lastSnapshot = Optional.empty();
    if (!config.deltaRestore() || config.compression() != Compression.ZSTD) {
      Optional<LayerOutcome> o = restoreExact(tag, installDir);
      new InstallTrash(installDir).deleteNow(); // what an earlier delta left
      return o;
    }
    String key = config.key(tag);
    Instant t0 = config.clock().instant();
    for (Tier tier : tiers()) {
      Optional<ObjectInfo> info = Optional.empty();
      if (tier.source() == LayerSource.CACHE) {
        info = tier.store().head(key);
      } else if (deltaAllowed(tier)) {
        // A HEAD that finds nothing falls through to the GET below: S3 answers a HEAD in a missing
        // bucket with a bare 404, and only the GET's answer can name the bucket.
        info = tier.store().head(key);
        if (info.isPresent()) {
          Optional<LayerOutcome> delta = tryDelta(tier, info.get(), tag, installDir, t0);
          if (delta.isPresent()) {
            return delta;
          }
        }
      }
      // The table of contents, which gives the files' digests to the install record, is read
      // while the archive is extracted rather than after it.
      try (TocPrefetch toc =
          info.map(i -> TocPrefetch.start(tier.store(), i)).orElseGet(TocPrefetch::none)) {
        Optional<RestoredArchive> restored = restoreFrom(tier, key, installDir, tag, tag::equals);
        if (restored.isPresent() && restored.get().tag().equals(tag)) {
          // An earlier delta's trash shares no file with the tree just extracted: deleting it
          // changes no fingerprint, and frees the files the replaced tree shared with it.
          new InstallTrash(installDir).deleteNow();
          // The archive is in the cache now: its table of contents gives the files' digests, so
          // recording the install need not hash the tree it just wrote.
          lastSnapshot = delta.snapshotAfterFullRestore(config.cache(), key, installDir, toc);
          ledger.used(key);
          return Optional.of(outcome(restored.get(), tier, key, t0));
        }
      }
    }
    return Optional.empty();
  }

  /**
   * What the last {@link #restoreInstall} knew of the files it put in place (their digests and
   * stats), if it knew: a delta restore always, a full restore when the archive has a table of
   * contents.
   */
  Optional<InstallRecord.Snapshot> lastSnapshot() {
    return lastSnapshot;
  }

  /**
   * A delta restore from public storage leaves no archive in the cache for the mirror to upload, so
   * it runs there only when nothing is mirrored.
   */
  private boolean deltaAllowed(Tier tier) {
    return tier.source() == LayerSource.PRIVATE || config.noMirror() || !config.uploads();
  }

  private Optional<LayerOutcome> tryDelta(
      Tier tier, ObjectInfo info, LayerTag tag, Path installDir, Instant t0) throws IOException {
    EngineListener listener = config.listener();
    if (!delta.anythingLocal(installDir, info.key())) {
      listener.step("install  full  nothing installed at " + installDir + " to reuse");
      return Optional.empty();
    }
    listener.step("restoring " + info.key() + " by delta from " + where(tier));
    DeltaRestore.Result result;
    try {
      result = delta.attempt(tier.store(), info, installDir, tag, tag::equals);
    } catch (IOException e) {
      if (isCorruption(e)) {
        // A hostile or damaged table of contents: refused like a hostile archive.
        corrupted(tier, info.key(), e);
        throw new CorruptObjectException(
            "refusing " + info.key() + " from " + tier.store().describe() + ": " + e.getMessage(),
            e);
      }
      throw e;
    }
    if (result instanceof DeltaRestore.Fallback f) {
      listener.step("install  full  " + f.why());
      return Optional.empty();
    }
    DeltaRestore.Done done = (DeltaRestore.Done) result;
    DeltaPlan p = done.plan();
    listener.step(
        String.format(
            Locale.ROOT,
            "delta: %,d bytes fetched in %d requests, %,d files fetched, %,d reused (%,d hard-linked"
                + " from the replaced tree, %,d from earlier archives in the local cache, %,d"
                + " copied), %,d installed files hashed to prove them",
            p.bytesFetched(),
            p.requests(),
            p.fetched(),
            p.reused(),
            p.linked(),
            p.fromArchives(),
            p.reused() - p.linked() - p.fromArchives(),
            p.hashed()));
    lastSnapshot =
        Optional.of(
            new InstallRecord.Snapshot(done.snapshot(), done.snapshotNs(), done.relinked()));
    ledger.used(info.key());
    // The cached archives it read from are this run's too: cleaning and the cap keep them.
    done.cachedArchives().forEach(ledger::used);
    return Optional.of(
        new LayerOutcome(
            done.tag(),
            LayerSource.DELTA,
            info.key(),
            info.size(),
            Duration.between(t0, config.clock().instant()),
            Optional.of(done.plan()),
            Optional.empty()));
  }

  /** Installs the just-built install archive from the cache. */
  void installFromCache(LayerTag tag, Path installDir) throws IOException {
    String key = config.key(tag);
    Optional<RestoredArchive> done =
        restoreFrom(new Tier(config.cache(), LayerSource.CACHE), key, installDir, tag, tag::equals);
    if (done.isEmpty()) {
      throw new IOException(
          "the install archive "
              + key
              + " just written to "
              + config.cache().describe()
              + " could not be installed");
    }
    new InstallTrash(installDir).deleteNow(); // what an earlier delta left
  }

  /** Whether any tier lists {@code key} (without reading it). */
  boolean anyTierHas(String key) throws IOException {
    for (Tier tier : tiers()) {
      if (tier.store().head(key).isPresent()) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether {@code e} says the archive itself is damaged (so it is ignored, dropped from the cache
   * and, on a build machine, rebuilt and overwritten), rather than that fetching it failed. A
   * store's failure to deliver the bytes ({@link StoreException} other than {@link
   * CorruptObjectException}, an interrupted read or file channel) anywhere in the chain is not
   * corruption, even below a decoder's complaint about the bytes it did not get.
   */
  static boolean isCorruption(Throwable e) {
    boolean corruption = false;
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof CorruptObjectException) {
        return true;
      }
      if (t instanceof StoreException
          || t instanceof InterruptedIOException
          || t instanceof ClosedByInterruptException) {
        return false;
      }
      if (t instanceof CorruptArchiveException || t instanceof UnsafeArchiveException) {
        corruption = true;
      }
    }
    return corruption;
  }

  private List<Tier> tiers() {
    List<Tier> tiers = new ArrayList<>();
    tiers.add(new Tier(config.cache(), LayerSource.CACHE));
    config.privateStore().ifPresent(p -> tiers.add(new Tier(p, LayerSource.PRIVATE)));
    config.publicStore().ifPresent(p -> tiers.add(new Tier(p, LayerSource.PUBLIC)));
    return tiers;
  }

  private record Tier(LayerStore store, LayerSource source) {}

  private record RestoredArchive(LayerTag tag, long size) {}

  /** The outcome of restoring {@code key} from {@code tier}, begun at {@code t0}. */
  private LayerOutcome outcome(RestoredArchive restored, Tier tier, String key, Instant t0) {
    return new LayerOutcome(
        restored.tag(),
        tier.source(),
        key,
        restored.size(),
        Duration.between(t0, config.clock().instant()));
  }

  private Optional<RestoredArchive> restoreFrom(
      Tier tier, String key, Path dir, LayerTag wanted, Predicate<LayerTag> accept)
      throws IOException {
    Optional<StoredObject> found;
    try {
      found = tier.store().get(key);
    } catch (CorruptObjectException e) {
      return corrupted(tier, key, e);
    }
    if (found.isEmpty()) {
      return Optional.empty();
    }
    return extractInto(tier, key, dir, wanted, accept, found.get());
  }

  private Optional<RestoredArchive> extractInto(
      Tier tier,
      String key,
      Path dir,
      LayerTag wanted,
      Predicate<LayerTag> accept,
      StoredObject stored)
      throws IOException {
    EngineListener listener = config.listener();
    listener.step("restoring " + key + " from " + where(tier));
    Path download = tier.source() == LayerSource.CACHE ? null : scratch.newFile(key);
    // The store's stream checks a recorded digest as it ends (StoredObject), so the copy needs a
    // hash of its own only when the store recorded none: one SHA-256 pass over the archive less.
    Optional<Digest> recorded = stored.info().digest();
    // A folder store on this file system lends the cache its very file (a hard link): no second
    // copy of the archive is written. Only with a recorded digest, which the store's stream checks
    // as it ends, so the linked bytes are verified by the extraction's read before the cache keeps
    // them. The link is never opened for writing: that would change the store's object.
    boolean linked =
        download != null && recorded.isPresent() && linked(tier, stored.info(), download);
    DigestingOutputStream hashed = null;
    LayerTag[] found = new LayerTag[1];
    long size;
    try (StoredObject object = stored;
        OutputStream file =
            download == null || linked ? OutputStream.nullOutputStream() : downloadFile(download)) {
      OutputStream copy = file;
      if (download != null && recorded.isEmpty()) {
        hashed = new DigestingOutputStream(file);
        copy = hashed;
      }
      CountingInputStream in =
          new CountingInputStream(
              new TeeInputStream(object.stream(), copy), key, object.info().size(), listener);
      Archives.extract(
          in,
          config.compression(),
          dir,
          ExtractLimits.DEFAULT,
          extracted -> {
            in.drain(); // reading to the end lets the store's stream verify length and digest
            Optional<LayerTag> tag = TagFiles.read(extracted);
            if (tag.isEmpty() || !accept.test(tag.get())) {
              throw new TagMismatchException(
                  key
                      + " from "
                      + tier.store().describe()
                      + " does not match: "
                      + tag.map(t -> String.join("; ", wanted.differences(t)))
                          .orElse("it has no valid " + LayerTag.FILE_NAME));
            }
            found[0] = tag.get();
          });
      size = in.count();
    } catch (TagMismatchException e) {
      ScratchDir.deleteQuietly(download);
      // A swapped or emptied archive is as damaged as a corrupt one: a deploy machine must say so
      // (not "no archive"), and a build machine must overwrite it rather than keep it.
      return corrupted(tier, key, new CorruptObjectException(e.getMessage()));
    } catch (IOException e) {
      ScratchDir.deleteQuietly(download);
      if (isCorruption(e)) {
        return corrupted(tier, key, e);
      }
      throw e;
    }
    if (download != null) {
      try {
        // The download was written once (or linked), hashed or verified as it went: the cache
        // takes that very file.
        Digest digest = recorded.isPresent() ? recorded.get() : hashed.digest();
        config.cache().putMoving(key, download, digest, PutMode.OVERWRITE);
      } finally {
        ScratchDir.deleteQuietly(download);
      }
    }
    return Optional.of(new RestoredArchive(found[0], size));
  }

  private static OutputStream downloadFile(Path file) throws IOException {
    // A new file only: never truncate what is there (such as a link to a store's object).
    return new BufferedOutputStream(
        Files.newOutputStream(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
        1 << 16);
  }

  /**
   * Whether {@code tier}'s store linked {@code object} to {@code download}. A failure to link is no
   * failure of the restore: the download is then copied as it streams.
   */
  private static boolean linked(Tier tier, ObjectInfo object, Path download) {
    try {
      return tier.store().linkTo(object, download);
    } catch (IOException e) {
      ScratchDir.deleteQuietly(download);
      return false;
    }
  }

  /** A restored archive holds another layer than the one asked for. */
  private static final class TagMismatchException extends IOException {
    private static final long serialVersionUID = 1L;

    TagMismatchException(String message) {
      super(message);
    }
  }

  private static String where(Tier tier) {
    String kind =
        tier.source() == LayerSource.CACHE
            ? "the local cache"
            : tier.source().name().toLowerCase(Locale.ROOT) + " storage";
    return kind + " (" + tier.store().describe() + ")";
  }

  private Optional<RestoredArchive> corrupted(Tier tier, String key, IOException e)
      throws IOException {
    ledger.corrupted(key, e);
    config
        .listener()
        .warning(
            key
                + " in "
                + tier.store().describe()
                + " is damaged ("
                + e.getMessage()
                + "); ignoring it");
    if (tier.source() == LayerSource.CACHE) {
      config.cache().delete(key);
    }
    return Optional.empty();
  }
}
