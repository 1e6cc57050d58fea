package dev.halcyon.recipe;

import dev.halcyon.layer.Constraints;
import java.io.IOException;

/**
 * Produces an app's dependency list on a build machine, once the toolchain layer is in place: the
 * {@code .halcyon/constraints-hook} is one implementation; an embedding build tool may pass its
 * own. Deploy machines never call it (the install layer's name does not depend on it).
 */
@FunctionalInterface
public interface ConstraintsSource {
  /**
   * The dependency list. {@link BuildContext#layerDir()} is a scratch directory the source may use
   * and that is deleted afterwards; {@link BuildContext#layerDirs()} holds the toolchain layer.
   *
   * @param context the scratch directory and the toolchain layer's directory
   * @return the app's exact dependency list
   * @throws IOException or {@link HookFailedException} (one line) when the list cannot be had: the
   *     engine then names no layer after a guess, and the run fails
   * @throws InterruptedException if the thread is interrupted while the source waits (e.g. for a
   *     hook); the run then fails
   */
  Constraints constraints(BuildContext context) throws IOException, InterruptedException;
}
