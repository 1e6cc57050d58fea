package dev.halcyon.store;

import static com.google.common.base.Preconditions.checkNotNull;

/**
 * The outcome of a write.
 *
 * @param info the object now stored under the key
 * @param written false if the write was skipped because an object was already there ({@link
 *     PutMode#IF_ABSENT}, or the same digest already stored)
 */
public record PutResult(ObjectInfo info, boolean written) {
  /**
   * Checks that the object is given.
   *
   * @param info the object now stored under the key
   * @param written false if the write was skipped
   */
  public PutResult {
    checkNotNull(info, "info");
  }
}
