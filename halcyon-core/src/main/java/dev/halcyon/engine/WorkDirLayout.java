package dev.halcyon.engine;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.hash.Hashing;
import dev.halcyon.layer.LayerTag;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.UUID;

/**
 * Every path under the engine's work directory (HALCYON_BASE), so its layout is spelled out in one
 * place. Pure path arithmetic: nothing here touches the file system.
 *
 * @param root the work directory, absolute and normalised
 */
record WorkDirLayout(Path root) {
  /** The file of last-use times of cache entries, {@code <epoch millis> <key>} per line. */
  static final String CACHE_USES_FILE = "cache-uses";

  WorkDirLayout {
    checkNotNull(root, "root");
    checkArgument(root.isAbsolute(), "the work directory must be absolute, got %s", root);
  }

  /** The file whose lock serialises runs sharing this work directory. */
  Path lockFile() {
    return root.resolve(".halcyon.lock");
  }

  /** Downloads and new archives before the cache takes them; emptied when a run starts. */
  Path tmp() {
    return root.resolve("tmp");
  }

  /** Staging trees of install layers (and their trash); emptied when a run starts. */
  Path installStaging() {
    return root.resolve("install");
  }

  /** A fresh staging tree for the install layer labelled {@code label}. */
  Path newInstallStage(String label) {
    return installStaging().resolve(label + "-" + UUID.randomUUID().toString().substring(0, 8));
  }

  /** Present while the post-install of {@code installDir} has not completed. */
  Path postInstallPending(Path installDir) {
    return root.resolve("post-install-pending").resolve(pathId(installDir));
  }

  /**
   * Present from before a layer is built in {@code layerDir} until its archive is in the cache and
   * private storage: a directory whose tag matches while this exists was built but maybe never
   * archived or uploaded (the run was killed or interrupted), so the next run archives it again.
   */
  Path archivePending(Path layerDir) {
    return root.resolve("archive-pending").resolve(pathId(layerDir));
  }

  private static String pathId(Path dir) {
    return Hashing.sha256()
        .hashString(dir.toAbsolutePath().normalize().toString(), StandardCharsets.UTF_8)
        .toString()
        .substring(0, 16);
  }

  /**
   * The fingerprints of the files halcyon installed into {@code installDir} (path, digest and
   * stat), which let a delta restore reuse them without hashing; see {@link InstallRecord}.
   */
  Path installRecord(Path installDir) {
    return root.resolve("installed").resolve(dirId(installDir));
  }

  /**
   * The content-addressed file cache of a delta restore: files of earlier installs by SHA-256,
   * {@code files/sha256/ab/abcdef…}; see {@link FileCache}.
   */
  Path fileCache() {
    return root.resolve("files").resolve("sha256");
  }

  private static String dirId(Path dir) {
    return Hashing.sha256()
        .hashString(dir.toAbsolutePath().normalize().toString(), StandardCharsets.UTF_8)
        .toString()
        .substring(0, 16);
  }

  /** See {@link #CACHE_USES_FILE}. */
  Path cacheUses() {
    return root.resolve(CACHE_USES_FILE);
  }

  /** Where {@link #cacheUses} is written before it is moved into place. */
  Path cacheUsesTemp() {
    return root.resolve(CACHE_USES_FILE + ".tmp");
  }

  /**
   * Where the directory of a toolchain, dependencies or build layer lives: {@code toolchain/<id>},
   * {@code dependencies/<toolchain>/<label>}, {@code build/<toolchain>/<label>}.
   */
  Path layerDir(LayerTag tag) {
    return switch (tag.kind()) {
      case TOOLCHAIN -> root.resolve("toolchain").resolve(tag.toolchain());
      case DEPENDENCIES ->
          root.resolve("dependencies").resolve(tag.toolchain()).resolve(tag.label());
      case BUILD -> root.resolve("build").resolve(tag.toolchain()).resolve(tag.label());
      case INSTALL ->
          throw new IllegalArgumentException(
              "the install layer has no directory under the work directory");
    };
  }
}
