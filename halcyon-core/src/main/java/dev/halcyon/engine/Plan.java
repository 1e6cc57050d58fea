package dev.halcyon.engine;

import static com.google.common.base.Preconditions.checkNotNull;

import java.util.List;
import java.util.stream.Collectors;

/**
 * What a run of a recipe would do, from {@link Engine#plan}: per layer, in run order, where it
 * would come from or that it would be built. Making a plan writes nothing and holds no lock
 * afterwards; a run started later may find the stores changed. Immutable.
 *
 * @param label the app label
 * @param steps one step per layer of the recipe, toolchain first, install last
 * @param buildForbidden true when something would have to be built but the engine may not build (a
 *     run would end in {@link BuildForbiddenException})
 * @param stores the descriptions of the stores looked at, in the order a run tries them (the cache,
 *     then private, then public storage)
 */
public record Plan(
    String label, List<PlanStep> steps, boolean buildForbidden, List<String> stores) {
  public Plan {
    checkNotNull(label, "label");
    steps = List.copyOf(steps);
    stores = List.copyOf(stores);
  }

  /** Whether a run would build anything. */
  public boolean wouldBuild() {
    return steps.stream().anyMatch(PlanStep::wouldBuild);
  }

  /** The install layer's step (always the last). */
  public PlanStep install() {
    return steps.get(steps.size() - 1);
  }

  /** The plan for a person: one line per layer ({@link PlanStep#format}). */
  public String format() {
    return steps.stream().map(PlanStep::format).collect(Collectors.joining("\n", "", "\n"))
        + (buildForbidden ? "building is off here: a run would fail (build required)\n" : "");
  }
}
