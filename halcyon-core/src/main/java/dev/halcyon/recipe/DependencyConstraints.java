package dev.halcyon.recipe;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.halcyon.layer.Constraints;
import java.util.Optional;

/**
 * What an app says about its dependency list, for partial matching of the dependencies layer: the
 * list itself when it is known before anything runs ({@code .halcyon/constraints}), or a source
 * that produces it on a build machine ({@code .halcyon/constraints-hook}), and the rule by which a
 * stored layer may be extended. With neither, the engine does no partial matching.
 *
 * @param declared the list, when known up front
 * @param source produces the list once the toolchain is in place; never together with {@code
 *     declared}
 * @param rule how stored layers qualify and rank
 */
public record DependencyConstraints(
    Optional<Constraints> declared, Optional<ConstraintsSource> source, PartialMatchRule rule) {

  /** No list: the dependencies layer is only ever restored exactly or built from nothing. */
  public static final DependencyConstraints NONE =
      new DependencyConstraints(Optional.empty(), Optional.empty(), PartialMatchRule.SUBSET);

  /**
   * Checks that at most one of {@code declared} and {@code source} is given.
   *
   * @param declared the list, when known up front
   * @param source produces the list on a build machine
   * @param rule how stored layers qualify and rank
   * @throws IllegalArgumentException if both {@code declared} and {@code source} are present
   */
  public DependencyConstraints {
    checkNotNull(declared, "declared");
    checkNotNull(source, "source");
    checkNotNull(rule, "rule");
    checkArgument(
        declared.isEmpty() || source.isEmpty(), "give the constraints or their source, not both");
  }

  /**
   * The list {@code constraints}, matched by {@code rule}.
   *
   * @param constraints the app's exact dependency list
   * @param rule how stored layers qualify and rank
   * @return a value with the list declared and no source
   */
  public static DependencyConstraints of(Constraints constraints, PartialMatchRule rule) {
    return new DependencyConstraints(Optional.of(constraints), Optional.empty(), rule);
  }

  /**
   * The list {@code source} produces on a build machine, matched by {@code rule}.
   *
   * @param source produces the list once the toolchain is in place
   * @param rule how stored layers qualify and rank
   * @return a value with the source and no declared list
   */
  public static DependencyConstraints from(ConstraintsSource source, PartialMatchRule rule) {
    return new DependencyConstraints(Optional.empty(), Optional.of(source), rule);
  }
}
