package dev.halcyon.cli;

import dev.halcyon.engine.RunReport;
import dev.halcyon.recipe.AppRecipe;
import picocli.CommandLine.Command;

/** {@code halcyon build [APP]}: make sure the install archive exists, without installing. */
@Command(
    abbreviateSynopsis = true,
    name = "build",
    description =
        "Restore or build every layer and store the install archive, without installing it.")
final class BuildCommand extends RunCommand {
  @Override
  public Integer call() throws Exception {
    try (Session session = session()) {
      checkBuildable();
      ConsoleListener listener =
          new ConsoleListener(parent.err, verbose(), ConsoleListener.onTerminal());
      AppRecipe recipe = session.recipe(appDir(), parent.err, listener);
      parent.err.println(
          "-----> Building "
              + recipe.label()
              + " ("
              + session.platform
              + ", "
              + recipe.install().tag().toolchain()
              + ")");
      RunReport report = InstallCommand.engine(session, listener).build(recipe);
      parent.err.println(RunLines.built(recipe.label(), report));
      if (json()) {
        JsonDocuments.print(
            parent.out, JsonDocuments.run("build", recipe.label(), session.platform, report));
      }
      return HalcyonCommand.OK;
    }
  }
}
