package dev.halcyon.engine;

import dev.halcyon.archive.ArchiveSummary;
import dev.halcyon.archive.Archives;
import dev.halcyon.hash.Digests;
import dev.halcyon.layer.Constraints;
import dev.halcyon.layer.Digest;
import dev.halcyon.layer.LayerTag;
import dev.halcyon.manifest.ArchiveManifest;
import dev.halcyon.naming.ArchiveName;
import dev.halcyon.naming.OriginalHalcyonNamer;
import dev.halcyon.store.CorruptObjectException;
import dev.halcyon.store.GrowingFile;
import dev.halcyon.store.LayerStore;
import dev.halcyon.store.ObjectInfo;
import dev.halcyon.store.PutMode;
import dev.halcyon.store.StoredObject;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Puts archives where they belong: archives a layer directory into the local cache and private
 * storage, uploads cached archives private storage lacks or holds damaged, and writes the manifest
 * beside every upload (retention reads it). Uploading is skipped when there is no private storage
 * or uploads are off. Confined to the run's thread.
 */
final class ArchivePublisher {
  private final EngineConfig config;
  private final RunLedger ledger;
  private final ScratchDir scratch;

  ArchivePublisher(EngineConfig config, RunLedger ledger, ScratchDir scratch) {
    this.config = config;
    this.ledger = ledger;
    this.scratch = scratch;
  }

  /** What to do once a layer directory is archived. */
  @FunctionalInterface
  interface AfterArchive {
    void run() throws IOException;
  }

  ArchiveSummary archiveAndStore(Path dir, LayerTag tag, PutMode mode, List<String> builtOn)
      throws IOException {
    return archiveAndStore(dir, tag, mode, builtOn, () -> {}, ManifestExtras.NONE);
  }

  /**
   * What a dependencies archive's manifest says besides the usual: its dependency list (so a later
   * run can pick it for a partial match) and the archive it was extended from.
   */
  record ManifestExtras(Optional<Constraints> constraints, Optional<String> extendedFrom) {
    static final ManifestExtras NONE = new ManifestExtras(Optional.empty(), Optional.empty());
  }

  ArchiveSummary archiveAndStore(
      Path dir, LayerTag tag, PutMode mode, List<String> builtOn, ManifestExtras extras)
      throws IOException {
    return archiveAndStore(dir, tag, mode, builtOn, () -> {}, extras);
  }

  ArchiveSummary archiveAndStore(
      Path dir, LayerTag tag, PutMode mode, List<String> builtOn, AfterArchive archived)
      throws IOException {
    return archiveAndStore(dir, tag, mode, builtOn, archived, ManifestExtras.NONE);
  }

  /**
   * Archives {@code dir} into a temporary file, runs {@code archived} (the directory is no longer
   * needed then), uploads the file, and hands the file itself to the cache: written once, never
   * copied. To a private store that {@link LayerStore#overlapsWrites() overlaps writes} (S3 when so
   * configured), the upload starts before the archiving and sends the archive's final bytes while
   * the rest is written ({@link LayerStore#putWhileWriting}); its manifest is written only once the
   * archive is stored, so a failed upload leaves no manifest claiming one. The cache takes the file
   * even when the upload fails, so the next run finds it there.
   */
  private ArchiveSummary archiveAndStore(
      Path dir,
      LayerTag tag,
      PutMode mode,
      List<String> builtOn,
      AfterArchive archived,
      ManifestExtras extras)
      throws IOException {
    String key = config.key(tag);
    Path tmp = scratch.newFile(key);
    try {
      config.listener().step("archiving " + key);
      config.listener().progress(new Progress(Progress.Phase.ARCHIVING, key, 0, -1));
      // Created before the upload starts, which may open it at once.
      Files.createFile(tmp);
      Optional<OverlappedUpload> upload = startUpload(key, tmp, mode);
      ArchiveSummary summary;
      try {
        summary = write(dir, tmp, key, upload.map(OverlappedUpload::file));
      } catch (IOException | RuntimeException | Error e) {
        upload.ifPresent(u -> u.abandon(e));
        throw e;
      }
      config
          .listener()
          .progress(new Progress(Progress.Phase.ARCHIVING, key, summary.size(), summary.size()));
      try {
        archived.run();
      } catch (IOException | RuntimeException e) {
        // The archive is whole and may already be stored: an overlapped upload is finished, with
        // its manifest, so the store never keeps an archive that no manifest names.
        if (upload.isPresent()) {
          try {
            finishUpload(upload.get(), key, summary, tag, builtOn, extras);
          } catch (IOException | RuntimeException suppressed) {
            e.addSuppressed(suppressed);
          }
        }
        throw e;
      }
      try {
        if (upload.isPresent()) {
          finishUpload(upload.get(), key, summary, tag, builtOn, extras);
        } else {
          upload(
              key,
              tmp,
              summary.digest(),
              summary.size(),
              summary.tocDigest(),
              mode,
              tag,
              builtOn,
              extras);
        }
      } catch (IOException | RuntimeException e) {
        try {
          config.cache().putMoving(key, tmp, summary.digest(), PutMode.OVERWRITE);
          ledger.used(key);
        } catch (IOException | RuntimeException suppressed) {
          e.addSuppressed(suppressed);
        }
        throw e;
      }
      config.cache().putMoving(key, tmp, summary.digest(), PutMode.OVERWRITE);
      ledger.used(key);
      return summary;
    } finally {
      ScratchDir.deleteQuietly(tmp);
    }
  }

