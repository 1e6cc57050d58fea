package dev.halcyon.store;

import dev.halcyon.layer.Digest;

/** Error wording shared by the stores in this package, so that one failure reads alike in each. */
final class StoreErrors {
  private StoreErrors() {}

  /**
   * A write refused because the bytes read from {@code source} hash to {@code actual}, not to the
   * {@code given} digest the caller vouched for.
   */
  static CorruptObjectException digestMismatch(
      String key, String store, String source, Digest actual, Digest given) {
    return new CorruptObjectException(
        "refused to store '"
            + key
            + "' in "
            + store
            + ": "
            + source
            + " has digest "
            + actual
            + ", not the "
            + given
            + " given; nothing was stored");
  }
}
