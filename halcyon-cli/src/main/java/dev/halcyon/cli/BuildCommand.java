package dev.halcyon.cli;

import dev.halcyon.engine.RunReport;
import dev.halcyon.recipe.AppRecipe;
import java.util.Locale;
import picocli.CommandLine.Command;

/** {@code halcyon build [APP]}: make sure the install archive exists, without installing. */
@Command(
    name = "build",
    description =
        "Restore or build every layer and store the install archive, without installing it.")
final class BuildCommand extends AppCommand {
  @Override
  public Integer call() throws Exception {
    try (Session session = session()) {
      ConsoleListener listener = new ConsoleListener(parent.err, verbose, System.console() != null);
      AppRecipe recipe = session.recipe(appDir(), parent.err);
      parent.err.printf(
          "-----> Building %s (%s, %s)%n",
          recipe.label(), session.platform, recipe.install().tag().toolchain());
      RunReport report = InstallCommand.engine(session, listener).build(recipe);
      parent.err.printf(
          Locale.ROOT,
          "-----> Built %s (%.2f s)%n",
          recipe.label(),
          report.took().toMillis() / 1000.0);
      return HalcyonCommand.OK;
    }
  }
}
