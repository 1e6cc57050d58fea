package dev.halcyon.cli;

import dev.halcyon.recipe.AppRecipe;
import dev.halcyon.recipe.LayerSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code halcyon tag [APP]}: print the install layer's tag (or every layer's with --all). */
@Command(
    name = "tag",
    description = "Print the identity (tag) of the install layer, and its archive key.")
final class TagCommand extends AppCommand {
  @Option(names = "--all", description = "Print the tag of every layer.")
  boolean all;

  @Override
  public Integer call() throws Exception {
    try (Session session = session()) {
      AppRecipe recipe = session.recipe(appDir(), parent.err);
      String ext = session.config.compression().extension();
      if (all) {
        recipe.toolchain().ifPresent(s -> print(session, s, ext));
        recipe.dependencies().ifPresent(s -> print(session, s, ext));
        print(session, recipe.build(), ext);
      }
      print(session, recipe.install(), ext);
      return HalcyonCommand.OK;
    }
  }

  private void print(Session session, LayerSpec spec, String ext) {
    parent.out.println("# " + session.namer.key(spec.tag(), ext));
    parent.out.print(spec.tag().format());
  }
}
