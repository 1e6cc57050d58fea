package dev.halcyon.store;

/**
 * A failure that may go away if retried later: throttling, a dropped connection, a server error.
 */
public class TransientStoreException extends StoreException {
  private static final long serialVersionUID = 1L;

  public TransientStoreException(String message) {
    super(message);
  }

  public TransientStoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
