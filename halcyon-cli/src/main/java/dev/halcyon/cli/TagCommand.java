package dev.halcyon.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.halcyon.recipe.AppRecipe;
import dev.halcyon.recipe.LayerSpec;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code halcyon tag [APP]}: print the install layer's tag (or every layer's with --all). */
@Command(
    abbreviateSynopsis = true,
    name = "tag",
    description = "Print the identity (tag) of the install layer, and its archive key.")
final class TagCommand extends AppCommand {
  @Option(names = "--all", description = "Print the tag of every layer.")
  boolean all;

  @ArgGroup(validate = false, order = RECIPE, heading = "%nRecipe options:%n")
  SettingsOptions.Recipe recipe;

  @ArgGroup(validate = false, order = STORAGE, heading = "%nStorage options:%n")
  SettingsOptions.Storage storage;

  @ArgGroup(validate = false, order = OUTPUT, heading = "%nOutput options:%n")
  SettingsOptions.JsonOutput output;

  @Override
  SettingsOptions.Group[] groups() {
    return new SettingsOptions.Group[] {recipe, storage};
  }

  @Override
  boolean verbose() {
    return output != null && output.verbose;
  }

  @Override
  boolean json() {
    return output != null && output.json;
  }

  @Override
  public Integer call() throws Exception {
    try (Session session = session()) {
      AppRecipe recipe = session.recipe(appDir(), parent.err);
      String ext = session.config.compression().extension();
      List<LayerSpec> specs = new ArrayList<>();
      if (all) {
        recipe.toolchain().ifPresent(specs::add);
        if (recipe.constraintsPending()) {
          // Named after .halcyon/constraints-hook's output, which only a build runs.
          human()
              .println(
                  "# dependencies, build: named after .halcyon/constraints-hook's output when a"
                      + " build runs it");
        } else {
          recipe.dependencies().ifPresent(specs::add);
          specs.add(recipe.build());
        }
      }
      specs.add(recipe.install());
      JsonArray layers = new JsonArray();
      for (LayerSpec spec : specs) {
        String key = session.namer.key(spec.tag(), ext);
        human().println("# " + key);
        human().print(spec.tag().format());
        layers.add(JsonDocuments.tag(spec.tag(), key));
      }
      if (json()) {
        JsonObject doc = JsonDocuments.start("tag", true);
        doc.add("layers", layers);
        JsonDocuments.print(parent.out, doc);
      }
      return HalcyonCommand.OK;
    }
  }
}
