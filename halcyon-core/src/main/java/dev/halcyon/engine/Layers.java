package dev.halcyon.engine;

import dev.halcyon.archive.ArchiveSummary;
import dev.halcyon.archive.Archives;
import dev.halcyon.archive.CorruptArchiveException;
import dev.halcyon.archive.ExtractLimits;
import dev.halcyon.archive.UnsafeArchiveException;
import dev.halcyon.layer.Digest;
import dev.halcyon.layer.IgnoreRules;
import dev.halcyon.layer.LayerKind;
import dev.halcyon.layer.LayerTag;
import dev.halcyon.retention.ArchiveManifest;
import dev.halcyon.store.CorruptObjectException;
import dev.halcyon.store.DirectoryLayerStore;
import dev.halcyon.store.LayerStore;
import dev.halcyon.store.ObjectInfo;
import dev.halcyon.store.PutMode;
import dev.halcyon.store.StoreException;
import dev.halcyon.store.StoredObject;
import java.io.BufferedOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;

/** Restores, builds, archives and uploads layers for one run of the {@link Engine}. */
final class Layers {
  private final Engine.Settings s;
  private final Path sourceDir;
  private final Set<String> usedKeys = new HashSet<>();
  private final Map<String, IOException> corrupt = new HashMap<>();
  private boolean uploaded;
  private Path tempDir;
  private final Map<Path, Deletion> background = new LinkedHashMap<>();

  Layers(Engine.Settings settings, Path sourceDir) {
    this.s = settings;
    this.sourceDir = sourceDir;
  }

  String key(LayerTag tag) {
    return s.namer.key(tag, s.compression.extension());
  }

  String describeStores() {
    List<String> names = new ArrayList<>();
    names.add("the local cache (" + s.cache.describe() + ")");
    s.privateStore.ifPresent(p -> names.add("private storage (" + p.describe() + ")"));
    s.publicStore.ifPresent(p -> names.add("public storage (" + p.describe() + ")"));
    return String.join(", ", names);
  }

  boolean uploadedAnything() {
    return uploaded;
  }

  /** The first corruption seen for {@code key} in this run, if any. */
  Optional<IOException> corruption(String key) {
    return Optional.ofNullable(corrupt.get(key));
  }

  static Optional<LayerTag> readTag(Path dir) {
    Path file = dir.resolve(LayerTag.FILE_NAME);
    if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
      return Optional.empty();
    }
    try {
      return Optional.of(LayerTag.parse(Files.readString(file, StandardCharsets.UTF_8)));
    } catch (IOException | IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  boolean tagMatches(Path dir, LayerTag tag) {
    return readTag(dir).filter(tag::equals).isPresent();
  }

  /** Refuses to replace a directory that halcyon did not install. */
  void checkInstallTarget(Path dir) throws IOException {
    if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      throw new IOException(
          dir + " exists and is not a directory; choose another HALCYON_ROOT/HALCYON_PREFIX");
    }
    boolean empty;
    try (var entries = Files.list(dir)) {
      empty = entries.findAny().isEmpty();
    }
    if (!empty && readTag(dir).isEmpty()) {
      throw new IOException(
          dir
              + " is not empty and was not installed by halcyon (no "
              + LayerTag.FILE_NAME
              + "); installing replaces it whole, so empty it or choose another HALCYON_PREFIX");
    }
  }

  /** Restores exactly {@code tag} into {@code dir} from the first store that has it. */
  Optional<LayerOutcome> restoreExact(LayerTag tag, Path dir) throws IOException {
    return restore(tag, dir, tag::equals).filter(o -> o.tag().equals(tag));
  }

  /**
   * Restores the archive named by {@code tag} into {@code dir} from the cache, then private, then
   * public storage, accepting the first whose tag passes {@code accept}.
   */
  private Optional<LayerOutcome> restore(LayerTag tag, Path dir, Predicate<LayerTag> accept)
      throws IOException {
    String key = key(tag);
    Instant t0 = s.clock.instant();
    List<Tier> tiers = new ArrayList<>();
    tiers.add(new Tier(s.cache, LayerSource.CACHE));
    s.privateStore.ifPresent(p -> tiers.add(new Tier(p, LayerSource.PRIVATE)));
    s.publicStore.ifPresent(p -> tiers.add(new Tier(p, LayerSource.PUBLIC)));
    for (Tier tier : tiers) {
      Optional<RestoredArchive> restored = restoreFrom(tier, key, dir, tag, accept);
      if (restored.isPresent()) {
        usedKeys.add(key);
        return Optional.of(
            new LayerOutcome(
                restored.get().tag,
                tier.source,
                key,
                restored.get().size,
                Duration.between(t0, s.clock.instant())));
      }
    }
    return Optional.empty();
  }

