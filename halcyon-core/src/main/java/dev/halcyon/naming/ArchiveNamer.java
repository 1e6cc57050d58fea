package dev.halcyon.naming;

import dev.halcyon.layer.LayerTag;
import java.util.Optional;

/**
 * Maps layer identities to object keys and back, so a bucket is readable by a person and a listing
 * can be understood without downloading anything.
 *
 * <p>Namers do no I/O and are thread-safe. Keys are relative to the store (no leading slash).
 */
public interface ArchiveNamer {

  /**
   * The name of the archive (or sidecar, by {@code extension}) that holds the layer {@code tag}.
   */
  ArchiveName name(LayerTag tag, String extension);

  /**
   * The object key for {@code name}.
   *
   * @throws IllegalArgumentException if this namer cannot express the name (e.g. a part contains a
   *     character the layout reserves)
   */
  String key(ArchiveName name);

  /** The name a key stands for, or empty if the key is not one this namer writes. */
  Optional<ArchiveName> parse(String key);

  /**
   * The key prefix under which every archive of {@code platform} and {@code toolchain} lives (the
   * folder of dependencies, build and install archives), ending in {@code /}.
   */
  String toolchainPrefix(String platform, String toolchain);

  /** Convenience: {@code key(name(tag, extension))}. */
  default String key(LayerTag tag, String extension) {
    return key(name(tag, extension));
  }
}
