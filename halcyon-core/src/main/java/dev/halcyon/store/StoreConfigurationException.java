package dev.halcyon.store;

/**
 * The store is configured wrongly (wrong region, missing bucket, bad endpoint); the message names
 * the setting to change.
 */
public class StoreConfigurationException extends StoreException {
  private static final long serialVersionUID = 1L;

  public StoreConfigurationException(String message) {
    super(message);
  }

  public StoreConfigurationException(String message, Throwable cause) {
    super(message, cause);
  }
}
