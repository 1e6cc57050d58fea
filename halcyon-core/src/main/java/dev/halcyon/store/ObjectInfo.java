package dev.halcyon.store;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.halcyon.layer.Digest;
import java.time.Instant;
import java.util.Optional;

/**
 * What a store knows about one object without reading it.
 *
 * @param key the object key
 * @param size its length in bytes
 * @param digest its SHA-256 when the store recorded one (objects written by other tools may have
 *     none)
 * @param lastModified when it was last written
 */
public record ObjectInfo(String key, long size, Optional<Digest> digest, Instant lastModified) {
  /**
   * Checks the fields.
   *
   * @param key the object key
   * @param size not negative
   * @param digest empty when the store recorded none
   * @param lastModified when it was last written
   * @throws IllegalArgumentException if {@code size} is negative
   */
  public ObjectInfo {
    checkNotNull(key, "key");
    checkArgument(size >= 0, "size must be >= 0, got %s", size);
    checkNotNull(digest, "digest");
    checkNotNull(lastModified, "lastModified");
  }

  /**
   * Whether {@code now}, what a store says of the key at a later read, is the object this
   * describes: the same size and, if this has a digest, the same digest (the same bytes, so reading
   * some ranges from each could not mix two objects); without a digest, the same size and {@code
   * lastModified}, which is weaker (two writes of one size in the same second look alike). The key
   * is not compared.
   *
   * @param now what the store says of the same key now
   * @return true if {@code now} describes the same bytes, by the rules above
   * @since 0.2.0
   */
  public boolean isSameObject(ObjectInfo now) {
    checkNotNull(now, "now");
    if (size != now.size) {
      return false;
    }
    return digest.isPresent() ? digest.equals(now.digest) : lastModified.equals(now.lastModified);
  }
}
