package dev.halcyon.engine;

import dev.halcyon.layer.LayerKind;

/**
 * A layer had to be built, but building was forbidden ({@code HALCYON_NO_BUILD} or {@code
 * HALCYON_NO_BUILD_DEPENDENCIES}). Nothing was changed. The CLI exits with status 2.
 */
public class BuildForbiddenException extends Exception {
  private static final long serialVersionUID = 1L;
  private final LayerKind kind;

  public BuildForbiddenException(LayerKind kind, String message) {
    super(message);
    this.kind = kind;
  }

  /** The layer that would have had to be built. */
  public LayerKind kind() {
    return kind;
  }
}
