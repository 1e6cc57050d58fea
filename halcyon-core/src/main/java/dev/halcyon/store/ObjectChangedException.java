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

  public ObjectChangedException(String message) {
    super(message);
  }

  public ObjectChangedException(String message, Throwable cause) {
    super(message, cause);
  }
}