  private record Tier(LayerStore store, LayerSource source) {}

  private record RestoredArchive(LayerTag tag, long size) {}

  private Optional<RestoredArchive> restoreFrom(
      Tier tier, String key, Path dir, LayerTag wanted, Predicate<LayerTag> accept)
      throws IOException {
    Optional<StoredObject> found;
    try {
      found = tier.store.get(key);
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
    s.listener.step("restoring " + key + " from " + where(tier));
    Path download = tier.source == LayerSource.CACHE ? null : tempFile(key);
    // The store's stream checks a recorded digest as it ends (StoredObject), so the copy needs a
    // hash of its own only when the store recorded none: one SHA-256 pass over the archive less.
    Optional<Digest> recorded = stored.info().digest();
    MessageDigest sha = recorded.isPresent() ? null : Digest.newSha256();
    LayerTag[] found = new LayerTag[1];
    long size;
    try (StoredObject object = stored;
        OutputStream copy =
            download == null ? OutputStream.nullOutputStream() : downloadFile(download, sha)) {
      CountingInputStream in =
          new CountingInputStream(
              new TeeInputStream(object.stream(), copy), key, object.info().size(), s.listener);
      Archives.extract(
          in,
          s.compression,
          dir,
          ExtractLimits.DEFAULT,
          extracted -> {
            in.drain(); // reading to the end lets the store's stream verify length and digest
            Optional<LayerTag> tag = readTag(extracted);
            if (tag.isEmpty() || !accept.test(tag.get())) {
              throw new TagMismatchException(
                  key
                      + " from "
                      + tier.store.describe()
                      + " does not match: "
                      + tag.map(t -> String.join("; ", wanted.differences(t)))
                          .orElse("it has no valid " + LayerTag.FILE_NAME));
            }
            found[0] = tag.get();
          });
      size = in.count();
    } catch (TagMismatchException e) {
      deleteQuietly(download);
      // A swapped or emptied archive is as damaged as a corrupt one: a deploy machine must say so
      // (not "no archive"), and a build machine must overwrite it rather than keep it.
      return corrupted(tier, key, new CorruptObjectException(e.getMessage()));
    } catch (IOException e) {
      deleteQuietly(download);
      if (isCorruption(e)) {
        return corrupted(tier, key, e);
      }
      throw e;
    }
    if (download != null) {
      try {
        // The download was written once, hashed as it went: the cache takes that very file.
        Digest digest = recorded.isPresent() ? recorded.get() : Digest.of(sha.digest());
        s.cache.putMoving(key, download, digest, PutMode.OVERWRITE);
      } finally {
        deleteQuietly(download);
      }
    }
    return Optional.of(new RestoredArchive(found[0], size));
  }

  private static OutputStream downloadFile(Path file, MessageDigest sha) throws IOException {
    OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16);
    return sha == null ? out : new DigestOutputStream(out, sha);
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
        tier.source == LayerSource.CACHE
            ? "the local cache"
            : tier.source.name().toLowerCase(Locale.ROOT) + " storage";
    return kind + " (" + tier.store.describe() + ")";
  }

  private Optional<RestoredArchive> corrupted(Tier tier, String key, IOException e)
      throws IOException {
    corrupt.putIfAbsent(key, e);
    s.listener.warning(
        key + " in " + tier.store.describe() + " is damaged (" + e.getMessage() + "); ignoring it");
    if (tier.source == LayerSource.CACHE) {
      s.cache.delete(key);
    }
    return Optional.empty();
  }

