package dev.halcyon.engine;

import dev.halcyon.layer.LayerKind;

/**
 * A layer had to be built, but building was forbidden ({@code HALCYON_NO_BUILD} or {@code
 * HALCYON_NO_BUILD_DEPENDENCIES}). Nothing was changed. The CLI exits with status 2.
 */
public class BuildForbiddenException extends Exception {
  private static final long serialVersionUID = 1L;

  /** The layer kind that would have had to be built; see {@link #kind()}. */
  private final LayerKind kind;

  /**
   * Creates the exception for a layer that was missing from every store.
   *
   * @param kind the layer that would have had to be built
   * @param message one line naming the layer and the setting that forbade the build
   */
  public BuildForbiddenException(LayerKind kind, String message) {
    super(message);
    this.kind = kind;
  }

  /**
   * The layer that would have had to be built.
   *
   * @return the kind of the first layer that no store held and building was off for
   */
  public LayerKind kind() {
    return kind;
  }
}
