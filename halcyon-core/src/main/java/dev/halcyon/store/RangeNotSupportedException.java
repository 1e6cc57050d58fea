package dev.halcyon.store;

/**
 * The store's server does not honour byte ranges: it answered a ranged read with the whole object
 * (HTTP 200 instead of 206) or with a range other than the one asked for. Its answer was not taken
 * for the range. Retrying will not help; read the object whole with {@link LayerStore#get} instead.
 * A store that met such an answer once throws this at once for every later ranged read, without
 * asking the server again.
 *
 * @since 0.2.0
 */
public class RangeNotSupportedException extends StoreException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception with no underlying cause.
   *
   * @param message one line saying what failed, where, and what to change; no secrets
   */
  public RangeNotSupportedException(String message) {
    super(message);
  }

  /**
   * Creates the exception with the failure that caused it, which stays reachable through {@link
   * #getCause()}.
   *
   * @param message one line saying what failed, where, and what to change; no secrets
   * @param cause the underlying failure
   */
  public RangeNotSupportedException(String message, Throwable cause) {
    super(message, cause);
  }
}
