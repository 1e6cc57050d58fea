package dev.halcyon.store;

/** An object's bytes do not match its recorded digest or length. */
public class CorruptObjectException extends StoreException {
  private static final long serialVersionUID = 1L;

  public CorruptObjectException(String message) {
    super(message);
  }

  public CorruptObjectException(String message, Throwable cause) {
    super(message, cause);
  }
}
