package dev.halcyon.cli;

import dev.halcyon.recipe.MagicRecipes;
import java.io.IOException;
import picocli.CommandLine.ArgGroup;

/** {@code install} and {@code build}: every setting group, and {@code --json}. */
abstract class RunCommand extends AppCommand {
  @ArgGroup(validate = false, order = RECIPE, heading = "%nRecipe options:%n")
  SettingsOptions.Recipe recipe;

  @ArgGroup(validate = false, order = STORAGE, heading = "%nStorage options:%n")
  SettingsOptions.Storage storage;

  @ArgGroup(validate = false, order = S3, heading = "%nS3 options:%n")
  SettingsOptions.S3 s3;

  @ArgGroup(validate = false, order = BUILD, heading = "%nBuild options:%n")
  SettingsOptions.Build build;

  @ArgGroup(validate = false, order = RETENTION, heading = "%nRetention options:%n")
  SettingsOptions.Retention retention;

  @ArgGroup(validate = false, order = OUTPUT, heading = "%nOutput options:%n")
  SettingsOptions.JsonOutput output;

  @Override
  SettingsOptions.Group[] groups() {
    return new SettingsOptions.Group[] {recipe, storage, s3, build, retention};
  }

  @Override
  boolean verbose() {
    return output != null && output.verbose;
  }

  @Override
  boolean json() {
    return output != null && output.json;
  }

  /**
   * Refuses a tree that cannot be built before anything is hashed or copied. A tree without the
   * hooks can have no stored install archive either: {@code .halcyon} is part of the source hash.
   */
  void checkBuildable() throws IOException {
    MagicRecipes.checkBuildable(appDir());
  }
}
