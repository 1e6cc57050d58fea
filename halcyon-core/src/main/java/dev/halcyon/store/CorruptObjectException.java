package dev.halcyon.store;

/** An object's bytes do not match its recorded digest or length. */
public class CorruptObjectException extends StoreException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception with no underlying cause.
   *
   * @param message one line saying what failed, where, and what to change; no secrets
   */
  public CorruptObjectException(String message) {
    super(message);
  }

  /**
   * Creates the exception with the failure that caused it, which stays reachable through {@link
   * #getCause()}.
   *
   * @param message one line saying what failed, where, and what to change; no secrets
   * @param cause the underlying failure
   */
  public CorruptObjectException(String message, Throwable cause) {
    super(message, cause);
  }
}
