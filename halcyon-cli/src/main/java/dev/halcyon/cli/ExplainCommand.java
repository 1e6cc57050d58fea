package dev.halcyon.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.halcyon.engine.EngineListener;
import dev.halcyon.engine.PartialMatches;
import dev.halcyon.layer.Constraints;
import dev.halcyon.layer.LayerKind;
import dev.halcyon.layer.LayerTag;
import dev.halcyon.manifest.ArchiveManifest;
import dev.halcyon.recipe.AppRecipe;
import dev.halcyon.recipe.LayerSpec;
import dev.halcyon.recipe.PartialMatchRule;
import dev.halcyon.retention.NearestManifests;
import dev.halcyon.store.LayerStore;
import dev.halcyon.store.StoredObject;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;

/**
 * {@code halcyon explain [APP]}: for each layer, whether its archive is stored, and if not, how the
 * nearest stored archives of the same app differ (which input changed); for a missing dependencies
 * layer also the stored one a build would extend, or why none qualifies.
 */
@Command(
    abbreviateSynopsis = true,
    name = "explain",
    description =
        "Say, layer by layer, whether each archive is stored and, if not, which inputs differ from the stored ones.")
final class ExplainCommand extends AppCommand {
  @ArgGroup(validate = false, order = RECIPE, heading = "%nRecipe options:%n")
  SettingsOptions.Recipe recipe;

  @ArgGroup(validate = false, order = STORAGE, heading = "%nStorage options:%n")
  SettingsOptions.Storage storage;

  @ArgGroup(validate = false, order = S3, heading = "%nS3 options:%n")
  SettingsOptions.S3 s3;

  @ArgGroup(validate = false, order = OUTPUT, heading = "%nOutput options:%n")
  SettingsOptions.JsonOutput output;

