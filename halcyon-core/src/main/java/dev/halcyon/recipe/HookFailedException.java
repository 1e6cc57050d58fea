package dev.halcyon.recipe;

import java.io.IOException;

/** A layer's hook (or builder) failed; nothing it made was archived or uploaded. */
public class HookFailedException extends IOException {
  private static final long serialVersionUID = 1L;

  public HookFailedException(String message) {
    super(message);
  }

  public HookFailedException(String message, Throwable cause) {
    super(message, cause);
  }
}