  /**
   * Whether {@code e} says the archive itself is damaged (so it is ignored, dropped from the cache
   * and, on a build machine, rebuilt and overwritten), rather than that fetching it failed. A
   * store's failure to deliver the bytes ({@link StoreException} other than {@link
   * CorruptObjectException}, an interrupted read) anywhere in the chain is not corruption, even
   * below a decoder's complaint about the bytes it did not get.
   */
  static boolean isCorruption(Throwable e) {
    boolean corruption = false;
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof CorruptObjectException) {
        return true;
      }
      if (t instanceof StoreException || t instanceof InterruptedIOException) {
        return false;
      }
      if (t instanceof CorruptArchiveException || t instanceof UnsafeArchiveException) {
        corruption = true;
      }
    }
    return corruption;
  }

  /** For {@link Engine#build}: is the archive for {@code tag} already stored somewhere? */
  Optional<LayerOutcome> findArchive(LayerTag tag) throws IOException {
    String key = key(tag);
    Optional<ObjectInfo> inCache = s.cache.head(key);
    if (inCache.isPresent()) {
      usedKeys.add(key);
      ensureUploaded(key, tag);
      return Optional.of(
          new LayerOutcome(tag, LayerSource.CACHE, key, inCache.get().size(), Duration.ZERO));
    }
    if (s.privateStore.isPresent()) {
      LayerStore store = s.privateStore.get();
      Optional<ObjectInfo> inPrivate = store.head(key);
      if (inPrivate.isPresent()) {
        // Only the metadata is checked (reading the archive would cost a download per build):
        // a swapped or truncated archive no longer matches what its manifest recorded.
        Optional<ArchiveManifest> manifest = manifestOf(store, key);
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

  /**
   * Fails with {@link BuildForbiddenException} unless {@code spec}'s layer can be had without
   * building.
   */
  void checkAvailable(Optional<LayerSpec> spec) throws IOException, BuildForbiddenException {
    if (spec.isEmpty()) {
      return;
    }
    LayerTag tag = spec.get().tag();
    String key = key(tag);
    if (s.cache.head(key).isPresent()) {
      return;
    }
    for (Optional<LayerStore> store : List.of(s.privateStore, s.publicStore)) {
      if (store.isPresent() && store.get().head(key).isPresent()) {
        return;
      }
    }
    if (existingDirFor(tag)) {
      return;
    }
    throw new BuildForbiddenException(
        tag.kind(),
        "build required but forbidden: the "
            + tag.kind().id()
            + " layer "
            + key
            + " is in none of "
            + describeStores()
            + " (HALCYON_NO_BUILD_DEPENDENCIES is set)");
  }

  private boolean existingDirFor(LayerTag tag) {
    return tagMatches(layerDir(tag), tag);
  }

  /**
   * Where the directory of a toolchain, dependencies or build layer lives under the work directory:
   * {@code toolchain/<id>}, {@code dependencies/<toolchain>/<label>}, {@code
   * build/<toolchain>/<label>}.
   */
  Path layerDir(LayerTag tag) {
    return switch (tag.kind()) {
      case TOOLCHAIN -> s.workDir.resolve("toolchain").resolve(tag.toolchain());
      case DEPENDENCIES ->
          s.workDir.resolve("dependencies").resolve(tag.toolchain()).resolve(tag.label());
      case BUILD -> s.workDir.resolve("build").resolve(tag.toolchain()).resolve(tag.label());
      case INSTALL ->
          throw new IllegalArgumentException(
              "the install layer has no directory under the work directory");
    };
  }

  /** A toolchain or dependencies layer: in place, restored, or built in place. */
  LayerOutcome obtain(
      LayerSpec spec, Path dir, boolean mayBuild, Map<LayerKind, Path> dirs, List<String> builtOn)
      throws IOException, InterruptedException, BuildForbiddenException {
    LayerTag tag = spec.tag();
    s.listener.layerStarted(tag.kind());
    Directories.recover(dir);
    if (tagMatches(dir, tag)) {
      usedKeys.add(key(tag));
      return new LayerOutcome(tag, LayerSource.EXISTING, key(tag), 0, Duration.ZERO);
    }
    Optional<LayerOutcome> restored = restoreExact(tag, dir);
    if (restored.isPresent()) {
      ensureUploaded(restored.get());
      return restored.get();
    }
    if (!mayBuild) {
      throw new BuildForbiddenException(
          tag.kind(),
          "build required but forbidden: no "
              + tag.kind().id()
              + " archive "
              + key(tag)
              + " in "
              + describeStores());
    }
    Instant t0 = s.clock.instant();
    Directories.deleteTree(dir);
    Files.createDirectories(dir);
    s.listener.step("building " + tag.kind().id() + " layer " + key(tag));
    spec.builder().build(new BuildContext(tag, dir, sourceDir, dirs));
    writeTag(dir, tag);
    ArchiveSummary summary = archiveAndStore(dir, tag, PutMode.IF_ABSENT, builtOn);
    return new LayerOutcome(
        tag, LayerSource.BUILT, key(tag), summary.size(), Duration.between(t0, s.clock.instant()));
  }

  /**
   * The build layer: in place if current; restored if an archive for exactly this source exists;
   * else built incrementally over the previous build of the same label (in place or restored).
   */
  LayerOutcome obtainBuild(
      LayerSpec spec, Path dir, Map<LayerKind, Path> dirs, List<String> builtOn)
      throws IOException, InterruptedException {
    LayerTag tag = spec.tag();
    s.listener.layerStarted(LayerKind.BUILD);
    Directories.recover(dir);
    if (tagMatches(dir, tag)) {
      usedKeys.add(key(tag));
      return new LayerOutcome(tag, LayerSource.EXISTING, key(tag), 0, Duration.ZERO);
    }
    Instant t0 = s.clock.instant();
    Predicate<LayerTag> sameLabel =
        t ->
            t.kind() == LayerKind.BUILD
                && t.label().equals(tag.label())
                && t.toolchain().equals(tag.toolchain());
    boolean previousInPlace = readTag(dir).filter(sameLabel).isPresent();
    if (!previousInPlace) {
      Optional<LayerOutcome> restored = restore(tag, dir, sameLabel);
      if (restored.isPresent() && restored.get().tag().equals(tag)) {
        ensureUploaded(restored.get());
        return restored.get();
      }
      if (restored.isPresent()) {
        s.listener.step("building incrementally over the previous build of " + tag.label());
      }
    } else {
      s.listener.step("building incrementally in " + dir);
    }
    Files.createDirectories(dir);
    Files.deleteIfExists(dir.resolve(LayerTag.FILE_NAME));
    Directories.copyOver(sourceDir, dir, IgnoreRules.DEFAULT.asFilter());
    s.listener.step("building " + tag.label());
    spec.builder().build(new BuildContext(tag, dir, sourceDir, dirs));
    writeTag(dir, tag);
    ArchiveSummary summary = archiveAndStore(dir, tag, PutMode.OVERWRITE, builtOn);
    return new LayerOutcome(
        tag, LayerSource.BUILT, key(tag), summary.size(), Duration.between(t0, s.clock.instant()));
  }

  /** Runs the install step into a fresh directory and archives it. */
  LayerOutcome buildInstall(LayerSpec spec, Map<LayerKind, Path> dirs, List<String> builtOn)
      throws IOException, InterruptedException {
    LayerTag tag = spec.tag();
    Instant t0 = s.clock.instant();
    Path stage =
        s.workDir
            .resolve("install")
            .resolve(tag.label() + "-" + UUID.randomUUID().toString().substring(0, 8));
    Files.createDirectories(stage);
    boolean handedOver = false;
    try {
      s.listener.step("preparing install layer " + key(tag));
      spec.builder().build(new BuildContext(tag, stage, sourceDir, dirs));
      writeTag(stage, tag);
      ArchiveSummary summary =
          archiveAndStore(
              stage,
              tag,
              corrupt.containsKey(key(tag)) ? PutMode.OVERWRITE : PutMode.IF_ABSENT,
              builtOn,
              () -> deleteInBackground(stage));
      handedOver = true;
      return new LayerOutcome(
          tag,
          LayerSource.BUILT,
          key(tag),
          summary.size(),
          Duration.between(t0, s.clock.instant()));
    } finally {
      if (!handedOver && !background.containsKey(stage)) {
        Directories.deleteTree(stage);
      }
    }
  }

  /**
   * Moves the finished staging tree {@code dir} aside (under the same {@code install} folder, which
   * the next run empties if this one is killed) and deletes it on a thread of its own, so its many
   * unlinks overlap the upload instead of preceding the end of the run; {@link #awaitBackground}
   * waits for it.
   */
  private void deleteInBackground(Path dir) throws IOException {
    Path trash = dir.resolveSibling(".trash-" + UUID.randomUUID());
    Files.move(dir, trash, StandardCopyOption.ATOMIC_MOVE);
    IOException[] failure = new IOException[1];
    Thread deleter =
        new Thread(
            () -> {
              try {
                Directories.deleteTree(trash);
              } catch (IOException e) {
                failure[0] = e;
              }
            },
            "halcyon-delete-" + dir.getFileName());
    deleter.setDaemon(true);
    background.put(dir, new Deletion(trash, deleter, failure));
    deleter.start();
  }

  private record Deletion(Path trash, Thread thread, IOException[] failure) {}

  /**
   * Waits for the deletions started in the background (before the run lets go of the work
   * directory, so the next run never deletes the same tree at the same time). A deletion that
   * failed only leaves a tree the next run removes; it is reported as a warning. An interrupt does
   * not cut the wait short: it is restored for the caller.
   */
  void awaitBackground() {
    boolean interrupted = false;
    for (Deletion d : background.values()) {
      while (true) {
        try {
          d.thread().join();
          break;
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      // join() makes the thread's write of the failure visible here.
      if (d.failure()[0] != null) {
        s.listener.warning(
            "could not delete the staging directory "
                + d.trash()
                + " ("
                + d.failure()[0].getMessage()
                + "); the next run removes it");
      }
    }
    background.clear();
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** Installs the just-built install archive from the cache. */
  void installFromCache(LayerTag tag, Path installDir) throws IOException {
    Optional<RestoredArchive> done =
        restoreFrom(new Tier(s.cache, LayerSource.CACHE), key(tag), installDir, tag, tag::equals);
    if (done.isEmpty()) {
      throw new IOException(
          "the install archive "
              + key(tag)
              + " just written to "
              + s.cache.describe()
              + " could not be installed");
    }
  }

  /** Copies an archive restored from public storage into private storage. */
  void mirror(LayerOutcome outcome) throws IOException {
    if (!s.noMirror) {
      ensureUploaded(outcome);
    }
  }

  private void ensureUploaded(LayerOutcome outcome) throws IOException {
    if (outcome.source() == LayerSource.PUBLIC || outcome.source() == LayerSource.CACHE) {
      ensureUploaded(outcome.key(), outcome.tag());
    }
  }

  /** Uploads a cached archive to private storage if it is missing there. */
  private void ensureUploaded(String key, LayerTag tag) throws IOException {
    if (s.noUpload || s.privateStore.isEmpty()) {
      return;
    }
    LayerStore store = s.privateStore.get();
    Optional<ObjectInfo> stored = store.head(key);
    Optional<ObjectInfo> cached = s.cache.head(key);
    List<String> builtOn = List.of();
    if (stored.isPresent()) {
      if (cached.isEmpty()
          || sameObject(stored.get(), cached.get().size(), cached.get().digest())) {
        return;
      }
      // Two builders of one source may upload different bytes (a build that is not reproducible);
      // the one matching its manifest is a sound archive of this layer and stays.
      Optional<ArchiveManifest> manifest = manifestOf(store, key);
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
    Path tmp = tempFile(key);
    try {
      try (StoredObject in =
          s.cache.get(key).orElseThrow(() -> new IOException(key + " vanished from the cache"))) {
        Files.copy(in.stream(), tmp, StandardCopyOption.REPLACE_EXISTING);
      }
      Digest digest = cached.get().digest().orElse(null);
      if (digest == null) {
        digest = sha256(tmp);
      }
      upload(key, tmp, digest, Files.size(tmp), PutMode.IF_ABSENT, tag, builtOn);
    } finally {
      deleteQuietly(tmp);
    }
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
    corrupt.putIfAbsent(key, new CorruptObjectException(message));
    s.listener.warning(message);
  }

  /** The manifest uploaded beside {@code key}, if there is one that can be read. */
  private Optional<ArchiveManifest> manifestOf(LayerStore store, String key) throws IOException {
    Optional<String> manifestKey =
        s.namer.parse(key).map(name -> s.namer.key(name.withExtension(ArchiveManifest.EXTENSION)));
    if (manifestKey.isEmpty()) {
      return Optional.empty();
    }
    Optional<StoredObject> object = store.get(manifestKey.get());
    if (object.isEmpty()) {
      return Optional.empty();
    }
    try (StoredObject in = object.get()) {
      String text = new String(in.stream().readNBytes(1 << 20), StandardCharsets.UTF_8);
      return Optional.of(ArchiveManifest.parse(text)).filter(m -> m.archiveKey().equals(key));
    } catch (IllegalArgumentException | CorruptObjectException e) {
      // A manifest that does not parse or verify tells nothing about the archive.
      return Optional.empty();
    }
  }

  private ArchiveSummary archiveAndStore(Path dir, LayerTag tag, PutMode mode, List<String> builtOn)
      throws IOException {
    return archiveAndStore(dir, tag, mode, builtOn, () -> {});
  }

  /**
   * Archives {@code dir} into a temporary file, runs {@code archived} (the directory is no longer
   * needed then), uploads the file, and hands the file itself to the cache: written once, never
   * copied. The cache takes it even when the upload fails, so the next run finds it there.
   */
  private ArchiveSummary archiveAndStore(
      Path dir, LayerTag tag, PutMode mode, List<String> builtOn, AfterArchive archived)
      throws IOException {
    String key = key(tag);
    Path tmp = tempFile(key);
    try {
      s.listener.step("archiving " + key);
      ArchiveSummary summary = Archives.write(dir, tmp, s.compression);
      archived.run();
      try {
        upload(key, tmp, summary.digest(), summary.size(), mode, tag, builtOn);
      } catch (IOException | RuntimeException e) {
        try {
          s.cache.putMoving(key, tmp, summary.digest(), PutMode.OVERWRITE);
          usedKeys.add(key);
        } catch (IOException | RuntimeException suppressed) {
          e.addSuppressed(suppressed);
        }
        throw e;
      }
      s.cache.putMoving(key, tmp, summary.digest(), PutMode.OVERWRITE);
      usedKeys.add(key);
      return summary;
    } finally {
      deleteQuietly(tmp);
    }
  }

  /** What to do once a layer directory is archived. */
  @FunctionalInterface
  private interface AfterArchive {
    void run() throws IOException;
  }

  private void upload(
      String key,
      Path file,
      Digest digest,
      long size,
      PutMode mode,
      LayerTag tag,
      List<String> builtOn)
      throws IOException {
    if (s.noUpload || s.privateStore.isEmpty()) {
      return;
    }
    LayerStore store = s.privateStore.get();
    if (corrupt.containsKey(key)) {
      // Stores skip a write whose digest matches the recorded one; the damaged bytes must go first.
      s.listener.step("deleting the damaged " + key + " from " + store.describe());
      store.delete(key);
    }
    s.listener.step("uploading " + key + " (" + size + " bytes) to " + store.describe());
    // The manifest goes first: garbage collection protects what a manifest references, and its
    // grace period covers a manifest whose archive is still being uploaded.
    Manifests.put(store, s.namer, key, tag, digest, size, s.clock.instant(), builtOn);
    store.put(key, file, digest, mode);
    uploaded = true;
  }

  /** Deletes cache entries this run did not use and that are older than {@code before}. */
  void cleanCache(Instant before) throws IOException {
    for (ObjectInfo info : s.cache.list("")) {
      if (!usedKeys.contains(info.key()) && info.lastModified().isBefore(before)) {
        s.cache.delete(info.key());
      }
    }
  }

  // ---- Local cache size cap (HALCYON_CACHE_MAX_SIZE) ----
  //
  // Use times live in a small file under the work directory, not in the cache: the engine knows the
  // cache only as a LayerStore, and touching a DirectoryLayerStore file's mtime would orphan its
  // digest record (records are keyed by inode, mtime and size). Runs sharing a work directory are
  // serialised by its lock, so this file has one writer at a time.

  /** The file of last-use times, {@code <epoch millis> <key>} per line. */
  static final String CACHE_USES_FILE = "cache-uses";

  /**
   * Records that this run used its cache entries and, when {@code maxBytes} is set, deletes the
   * least recently used entries this run did not use until the cache fits.
   */
  void recordCacheUseAndCap(OptionalLong maxBytes) throws IOException {
    Instant now = s.clock.instant();
    List<ObjectInfo> entries = s.cache.list("");
    Map<String, Instant> uses = readCacheUses();
    usedKeys.forEach(k -> uses.put(k, now));
    Set<String> present = new HashSet<>();
    entries.forEach(e -> present.add(e.key()));
    uses.keySet().retainAll(present);
    if (maxBytes.isPresent()) {
      long total = entries.stream().mapToLong(ObjectInfo::size).sum();
      List<ObjectInfo> evictable =
          entries.stream()
              .filter(e -> !usedKeys.contains(e.key()))
              .sorted(
                  Comparator.comparing((ObjectInfo e) -> lastUse(e, uses))
                      .thenComparing(ObjectInfo::key))
              .toList();
      for (ObjectInfo entry : evictable) {
        if (total <= maxBytes.getAsLong()) {
          break;
        }
        s.cache.delete(entry.key());
        uses.remove(entry.key());
        total -= entry.size();
      }
      if (total > maxBytes.getAsLong()) {
        s.listener.warning(
            "the local cache ("
                + s.cache.describe()
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
    Path file = s.workDir.resolve(CACHE_USES_FILE);
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
    Path file = s.workDir.resolve(CACHE_USES_FILE);
    Path tmp = s.workDir.resolve(CACHE_USES_FILE + ".tmp");
    Files.writeString(tmp, text, StandardCharsets.UTF_8);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  // ---- end of the cache size cap ----

  private static Digest sha256(Path file) throws IOException {
    MessageDigest md = Digest.newSha256();
    try (InputStream in = new DigestInputStream(Files.newInputStream(file), md)) {
      in.transferTo(OutputStream.nullOutputStream());
    }
    return Digest.of(md.digest());
  }

  private Path tempFile(String key) throws IOException {
    String name = key.substring(key.lastIndexOf('/') + 1);
    return tempDir().resolve(UUID.randomUUID().toString().substring(0, 8) + "-" + name);
  }

  /**
   * Where downloads and new archives are written before the cache takes them: the work directory's
   * {@code tmp}, unless the cache is a folder on another file system, where the cache's staging
   * folder lets it rename them into place rather than copy them.
   */
  private Path tempDir() throws IOException {
    if (tempDir == null) {
      Path dir = s.workDir.resolve("tmp");
      Files.createDirectories(dir);
      if (s.cache instanceof DirectoryLayerStore folder) {
        Path staging = folder.stagingFolder();
        if (!Files.getFileStore(dir).equals(Files.getFileStore(staging))) {
          dir = staging;
        }
      }
      tempDir = dir;
    }
    return tempDir;
  }

  private static void writeTag(Path dir, LayerTag tag) throws IOException {
    Files.writeString(dir.resolve(LayerTag.FILE_NAME), tag.format(), StandardCharsets.UTF_8);
  }

  private static void deleteQuietly(Path file) {
    if (file != null) {
      try {
        Files.deleteIfExists(file);
      } catch (IOException ignored) {
        // a leftover temp file is removed with the tmp folder later
      }
    }
  }

  /** Counts bytes, reports progress, and can read the rest of the stream. */
  private static final class CountingInputStream extends FilterInputStream {
    private static final long REPORT_EVERY = 4 << 20;
    private final String key;
    private final long total;
    private final EngineListener listener;
    private long count;
    private long reported;

    CountingInputStream(InputStream in, String key, long total, EngineListener listener) {
      super(in);
      this.key = key;
      this.total = total;
      this.listener = listener;
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) {
        advance(1);
      }
      return b;
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
      int n = super.read(buf, off, len);
      if (n > 0) {
        advance(n);
      }
      return n;
    }

    @Override
    public void close() {
      // the StoredObject owns and closes the underlying stream
    }

    private void advance(long n) {
      count += n;
      if (count - reported >= REPORT_EVERY || count == total) {
        reported = count;
        listener.transferred(key, count, total);
      }
    }

    long count() {
      return count;
    }

    void drain() throws IOException {
      byte[] buf = new byte[1 << 16];
      while (read(buf, 0, buf.length) >= 0) {
        // keep reading: end of stream triggers verification
      }
    }
  }
}
