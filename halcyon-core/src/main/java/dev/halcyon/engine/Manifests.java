package dev.halcyon.engine;

import dev.halcyon.manifest.ArchiveManifest;
import dev.halcyon.naming.ArchiveNamer;
import dev.halcyon.store.CorruptObjectException;
import dev.halcyon.store.LayerStore;
import dev.halcyon.store.StoredObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Reads the {@code .manifest} sidecars the engine writes beside archives. A sidecar that is
 * missing, too large, does not parse or fails its store's verification tells nothing: it reads as
 * empty, never as an error.
 */
final class Manifests {
  /** Far above any manifest the engine writes; a larger object is not one. */
  private static final int MAX_BYTES = 1 << 20;

  private Manifests() {}

  /** The key of the manifest beside the archive {@code archiveKey}, if {@code namer} parses it. */
  static Optional<String> keyBeside(ArchiveNamer namer, String archiveKey) {
    return namer
        .parse(archiveKey)
        .map(name -> namer.key(name.withExtension(ArchiveManifest.EXTENSION)));
  }

  /** The manifest beside the archive {@code archiveKey} in {@code store} that names it. */
  static Optional<ArchiveManifest> beside(ArchiveNamer namer, LayerStore store, String archiveKey)
      throws IOException {
    Optional<String> manifestKey = keyBeside(namer, archiveKey);
    if (manifestKey.isEmpty()) {
      return Optional.empty();
    }
    return read(store, manifestKey.get()).filter(m -> m.archiveKey().equals(archiveKey));
  }

  /** The manifest stored under {@code manifestKey}. */
  static Optional<ArchiveManifest> read(LayerStore store, String manifestKey) throws IOException {
    Optional<StoredObject> object = store.get(manifestKey);
    if (object.isEmpty()) {
      return Optional.empty();
    }
    try (StoredObject in = object.get()) {
      byte[] bytes = in.stream().readNBytes(MAX_BYTES);
      return Optional.of(ArchiveManifest.parse(new String(bytes, StandardCharsets.UTF_8)));
    } catch (IllegalArgumentException | CorruptObjectException e) {
      return Optional.empty();
    }
  }
}
