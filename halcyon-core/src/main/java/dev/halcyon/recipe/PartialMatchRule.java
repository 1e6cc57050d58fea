package dev.halcyon.recipe;

/**
 * Which stored dependencies layers a build machine may extend when the exact one is in no store,
 * and how they rank. Chosen by the recipe ({@code .halcyon/dependencies-match}); the engine applies
 * it.
 */
public enum PartialMatchRule {
  /**
   * The original Halcyon's rule (spec §7.1): a candidate qualifies only if every one of its
   * constraints is needed at the same version; the largest such set wins, ties to the newest.
   */
  SUBSET,
  /**
   * For ecosystems where extra entries are harmless (a Maven local repository may hold more than a
   * build needs): the candidate sharing most needed entries wins, whatever else it holds; ties to
   * the newest.
   */
  SUPERSET;

  /**
   * The rule named {@code subset} or {@code superset}, as written in the magic file.
   *
   * @param text {@code subset} or {@code superset}, surrounding blanks ignored; case matters
   * @return the rule
   * @throws IllegalArgumentException if {@code text} is neither word, naming both
   */
  public static PartialMatchRule parse(String text) {
    return switch (text.strip()) {
      case "subset" -> SUBSET;
      case "superset" -> SUPERSET;
      default ->
          throw new IllegalArgumentException(
              "unknown partial-match rule '" + text.strip() + "': write subset or superset");
    };
  }

  /**
   * The magic file's word for this rule.
   *
   * @return {@code subset} or {@code superset}
   */
  public String id() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
