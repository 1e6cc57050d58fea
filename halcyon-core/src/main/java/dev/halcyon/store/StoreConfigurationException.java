package dev.halcyon.store;

/**
 * The store is configured wrongly (wrong region, missing bucket, bad endpoint); the message names
 * the setting to change.
 */
public class StoreConfigurationException extends StoreException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception with no underlying cause.
   *
   * @param message one line saying what failed, where, and what to change; no secrets
   */
  public StoreConfigurationException(String message) {
    super(message);
  }

  /**
   * Creates the exception with the failure that caused it, which stays reachable through {@link
   * #getCause()}.
   *
   * @param message one line saying what failed, where, and what to change; no secrets
   * @param cause the underlying failure
   */
  public StoreConfigurationException(String message, Throwable cause) {
    super(message, cause);
  }
}
