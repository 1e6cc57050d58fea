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
  /**
   * Copies the lists.
   *
   * @param label the app label
   * @param steps one per layer, in run order; copied
   * @param buildForbidden true when a run would end in {@link BuildForbiddenException}
   * @param stores the stores' descriptions in tier order; copied
   */
  public Plan {
    checkNotNull(label, "label");
    steps = List.copyOf(steps);
    stores = List.copyOf(stores);
  }

  /**
   * Whether a run would build anything.
   *
   * @return true if any needed layer would be built
   */
  public boolean wouldBuild() {
    return steps.stream().anyMatch(PlanStep::wouldBuild);
  }

  /**
   * The install layer's step (always the last).
   *
   * @return the last step, the install layer's
   * @throws IndexOutOfBoundsException if the plan has no steps (a plan from {@link Engine#plan}
   *     always has one)
   */
  public PlanStep install() {
    return steps.get(steps.size() - 1);
  }

  /**
   * The plan for a person: one line per layer ({@link PlanStep#format}).
   *
   * @return one line per step, each ending in a newline, and a last line when building is off but
   *     needed
   */
  public String format() {
    return steps.stream().map(PlanStep::format).collect(Collectors.joining("\n", "", "\n"))
        + (buildForbidden ? "building is off here: a run would fail (build required)\n" : "");
  }
}
