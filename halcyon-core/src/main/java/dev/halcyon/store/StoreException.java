package dev.halcyon.store;

import java.io.IOException;

/**
 * A store operation failed. Messages are one line a person can act on: what failed, on which key or
 * store, and what to change. They never contain secrets.
 */
public class StoreException extends IOException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception with no underlying cause.
   *
   * @param message one line saying what failed, where, and what to change; no secrets
   */
  public StoreException(String message) {
    super(message);
  }

  /**
   * Creates the exception with the failure that caused it, which stays reachable through {@link
   * #getCause()}.
   *
   * @param message one line saying what failed, where, and what to change; no secrets
   * @param cause the underlying failure
   */
  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
