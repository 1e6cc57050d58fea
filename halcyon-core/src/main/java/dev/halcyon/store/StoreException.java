package dev.halcyon.store;

import java.io.IOException;

/**
 * A store operation failed. Messages are one line a person can act on: what failed, on which key or
 * store, and what to change. They never contain secrets.
 */
public class StoreException extends IOException {
  private static final long serialVersionUID = 1L;

  public StoreException(String message) {
    super(message);
  }

  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
