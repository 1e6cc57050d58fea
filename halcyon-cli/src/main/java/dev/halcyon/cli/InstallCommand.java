package dev.halcyon.cli;

import dev.halcyon.engine.Engine;
import dev.halcyon.engine.RunReport;
import dev.halcyon.recipe.AppRecipe;
import java.io.IOException;
import picocli.CommandLine.Command;

/** {@code halcyon install [APP]}: restore or build, then install under ROOT/PREFIX. */
@Command(
    abbreviateSynopsis = true,
    name = "install",
    description =
        "Install the app under ROOT/PREFIX: restore its install archive, or build what is missing.")
final class InstallCommand extends RunCommand {
  @Override
  public Integer call() throws Exception {
    try (Session session = session()) {
      checkBuildable();
      ConsoleListener listener =
          new ConsoleListener(parent.err, verbose(), ConsoleListener.onTerminal());
      AppRecipe recipe = session.recipe(appDir(), parent.err, listener);
      var settings = session.recipeSettings(appDir(), parent.err);
      // Plain concatenation, not printf (here and in build): java.util.Formatter with %.2f loads
      // and initialises the locale and decimal-format machinery at start-up.
      parent.err.println(
          "-----> Installing "
              + recipe.label()
              + " ("
              + session.platform
              + ", "
              + recipe.install().tag().toolchain()
              + ") into "
              + settings.installDir());
      Engine engine = engine(session, listener);
      RunReport report = engine.install(recipe, settings.installDir());
      parent.err.println(RunLines.installed(recipe.label(), report));
      if (json()) {
        JsonDocuments.print(
            parent.out, JsonDocuments.run("install", recipe.label(), session.platform, report));
      }
      return HalcyonCommand.OK;
    }
  }

  static Engine engine(Session session, ConsoleListener listener) throws IOException {
    return session.engine(listener);
  }
}
