package dev.halcyon.store;

/**
 * Access to the store was denied; the message names the credentials used (never the secret) and the
 * permission that is missing.
 */
public class StoreAccessException extends StoreException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception with no underlying cause.
   *
   * @param message one line saying what failed, where, and what to change; no secrets
   */
  public StoreAccessException(String message) {
    super(message);
  }

  /**
   * Creates the exception with the failure that caused it, which stays reachable through {@link
   * #getCause()}.
   *
   * @param message one line saying what failed, where, and what to change; no secrets
   * @param cause the underlying failure
   */
  public StoreAccessException(String message, Throwable cause) {
    super(message, cause);
  }
}
