package dev.halcyon.cli;

import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;

/** {@code halcyon label [APP]}: print the app label. */
@Command(
    abbreviateSynopsis = true,
    name = "label",
    description = "Print the app label (name-version).")
final class LabelCommand extends AppCommand {
  @ArgGroup(validate = false, order = RECIPE, heading = "%nRecipe options:%n")
  SettingsOptions.Recipe recipe;

  @ArgGroup(validate = false, order = OUTPUT, heading = "%nOutput options:%n")
  SettingsOptions.Output output;

  @Override
  SettingsOptions.Group[] groups() {
    return new SettingsOptions.Group[] {recipe};
  }

  @Override
  boolean verbose() {
    return output != null && output.verbose;
  }

  @Override
  public Integer call() throws Exception {
    try (Session session = session()) {
      parent.out.println(session.recipe(appDir(), parent.err).label());
      return HalcyonCommand.OK;
    }
  }
}
