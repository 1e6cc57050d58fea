package dev.halcyon.cli;

import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;

/** {@code halcyon paths}: print where things are. */
@Command(
    abbreviateSynopsis = true,
    name = "paths",
    description = "Print the directories and stores this configuration uses.")
final class PathsCommand extends AppCommand {
  @ArgGroup(validate = false, order = RECIPE, heading = "%nRecipe options:%n")
  SettingsOptions.Recipe recipe;

  @ArgGroup(validate = false, order = STORAGE, heading = "%nStorage options:%n")
  SettingsOptions.Storage storage;

  @ArgGroup(validate = false, order = S3, heading = "%nS3 options:%n")
  SettingsOptions.S3 s3;

  @ArgGroup(validate = false, order = BUILD, heading = "%nBuild options:%n")
  SettingsOptions.Build build;

  @ArgGroup(validate = false, order = OUTPUT, heading = "%nOutput options:%n")
  SettingsOptions.Output output;

  @Override
  SettingsOptions.Group[] groups() {
    return new SettingsOptions.Group[] {recipe, storage, s3, build};
  }

  @Override
  boolean verbose() {
    return output != null && output.verbose;
  }

  @Override
  public Integer call() throws Exception {
    try (Session session = session()) {
      var c = session.config;
      var settings = session.recipeSettings(appDir(), parent.err);
      // Every line is VARIABLE=value, so a script can source or grep it; the last three have no
      // variable of their own and say what they are derived from.
      parent.out.println("HALCYON_PLATFORM=" + session.platform);
      parent.out.println("HALCYON_BASE=" + c.base());
      parent.out.println("HALCYON_CACHE=" + c.cache());
      parent.out.println("HALCYON_ROOT=" + c.root());
      parent.out.println("HALCYON_PREFIX=" + settings.prefix());
      parent.out.println("INSTALL_DIR=" + settings.installDir());
      parent.out.println(
          "PRIVATE_STORAGE=" + session.privateStore().map(s -> s.describe()).orElse(""));
      parent.out.println(
          "PUBLIC_STORAGE=" + session.publicStore().map(s -> s.describe()).orElse(""));
      return HalcyonCommand.OK;
    }
  }
}
