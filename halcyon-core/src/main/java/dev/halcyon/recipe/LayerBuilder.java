package dev.halcyon.recipe;

import static com.google.common.base.Preconditions.checkArgument;

import dev.halcyon.layer.LayerKind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Builds one layer into a directory the engine hands it. The {@code .halcyon} hooks are one
 * implementation; an embedding build tool passes its own.
 */
@FunctionalInterface
public interface LayerBuilder {
  /**
   * Fills {@link BuildContext#layerDir()}. Throwing fails the run; nothing is archived.
   *
   * @param context the directory to fill and the layers below it
   * @throws IOException or {@link HookFailedException} when the build fails
   * @throws InterruptedException if the thread is interrupted (e.g. the run was cancelled); the run
   *     then fails and nothing is archived
   */
  void build(BuildContext context) throws IOException, InterruptedException;

  /**
   * A builder that fills the layer with hard links to the files of a directory already on disk
   * (typically the build's output) instead of copies: for an install tree of hundreds of megabytes
   * this saves the copy and, later, the deletion of the copy. The archive is byte for byte the one
   * a copy gives. Files that cannot be linked (another file system, someone else's file under
   * {@code fs.protected_hardlinks}) are copied. The linked files are the tree's own: nothing in the
   * layer directory may be changed in place afterwards (the engine only adds its tag file), and the
   * tree must not change until the run has archived it. {@code .halcyon/install-from} uses this.
   *
   * @param tree a relative path is taken inside the build layer (or, for a recipe without one, the
   *     source tree); an absolute path as given
   * @return a builder that links (or copies) the tree into the layer directory
   * @throws IllegalArgumentException if {@code tree} is blank
   * @since 0.2.0
   */
  static LayerBuilder linking(String tree) {
    checkArgument(!tree.isBlank(), "the tree to link must be a path, got a blank one");
    return context -> {
      Path base = context.dir(LayerKind.BUILD).orElse(context.sourceDir());
      Path from = base.resolve(tree).normalize();
      if (!Files.isDirectory(from)) {
        throw new HookFailedException(
            "cannot fill the "
                + context.tag().kind().id()
                + " layer from "
                + from
                + ": it is not a directory; build it first (.halcyon/build) or fix the path in"
                + " .halcyon/install-from");
      }
      TreeLinker.link(from, context.layerDir());
    };
  }
}
