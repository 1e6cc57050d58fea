package dev.halcyon.engine;

import dev.halcyon.layer.Constraints;
import dev.halcyon.layer.LayerKind;
import dev.halcyon.layer.LayerTag;
import dev.halcyon.recipe.AppRecipe;
import dev.halcyon.recipe.BuildContext;
import dev.halcyon.recipe.ConstraintsSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Runs a recipe's constraints source once, in a scratch directory deleted afterwards. */
final class ConstraintsRun {
  private ConstraintsRun() {}

  /** {@code recipe} named after the list its source prints, with {@code dirs} in place. */
  static AppRecipe resolve(
      EngineListener listener, AppRecipe recipe, Map<LayerKind, Path> dirs, Path scratchParent)
      throws IOException, InterruptedException {
    ConstraintsSource source = recipe.constraints().source().orElseThrow();
    LayerTag tag = recipe.dependencies().orElseThrow().tag();
    Path scratch = Files.createTempDirectory(scratchParent, "constraints");
    try {
      listener.step("listing the dependencies of " + recipe.label());
      Constraints list =
          source.constraints(new BuildContext(tag, scratch, recipe.sourceDir(), dirs));
      listener.step(recipe.label() + " needs " + list.size() + " dependencies");
      return recipe.withConstraints(list);
    } finally {
      Directories.deleteTree(scratch);
    }
  }
}
