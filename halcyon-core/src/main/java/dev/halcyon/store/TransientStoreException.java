package dev.halcyon.store;

/**
 * A failure that may go away if retried later: throttling, a dropped connection, a server error.
 */
public class TransientStoreException extends StoreException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception with no underlying cause.
   *
   * @param message one line saying what failed, where, and what to change; no secrets
   */
  public TransientStoreException(String message) {
    super(message);
  }

  /**
   * Creates the exception with the failure that caused it, which stays reachable through {@link
   * #getCause()}.
   *
   * @param message one line saying what failed, where, and what to change; no secrets
   * @param cause the underlying failure
   */
  public TransientStoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