  /**
   * Starts the upload of the archive about to be written to {@code tmp}, if uploads are on; a
   * damaged object recorded under {@code key} is deleted first (stores skip a write whose digest
   * matches the recorded one).
   */
  private Optional<OverlappedUpload> startUpload(String key, Path tmp, PutMode mode)
      throws IOException {
    if (!config.uploads() || !config.privateStore().get().overlapsWrites()) {
      return Optional.empty();
    }
    LayerStore store = config.privateStore().get();
    if (ledger.isCorrupt(key)) {
      config.listener().step("deleting the damaged " + key + " from " + store.describe());
      store.delete(key);
    }
    return Optional.of(OverlappedUpload.start(store, key, tmp, mode, config.listener()));
  }

  /**
   * Waits for the overlapped upload of the written archive, then writes its manifest: the archive
   * is stored, with its digest, before any manifest names it.
   */
  private void finishUpload(
      OverlappedUpload upload,
      String key,
      ArchiveSummary summary,
      LayerTag tag,
      List<String> builtOn,
      ManifestExtras extras)
      throws IOException {
    LayerStore store = config.privateStore().get();
    config
        .listener()
        .step("uploading " + key + " (" + summary.size() + " bytes) to " + store.describe());
    upload.await(summary.size());
    ledger.uploaded(key);
    putManifest(
        store,
        key,
        tag,
        summary.digest(),
        summary.size(),
        summary.tocDigest(),
        config.clock().instant(),
        builtOn,
        extras);
  }