  @Override
  SettingsOptions.Group[] groups() {
    return new SettingsOptions.Group[] {recipe, storage, s3};
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
      AppRecipe loaded = session.recipe(appDir(), parent.err);
      PrintStream out = human();
      AppRecipe recipe = loaded;
      Optional<String> unnamed = Optional.empty();
      if (loaded.constraintsPending()) {
        try {
          recipe = session.engine(new EngineListener() {}).nameDependencies(loaded);
        } catch (IOException e) {
          unnamed = Optional.of(e.getMessage());
        }
      }
      List<LayerStore> stores = new ArrayList<>();
      stores.add(session.cache());
      session.privateStore().ifPresent(stores::add);
      session.publicStore().ifPresent(stores::add);
      List<LayerSpec> specs = new ArrayList<>();
      recipe.toolchain().ifPresent(specs::add);
      if (unnamed.isEmpty()) {
        recipe.dependencies().ifPresent(specs::add);
        specs.add(recipe.build());
      }
      specs.add(recipe.install());
      String ext = session.config.compression().extension();
      JsonArray layers = new JsonArray();
      for (LayerSpec spec : specs) {
        LayerTag tag = spec.tag();
        String key = session.namer.key(tag, ext);
        JsonObject layer = new JsonObject();
        layer.addProperty("kind", tag.kind().id());
        layer.addProperty("key", key);
        JsonArray storedIn = new JsonArray();
        JsonArray earlierIn = new JsonArray();
        out.println(tag.kind().id() + ": " + key);
        for (LayerStore store : stores) {
          if (store.head(key).isEmpty()) {
            continue;
          }
          // A build archive's key leaves out the source hash (a changed source restores the last
          // build and rebuilds on top of it), so only the manifest beside it says whose it is.
          Optional<LayerTag> stored = storedTag(session, store, key);
          List<String> differences = stored.map(tag::differences).orElse(List.of());
          boolean unknownBuild = stored.isEmpty() && tag.kind() == LayerKind.BUILD;
          if (differences.isEmpty() && !unknownBuild) {
            out.println("  stored in " + store.describe());
            storedIn.add(store.describe());
            continue;
          }
          if (unknownBuild) {
            out.println(
                "  a build of this app is stored in "
                    + store.describe()
                    + "; no manifest says of which source, so it may be an earlier one (restored,"
                    + " then built on)");
          } else {
            out.println(
                (tag.kind() == LayerKind.BUILD
                        ? "  an earlier build (restored, then built on) is stored in "
                        : "  an archive of other inputs is stored under this key in ")
                    + store.describe()
                    + "; it differs in:");
            differences.forEach(d -> out.println("    " + d));
          }
          JsonObject earlier = new JsonObject();
          earlier.addProperty("store", store.describe());
          earlier.addProperty("manifest", stored.isPresent());
          earlier.add("differences", JsonDocuments.strings(differences));
          earlierIn.add(earlier);
        }
        JsonArray nearest = new JsonArray();
        if (storedIn.isEmpty() && earlierIn.isEmpty()) {
          out.println(
              "  not stored in "
                  + String.join(", ", stores.stream().map(LayerStore::describe).toList()));
          NearestManifests.find(
              stores,
              session.namer,
              tag,
              match -> {
                out.println(
                    "  nearest: "
                        + match.manifest().archiveKey()
                        + " in "
                        + match.store().describe()
                        + " differs in:");
                for (String d : match.differences()) {
                  out.println("    " + d);
                }
                JsonObject m = new JsonObject();
                m.addProperty("key", match.manifest().archiveKey());
                m.addProperty("store", match.store().describe());
                m.add("differences", JsonDocuments.strings(match.differences()));
                nearest.add(m);
              });
        }
        if (tag.kind() == LayerKind.DEPENDENCIES
            && storedIn.isEmpty()
            && recipe.constraints().declared().isPresent()) {
          layer.add("partial", partial(session, recipe, tag, ext, out));
        }
        layer.addProperty("stored", !storedIn.isEmpty());
        layer.add("storedIn", storedIn);
        layer.add("earlierBuildIn", earlierIn);
        layer.add("nearest", nearest);
        layers.add(layer);
      }
      if (unnamed.isPresent()) {
        out.println("dependencies, build: not named here: " + unnamed.get());
      }
      if (json()) {
        JsonObject doc = JsonDocuments.start("explain", true);
        unnamed.ifPresent(u -> doc.addProperty("dependenciesNotNamed", u));
        doc.addProperty("label", recipe.label());
        doc.add("layers", layers);
        JsonDocuments.print(parent.out, doc);
      }
      return HalcyonCommand.OK;
    }
  }

  /**
   * Prints, for a dependencies layer no store holds, the stored layer a build would extend (its
   * overlap and what it lacks), or why none qualifies.
   */
  private static JsonObject partial(
      Session session, AppRecipe recipe, LayerTag tag, String ext, PrintStream out)
      throws IOException {
    List<LayerStore> remote = new ArrayList<>();
    session.privateStore().ifPresent(remote::add);
    session.publicStore().ifPresent(remote::add);
    Constraints needed = recipe.constraints().declared().orElseThrow();
    PartialMatchRule rule = recipe.constraints().rule();
    List<PartialMatches.Candidate> candidates =
        PartialMatches.find(remote, session.namer, ext, tag, needed, rule);
    JsonObject partial = new JsonObject();
    partial.addProperty("rule", rule.id());
    partial.addProperty("needed", needed.size());
    Optional<PartialMatches.Candidate> best =
        candidates.stream().filter(PartialMatches.Candidate::qualifies).findFirst();
    if (best.isPresent()) {
      PartialMatches.Candidate c = best.get();
      out.println(
          "  a build extends "
              + c.archiveKey()
              + " in "
              + c.store().describe()
              + " ("
              + c.overlap()
              + " of "
              + needed.size()
              + ", "
              + rule.id()
              + " rule); it lacks:");
      c.missing().forEach(m -> out.println("    " + m));
      partial.addProperty("key", c.archiveKey());
      partial.addProperty("store", c.store().describe());
      partial.addProperty("overlap", c.overlap());
      partial.add("missing", JsonDocuments.strings(c.missing()));
      return partial;
    }
    JsonArray rejected = new JsonArray();
    if (candidates.isEmpty()) {
      out.println(
          "  no partial match: no other dependencies layer of "
              + tag.platform()
              + "/"
              + tag.toolchain()
              + " in "
              + (remote.isEmpty()
                  ? "any remote storage (partial matching lists private and public storage)"
                  : String.join(", ", remote.stream().map(LayerStore::describe).toList())));
    } else {
      out.println("  no partial match qualifies (" + rule.id() + " rule):");
      for (PartialMatches.Candidate c : candidates) {
        out.println("    " + c.archiveKey() + ": " + c.rejected().orElse(""));
        JsonObject r = new JsonObject();
        r.addProperty("key", c.archiveKey());
        r.addProperty("reason", c.rejected().orElse(""));
        rejected.add(r);
      }
    }
    partial.add("rejected", rejected);
    return partial;
  }

  /** The tag in the manifest stored beside {@code key}, or empty if there is none or it is bad. */
  private static Optional<LayerTag> storedTag(Session session, LayerStore store, String key)
      throws IOException {
    Optional<String> manifestKey =
        session
            .namer
            .parse(key)
            .map(n -> session.namer.key(n.withExtension(ArchiveManifest.EXTENSION)));
    if (manifestKey.isEmpty()) {
      return Optional.empty();
    }
    Optional<StoredObject> object = store.get(manifestKey.get());
    if (object.isEmpty()) {
      return Optional.empty();
    }
    try (StoredObject o = object.get()) {
      return Optional.of(
          ArchiveManifest.parse(new String(o.stream().readAllBytes(), StandardCharsets.UTF_8))
              .tag());
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
