package dev.halcyon.cli;

import dev.halcyon.layer.LayerTag;
import dev.halcyon.recipe.AppRecipe;
import dev.halcyon.recipe.LayerSpec;
import dev.halcyon.retention.NearestManifests;
import dev.halcyon.store.LayerStore;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;

/**
 * {@code halcyon explain [APP]}: for each layer, whether its archive is stored, and if not, how the
 * nearest stored archives of the same app differ (which input changed).
 */
@Command(
    name = "explain",
    description =
        "Say, layer by layer, whether each archive is stored and, if not, which inputs differ from the stored ones.")
final class ExplainCommand extends AppCommand {
  @Override
  public Integer call() throws Exception {
    try (Session session = session()) {
      AppRecipe recipe = session.recipe(appDir(), parent.err);
      List<LayerStore> stores = new ArrayList<>();
      stores.add(session.cache());
      session.privateStore().ifPresent(stores::add);
      session.publicStore().ifPresent(stores::add);
      List<LayerSpec> specs = new ArrayList<>();
      recipe.toolchain().ifPresent(specs::add);
      recipe.dependencies().ifPresent(specs::add);
      specs.add(recipe.build());
      specs.add(recipe.install());
      String ext = session.config.compression().extension();
      for (LayerSpec spec : specs) {
        LayerTag tag = spec.tag();
        String key = session.namer.key(tag, ext);
        parent.out.println(tag.kind().id() + ": " + key);
        boolean found = false;
        for (LayerStore store : stores) {
          if (store.head(key).isPresent()) {
            parent.out.println("  stored in " + store.describe());
            found = true;
          }
        }
        if (!found) {
          parent.out.println(
              "  not stored in "
                  + String.join(", ", stores.stream().map(LayerStore::describe).toList()));
          NearestManifests.find(
              stores,
              session.namer,
              tag,
              match -> {
                parent.out.println(
                    "  nearest: "
                        + match.manifest().archiveKey()
                        + " in "
                        + match.store().describe()
                        + " differs in:");
                for (String d : match.differences()) {
                  parent.out.println("    " + d);
                }
              });
        }
      }
      return HalcyonCommand.OK;
    }
  }
}
