package dev.halcyon.engine;

import dev.halcyon.layer.Digest;
import dev.halcyon.layer.LayerTag;
import dev.halcyon.naming.ArchiveNamer;
import dev.halcyon.retention.ArchiveManifest;
import dev.halcyon.store.LayerStore;
import dev.halcyon.store.PutMode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

/** Writes the manifest sidecar that retention reads beside every uploaded archive. */
final class Manifests {
  private Manifests() {}

  static void put(
      LayerStore store,
      ArchiveNamer namer,
      String key,
      LayerTag tag,
      Digest digest,
      long size,
      Instant created,
      List<String> builtOn)
      throws IOException {
    String manifestKey =
        namer
            .parse(key)
            .map(name -> namer.key(name.withExtension(ArchiveManifest.EXTENSION)))
            .orElseThrow(
                () -> new IllegalStateException("the namer cannot parse its own key " + key));
    ArchiveManifest manifest = new ArchiveManifest(key, digest, size, created, tag, builtOn);
    store.put(manifestKey, manifest.format().getBytes(StandardCharsets.UTF_8), PutMode.OVERWRITE);
  }
}
