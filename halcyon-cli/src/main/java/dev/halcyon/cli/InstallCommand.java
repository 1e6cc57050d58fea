package dev.halcyon.cli;

import dev.halcyon.engine.AppRecipe;
import dev.halcyon.engine.Engine;
import dev.halcyon.engine.RunReport;
import java.util.Locale;
import java.util.Optional;
import picocli.CommandLine.Command;

/** {@code halcyon install [APP]}: restore or build, then install under ROOT/PREFIX. */
@Command(name = "install", description = "Install the app under ROOT/PREFIX: restore its install archive, or build what is missing.")
final class InstallCommand extends AppCommand {
  @Override
  public Integer call() throws Exception {
    try (Session session = session()) {
      ConsoleListener listener = new ConsoleListener(parent.err, verbose, System.console() != null);
      AppRecipe recipe = session.recipe(appDir(), parent.err);
      var settings = session.recipeSettings(appDir(), parent.err);
      parent.err.printf(
          "-----> Installing %s (%s, %s) into %s%n",
          recipe.label(), session.platform, recipe.install().tag().toolchain(), settings.installDir());
      Engine engine = engine(session, listener);
      RunReport report = engine.install(recipe, settings.installDir());
      parent.err.printf(
          Locale.ROOT,
          "-----> %s %s in %s (%.2f s)%n",
          report.alreadyInstalled() ? "Already installed" : "Installed",
          recipe.label(),
          settings.installDir(),
          report.took().toMillis() / 1000.0);
      return HalcyonCommand.OK;
    }
  }

  static Engine engine(Session session, ConsoleListener listener) throws java.io.IOException {
    return session.engine(listener, Optional.of(Pruning.pruner(session)));
  }
}
