package dev.halcyon.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.halcyon.engine.Engine;
import dev.halcyon.engine.EngineListener;
import dev.halcyon.engine.PartialMatches;
import dev.halcyon.engine.Plan;
import dev.halcyon.engine.PlanStep;
import dev.halcyon.layer.LayerKind;
import dev.halcyon.layer.LayerTag;
import dev.halcyon.recipe.AppRecipe;
import java.io.IOException;
import java.io.PrintStream;
import java.util.Optional;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;

/**
 * {@code halcyon explain [APP]}: for each layer, whether its archive is stored, and if not, how the
 * nearest stored archives of the same app differ (which input changed); for a missing dependencies
 * layer also the stored one a build would extend, or why none qualifies. All of it is the engine's
 * {@link Engine#plan}, printed: the command looks at no store itself.
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
      Engine engine = session.engine(EngineListener.NONE);
      AppRecipe recipe = loaded;
      Optional<String> unnamed = Optional.empty();
      if (loaded.constraintsPending()) {
        try {
          recipe = engine.nameDependencies(loaded);
        } catch (IOException e) {
          unnamed = Optional.of(e.getMessage());
        }
      }
      Plan plan = engine.plan(recipe);
      JsonArray layers = new JsonArray();
      for (PlanStep step : plan.steps()) {
        layers.add(explain(step, plan, out));
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

  /** Prints one layer's step of the plan for a person and returns it as JSON. */
  private static JsonObject explain(PlanStep step, Plan plan, PrintStream out) {
    LayerTag tag = step.tag();
    JsonObject layer = new JsonObject();
    layer.addProperty("kind", tag.kind().id());
    layer.addProperty("key", step.key());
    JsonArray storedIn = new JsonArray();
    JsonArray earlierIn = new JsonArray();
    out.println(tag.kind().id() + ": " + step.key());
    for (PlanStep.Copy copy : step.copies()) {
      if (copy.current()) {
        out.println("  stored in " + copy.store());
        storedIn.add(copy.store());
        continue;
      }
      if (copy.recorded().isEmpty()) {
        // A build archive's key leaves out the source hash (a changed source restores the last
        // build and rebuilds on top of it), so only the manifest beside it says whose it is.
        out.println(
            "  a build of this app is stored in "
                + copy.store()
                + "; no manifest says of which source, so it may be an earlier one (restored,"
                + " then built on)");
      } else {
        out.println(
            (tag.kind() == LayerKind.BUILD
                    ? "  an earlier build (restored, then built on) is stored in "
                    : "  an archive of other inputs is stored under this key in ")
                + copy.store()
                + "; it differs in:");
        copy.differences().forEach(d -> out.println("    " + d));
      }
      JsonObject earlier = new JsonObject();
      earlier.addProperty("store", copy.store());
      earlier.addProperty("manifest", copy.recorded().isPresent());
      earlier.add("differences", JsonDocuments.strings(copy.differences()));
      earlierIn.add(earlier);
    }
    JsonArray nearest = new JsonArray();
    if (step.copies().isEmpty()) {
      out.println("  not stored in " + String.join(", ", plan.stores()));
      for (PlanStep.Nearby match : step.nearby()) {
        out.println("  nearest: " + match.key() + " in " + match.store() + " differs in:");
        match.differences().forEach(d -> out.println("    " + d));
        JsonObject m = new JsonObject();
        m.addProperty("key", match.key());
        m.addProperty("store", match.store());
        m.add("differences", JsonDocuments.strings(match.differences()));
        nearest.add(m);
      }
    }
    step.partial().ifPresent(p -> layer.add("partial", partial(tag, p, out)));
    layer.addProperty("stored", !storedIn.isEmpty());
    layer.add("storedIn", storedIn);
    layer.add("earlierBuildIn", earlierIn);
    layer.add("nearest", nearest);
    return layer;
  }

  /**
   * Prints, for a dependencies layer no store holds, the stored layer a build would extend (its
   * overlap and what it lacks), or why none qualifies.
   */
  private static JsonObject partial(LayerTag tag, PlanStep.Partial search, PrintStream out) {
    String rule = search.rule().id();
    int needed = search.needed().size();
    JsonObject partial = new JsonObject();
    partial.addProperty("rule", rule);
    partial.addProperty("needed", needed);
    Optional<PartialMatches.Candidate> best = search.best();
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
              + needed
              + ", "
              + rule
              + " rule); it lacks:");
      c.missing().forEach(m -> out.println("    " + m));
      partial.addProperty("key", c.archiveKey());
      partial.addProperty("store", c.store().describe());
      partial.addProperty("overlap", c.overlap());
      partial.add("missing", JsonDocuments.strings(c.missing()));
      return partial;
    }
    JsonArray rejected = new JsonArray();
    if (search.candidates().isEmpty()) {
      out.println(
          "  no partial match: no other dependencies layer of "
              + tag.platform()
              + "/"
              + tag.toolchain()
              + " in "
              + (search.stores().isEmpty()
                  ? "any remote storage (partial matching lists private and public storage)"
                  : String.join(", ", search.stores())));
    } else {
      out.println("  no partial match qualifies (" + rule + " rule):");
      for (PartialMatches.Candidate c : search.candidates()) {
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
}
