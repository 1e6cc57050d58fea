package dev.halcyon.cli;

import picocli.CommandLine.Command;

/** {@code halcyon label [APP]}: print the app label. */
@Command(name = "label", description = "Print the app label (name-version).")
final class LabelCommand extends AppCommand {
  @Override
  public Integer call() throws Exception {
    try (Session session = session()) {
      parent.out.println(session.recipe(appDir(), parent.err).label());
      return HalcyonCommand.OK;
    }
  }
}
