package dev.halcyon.store;

/**
 * A ranged read of one particular object ({@link LayerStore#getRange(ObjectInfo, long, long)})
 * found another object under its key: it was overwritten since the caller looked it up. No bytes of
 * the new object were handed out. Transient: look the key up again and start over, or run again.
 *
 * @since 0.2.0
 */
public class ObjectChangedException extends TransientStoreException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception with no underlying cause.
   *
   * @param message one line saying what failed, where, and what to change; no secrets
   */
  public ObjectChangedException(String message) {
    super(message);
  }

  /**
   * Creates the exception with the failure that caused it, which stays reachable through {@link
   * #getCause()}.
   *
   * @param message one line saying what failed, where, and what to change; no secrets
   * @param cause the underlying failure
   */
  public ObjectChangedException(String message, Throwable cause) {
    super(message, cause);
  }
}
