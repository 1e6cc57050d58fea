package dev.halcyon.store;

/**
 * Access to the store was denied; the message names the credentials used (never the secret) and the
 * permission that is missing.
 */
public class StoreAccessException extends StoreException {
  private static final long serialVersionUID = 1L;

  public StoreAccessException(String message) {
    super(message);
  }

  public StoreAccessException(String message, Throwable cause) {
    super(message, cause);
  }
}
