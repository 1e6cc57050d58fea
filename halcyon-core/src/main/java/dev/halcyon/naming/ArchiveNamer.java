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
   *
   * @param tag the layer's identity
   * @param extension without the leading dot, e.g. {@code tar.zst} for the archive or {@code tag}
   *     for its tag sidecar
   * @return the name; which parts of the tag it carries (and how short the hashes are) is up to the
   *     namer
   */
  ArchiveName name(LayerTag tag, String extension);

  /**
   * The object key for {@code name}.
   *
   * @param name the archive's name
   * @return the key, relative to the store's root (any store prefix is not included)
   * @throws IllegalArgumentException if this namer cannot express the name (e.g. a part contains a
   *     character the layout reserves)
   */
  String key(ArchiveName name);

  /**
   * The name a key stands for, or empty if the key is not one this namer writes.
   *
   * @param key a key as listed by a store, relative to its root
   * @return the name, or empty for a key of another layout or an object that is not an archive or
   *     sidecar
   */
  Optional<ArchiveName> parse(String key);

  /**
   * The key prefix under which every archive of {@code platform} and {@code toolchain} lives (the
   * folder of dependencies, build and install archives), ending in {@code /}.
   *
   * @param platform the platform id, e.g. {@code linux-debian-12-x86_64}
   * @param toolchain the toolchain id, e.g. {@code jdk-17.0.15}
   * @return the prefix, ending in {@code /}; listing it finds the app archives built with that
   *     toolchain
   */
  String toolchainPrefix(String platform, String toolchain);

  /**
   * Convenience: {@code key(name(tag, extension))}.
   *
   * @param tag the layer's identity
   * @param extension without the leading dot, e.g. {@code tar.zst} or {@code tag}
   * @return the object key of that archive or sidecar
   * @throws IllegalArgumentException if this namer cannot express the name
   */
  default String key(LayerTag tag, String extension) {
    return key(name(tag, extension));
  }
}
