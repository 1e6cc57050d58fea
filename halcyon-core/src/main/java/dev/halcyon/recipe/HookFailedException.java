package dev.halcyon.recipe;

import java.io.IOException;

/** A layer's hook (or builder) failed; nothing it made was archived or uploaded. */
public class HookFailedException extends IOException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception with no underlying cause.
   *
   * @param message one line saying what failed, where, and what to change; no secrets
   */
  public HookFailedException(String message) {
    super(message);
  }

  /**
   * Creates the exception with the failure that caused it, which stays reachable through {@link
   * #getCause()}.
   *
   * @param message one line saying what failed, where, and what to change; no secrets
   * @param cause the underlying failure
   */
  public HookFailedException(String message, Throwable cause) {
    super(message, cause);
  }
}