  /**
   * Archives {@code dir} into the scratch file {@code tmp} (created empty), reporting the bytes
   * written as they go (to {@code growing} too, as they become final, and its digest at the end),
   * and syncs it: the cache renames this very file into place.
   */
  private ArchiveSummary write(Path dir, Path tmp, String key, Optional<GrowingFile> growing)
      throws IOException {
    try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
      OutputStream file = Channels.newOutputStream(channel);
      if (growing.isPresent()) {
        file = new FinalBytesOutputStream(file, growing.get());
      }
      OutputStream out =
          new BufferedOutputStream(new ProgressOutputStream(file, config.listener(), key), 1 << 16);
      ArchiveSummary summary = Archives.write(dir, out, config.compression());
      out.flush();
      growing.ifPresent(g -> g.finish(summary.digest()));
      channel.force(true);
      return summary;
    }
  }

  /** For {@link Engine#build}: is the archive for {@code tag} already stored somewhere? */
  Optional<LayerOutcome> findArchive(LayerTag tag) throws IOException {
    String key = config.key(tag);
    Optional<ObjectInfo> inCache = config.cache().head(key);
    if (inCache.isPresent()) {
      ledger.used(key);
      ensureUploaded(key, tag);
      return Optional.of(
          new LayerOutcome(tag, LayerSource.CACHE, key, inCache.get().size(), Duration.ZERO));
    }
    if (config.privateStore().isPresent()) {
      LayerStore store = config.privateStore().get();
      Optional<ObjectInfo> inPrivate = store.head(key);
      if (inPrivate.isPresent()) {
        // Only the metadata is checked (reading the archive would cost a download per build):
        // a swapped or truncated archive no longer matches what its manifest recorded.
        Optional<ArchiveManifest> manifest = Manifests.beside(config.namer(), store, key);
        if (manifest.isPresent()
            && !sameObject(
                inPrivate.get(), manifest.get().size(), Optional.of(manifest.get().digest()))) {
          damagedInPrivate(key, store, inPrivate.get(), "its manifest");
          return Optional.empty();
        }
        return Optional.of(
            new LayerOutcome(tag, LayerSource.PRIVATE, key, inPrivate.get().size(), Duration.ZERO));
      }
    }
    return Optional.empty();
  }

  /** Copies an archive restored from public storage into private storage. */
  void mirror(LayerOutcome outcome) throws IOException {
    if (!config.noMirror()) {
      ensureUploaded(outcome);
    }
  }

  /** Uploads a restored archive that came from the cache or public storage, if private lacks it. */
  void ensureUploaded(LayerOutcome outcome) throws IOException {
    if (outcome.source() == LayerSource.PUBLIC || outcome.source() == LayerSource.CACHE) {
      ensureUploaded(outcome.key(), outcome.tag());
    }
  }

  /** Uploads a cached archive to private storage if it is missing there. */
  private void ensureUploaded(String key, LayerTag tag) throws IOException {
    if (!config.uploads()) {
      return;
    }
    LayerStore store = config.privateStore().get();
    Optional<ObjectInfo> stored = store.head(key);
    Optional<ObjectInfo> cached = config.cache().head(key);
    List<String> builtOn = List.of();
    if (stored.isPresent()) {
      if (cached.isEmpty()
          || sameObject(stored.get(), cached.get().size(), cached.get().digest())) {
        return;
      }
      // Two builders of one source may upload different bytes (a build that is not reproducible);
      // the one matching its manifest is a sound archive of this layer and stays.
      Optional<ArchiveManifest> manifest = Manifests.beside(config.namer(), store, key);
      if (manifest.isPresent()
          && sameObject(
              stored.get(), manifest.get().size(), Optional.of(manifest.get().digest()))) {
        return;
      }
      damagedInPrivate(key, store, stored.get(), "the verified copy in the local cache");
      // The replacement's manifest keeps what the archive was built on (gc protects it).
      builtOn = manifest.map(ArchiveManifest::builtOn).orElse(List.of());
    }
    if (cached.isEmpty()) {
      return;
    }
    Path tmp = scratch.newFile(key);
    try {
      try (StoredObject in =
          config
              .cache()
              .get(key)
              .orElseThrow(() -> new IOException(key + " vanished from the cache"))) {
        Files.copy(in.stream(), tmp, StandardCopyOption.REPLACE_EXISTING);
      }
      Digest digest = cached.get().digest().orElse(null);
      if (digest == null) {
        digest = Digests.sha256(tmp);
      }
      upload(
          key,
          tmp,
          digest,
          Files.size(tmp),
          TocDigests.ofFile(tmp),
          PutMode.IF_ABSENT,
          tag,
          builtOn,
          ManifestExtras.NONE);
    } finally {
      ScratchDir.deleteQuietly(tmp);
    }
  }

  private void upload(
      String key,
      Path file,
      Digest digest,
      long size,
      Optional<Digest> tocDigest,
      PutMode mode,
      LayerTag tag,
      List<String> builtOn,
      ManifestExtras extras)
      throws IOException {
    if (!config.uploads()) {
      return;
    }
    LayerStore store = config.privateStore().get();
    if (ledger.isCorrupt(key)) {
      // Stores skip a write whose digest matches the recorded one; the damaged bytes must go first.
      config.listener().step("deleting the damaged " + key + " from " + store.describe());
      store.delete(key);
    }
    config.listener().step("uploading " + key + " (" + size + " bytes) to " + store.describe());
    // The manifest goes first: garbage collection protects what a manifest references, and its
    // grace period covers a manifest whose archive is still being uploaded.
    putManifest(
        store, key, tag, digest, size, tocDigest, config.clock().instant(), builtOn, extras);
    UploadProgress progress = new UploadProgress(config.listener(), key, size);
    store.put(key, file, digest, mode, progress);
    ledger.uploaded(key);
    progress.finished();
  }

  /** Whether a stored object's recorded size and digest (where both sides know one) agree. */
  private static boolean sameObject(ObjectInfo stored, long size, Optional<Digest> digest) {
    return stored.size() == size
        && (stored.digest().isEmpty() || digest.isEmpty() || stored.digest().equals(digest));
  }

  /** Marks {@code key} damaged, so the next upload deletes it first, and says so. */
  private void damagedInPrivate(String key, LayerStore store, ObjectInfo stored, String reference) {
    String message =
        key
            + " in "
            + store.describe()
            + " ("
            + stored.size()
            + " bytes"
            + stored.digest().map(d -> ", " + d).orElse("")
            + ") does not match "
            + reference
            + "; it is damaged or was swapped, and will be replaced";
    ledger.corrupted(key, new CorruptObjectException(message));
    config.listener().warning(message);
  }

  /** Writes the manifest sidecar that retention reads beside the archive {@code key}. */
  private void putManifest(
      LayerStore store,
      String key,
      LayerTag tag,
      Digest digest,
      long size,
      Optional<Digest> tocDigest,
      Instant created,
      List<String> builtOn,
      ManifestExtras extras)
      throws IOException {
    if (extras.constraints().isPresent() && config.namer() instanceof OriginalHalcyonNamer) {
      // The original Halcyon found partial matches through these companions (spec §7.1).
      ArchiveName name = config.namer().parse(key).orElseThrow();
      store.put(
          config.namer().key(name.withExtension(PartialMatches.CONSTRAINTS_EXTENSION)),
          extras.constraints().get().format().getBytes(StandardCharsets.UTF_8),
          PutMode.OVERWRITE);
    }
    String manifestKey =
        Manifests.keyBeside(config.namer(), key)
            .orElseThrow(
                () -> new IllegalStateException("the namer cannot parse its own key " + key));
    ArchiveManifest manifest =
        new ArchiveManifest(key, digest, size, created, tag, builtOn)
            .withTocDigest(tocDigest)
            .withTool(ToolVersion.NAME)
            .withConstraints(extras.constraints())
            .withExtendedFrom(extras.extendedFrom());
    store.put(manifestKey, manifest.format().getBytes(StandardCharsets.UTF_8), PutMode.OVERWRITE);
  }
}
