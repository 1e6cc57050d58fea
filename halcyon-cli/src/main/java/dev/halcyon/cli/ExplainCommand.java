package dev.halcyon.cli;

import dev.halcyon.layer.LayerTag;
import dev.halcyon.manifest.ArchiveManifest;
import dev.halcyon.naming.ArchiveName;
import dev.halcyon.recipe.AppRecipe;
import dev.halcyon.recipe.LayerSpec;
import dev.halcyon.store.LayerStore;
import dev.halcyon.store.ObjectInfo;
import dev.halcyon.store.StoredObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
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
          explainNearest(session, stores, tag, ext);
        }
      }
      return HalcyonCommand.OK;
    }
  }

  private void explainNearest(Session session, List<LayerStore> stores, LayerTag wanted, String ext)
      throws IOException {
    for (LayerStore store : stores) {
      String prefix =
          wanted.kind() == dev.halcyon.layer.LayerKind.TOOLCHAIN
              ? wanted.platform() + "/"
              : session.namer.toolchainPrefix(wanted.platform(), wanted.toolchain());
      for (ObjectInfo info : store.list(prefix)) {
        Optional<ArchiveName> name = session.namer.parse(info.key());
        if (name.isEmpty()
            || !name.get().extension().equals(ArchiveManifest.EXTENSION)
            || name.get().kind() != wanted.kind()
            || !name.get().label().equals(wanted.label())) {
          continue;
        }
        Optional<StoredObject> object = store.get(info.key());
        if (object.isEmpty()) {
          continue;
        }
        ArchiveManifest manifest;
        try (StoredObject o = object.get()) {
          manifest =
              ArchiveManifest.parse(new String(o.stream().readAllBytes(), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
          continue;
        }
        parent.out.println(
            "  nearest: " + manifest.archiveKey() + " in " + store.describe() + " differs in:");
        for (String d : wanted.differences(manifest.tag())) {
          parent.out.println("    " + d);
        }
      }
    }
  }
}
