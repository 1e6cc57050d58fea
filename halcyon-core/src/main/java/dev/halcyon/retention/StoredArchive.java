package dev.halcyon.retention;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.halcyon.manifest.ArchiveManifest;
import dev.halcyon.naming.ArchiveName;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * One object of a store that a namer understands: an archive, or a sidecar of one (its manifest,
 * tag or constraints file — {@link ArchiveName#isArchive()} tells which). Immutable.
 *
 * @param key the object key
 * @param name what the key says about the object
 * @param size its length in bytes
 * @param lastModified when it was last written; retention treats this as its age
 * @param manifest the archive's manifest when one was found beside it; always empty for sidecars
 */
public record StoredArchive(
    String key,
    ArchiveName name,
    long size,
    Instant lastModified,
    Optional<ArchiveManifest> manifest) {

  /**
   * Checks the fields.
   *
   * @param key the object key
   * @param name what the key says
   * @param size not negative
   * @param lastModified when it was last written
   * @param manifest empty for a sidecar
   * @throws IllegalArgumentException if {@code size} is negative or a sidecar is given a manifest
   */
  public StoredArchive {
    checkNotNull(key, "key");
    checkNotNull(name, "name");
    checkArgument(size >= 0, "size must be >= 0, got %s", size);
    checkNotNull(lastModified, "lastModified");
    checkNotNull(manifest, "manifest");
    checkArgument(manifest.isEmpty() || name.isArchive(), "sidecar %s cannot have a manifest", key);
  }

  /**
   * An archive or sidecar without a manifest.
   *
   * @param key the object key
   * @param name what the key says about the object
   * @param size its length in bytes, not negative
   * @param lastModified when it was last written
   * @return the stored object, without a manifest
   */
  public static StoredArchive of(String key, ArchiveName name, long size, Instant lastModified) {
    return new StoredArchive(key, name, size, lastModified, Optional.empty());
  }

  /**
   * True for a tar archive, false for a sidecar.
   *
   * @return true if the name's extension is {@code tar} or {@code tar.*}
   */
  public boolean isArchive() {
    return name.isArchive();
  }

  /**
   * The keys this archive was built on, from its manifest; empty without one.
   *
   * @return the keys its manifest lists as {@code built-on}, in the manifest's order
   */
  public List<String> builtOn() {
    return manifest.map(ArchiveManifest::builtOn).orElse(List.of());
  }

  /**
   * The part of the key after the last {@code /}, for messages.
   *
   * @return the file name, e.g. {@code halcyon-install-b90bb47-app-1.0.tar.zst}; the whole key if
   *     it has no {@code /}
   */
  public String fileName() {
    return key.substring(key.lastIndexOf('/') + 1);
  }
}
