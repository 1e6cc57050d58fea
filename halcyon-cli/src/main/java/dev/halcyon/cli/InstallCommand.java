package dev.halcyon.cli;

import dev.halcyon.engine.Engine;
import dev.halcyon.engine.RunReport;
import dev.halcyon.recipe.AppRecipe;
import java.io.IOException;
import java.util.Optional;
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
      AppRecipe recipe = session.recipe(appDir(), parent.err);
      var settings = session.recipeSettings(appDir(), parent.err);
      // Plain concatenation and seconds(), not printf (here and in build): java.util.Formatter
      // with %.2f loads and initialises the locale and decimal-format machinery at start-up.
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
      parent.err.println(
          "-----> "
              + (report.alreadyInstalled() ? "Already installed" : "Installed")
              + " "
              + recipe.label()
              + " in "
              + settings.installDir()
              + " ("
              + seconds(report.took().toMillis())
              + " s)");
      if (json()) {
        JsonDocuments.print(
            parent.out,
            JsonDocuments.run(
                "install",
                recipe.label(),
                session.platform,
                session.namer.key(recipe.install().tag(), session.config.compression().extension()),
                report));
      }
      return HalcyonCommand.OK;
    }
  }

  /**
   * {@code millis} as seconds with two decimals, rounded half up, as {@code %.2f} of {@code millis
   * / 1000.0} prints them in {@link java.util.Locale#ROOT}.
   */
  static String seconds(long millis) {
    long hundredths = (Math.max(0, millis) + 5) / 10;
    long fraction = hundredths % 100;
    return hundredths / 100 + (fraction < 10 ? ".0" : ".") + fraction;
  }

  static Engine engine(Session session, ConsoleListener listener) throws IOException {
    return session.engine(listener, Optional.of(Pruning.pruner(session)));
  }
}
