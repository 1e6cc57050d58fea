package dev.halcyon.recipe;

import java.io.IOException;

/**
 * Builds one layer into a directory the engine hands it. The {@code .halcyon} hooks are one
 * implementation; an embedding build tool passes its own.
 */
@FunctionalInterface
public interface LayerBuilder {
  /**
   * Fills {@link BuildContext#layerDir()}. Throwing fails the run; nothing is archived.
   *
   * @throws IOException or {@link HookFailedException} when the build fails
   */
  void build(BuildContext context) throws IOException, InterruptedException;
}
