package dev.halcyon.layer;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.Collections;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The exact dependency list of an app (name to version), the identity of its dependencies layer.
 *
 * <p>Text form, one entry per line: {@code <name> <version>}, separated by spaces or tabs. Lines
 * starting with {@code #} and blank lines are skipped. Names and versions are printable ASCII
 * without spaces (e.g. {@code org.slf4j:slf4j-api 2.0.16}); a name cannot start with {@code #}.
 * {@link #format()} writes the entries sorted by name, each line ending in a newline, and {@code
 * parse(c.format()).equals(c)} for every value.
 *
 * <p>{@link #bestPartialMatch} picks, like Halcyon's sandbox matching (spec §7.1), the largest
 * existing dependency set that a needed set can be built on. Immutable and thread-safe.
 *
 * @param versions version by dependency name, sorted by name
 */
public record Constraints(SortedMap<String, String> versions) {
  private static final Pattern TOKEN = Pattern.compile("[\\x21-\\x7e]+");
  private static final Pattern WHITESPACE = Pattern.compile("[ \\t]+");

  /** No dependencies. */
  public static final Constraints EMPTY = new Constraints(new TreeMap<>());

  /**
   * Checks every entry and keeps a sorted, unmodifiable copy.
   *
   * @param versions version by dependency name; names and versions are printable ASCII without
   *     spaces, and a name does not start with {@code #}
   * @throws IllegalArgumentException naming the entry, if a name or version is not in that form
   */
  public Constraints {
    checkNotNull(versions, "versions");
    TreeMap<String, String> copy = new TreeMap<>();
    versions.forEach(
        (name, version) -> {
          checkNotNull(name, "name");
          checkNotNull(version, "version of %s", name);
          checkArgument(
              TOKEN.matcher(name).matches() && !name.startsWith("#"),
              "bad dependency name '%s': use printable ASCII without spaces, not starting with '#'",
              name);
          checkArgument(
              TOKEN.matcher(version).matches(),
              "bad version '%s' of %s: use printable ASCII without spaces",
              version,
              name);
          copy.put(name, version);
        });
    versions = Collections.unmodifiableSortedMap(copy);
  }

  /**
   * The constraints of {@code versions} (copied).
   *
   * @param versions version by dependency name, in any map and order; entries are checked as by the
   *     constructor
   * @return the constraints, sorted by name; {@link #EMPTY}-equal for an empty map
   */
  public static Constraints of(Map<String, String> versions) {
    checkNotNull(versions, "versions");
    return new Constraints(new TreeMap<>(versions));
  }

  /**
   * Parses the text form (see the class comment). A name listed twice with the same version is
   * accepted once.
   *
   * @param text the text form, lines separated by {@code \n}; may be empty
   * @return the constraints listed, {@link #EMPTY}-equal if the text lists none
   * @throws IllegalArgumentException naming the line, if a line is not {@code name version} or a
   *     name is listed again with another version
   */
  public static Constraints parse(String text) {
    checkNotNull(text, "text");
    TreeMap<String, String> versions = new TreeMap<>();
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String[] parts = WHITESPACE.split(line);
      checkArgument(
          parts.length == 2, "constraints line %s is not 'name version': '%s'", i + 1, line);
      String previous = versions.putIfAbsent(parts[0], parts[1]);
      checkArgument(
          previous == null || previous.equals(parts[1]),
          "constraints line %s gives %s version %s, but an earlier line gives %s; keep one",
          i + 1,
          parts[0],
          parts[1],
          previous);
    }
    return new Constraints(versions);
  }

  /**
   * The text form: {@code name version} lines sorted by name, each ending in a newline.
   *
   * @return the text form, empty for no dependencies; {@link #parse} reads it back to an equal
   *     value
   */
  public String format() {
    StringBuilder out = new StringBuilder();
    versions.forEach((name, version) -> out.append(name).append(' ').append(version).append('\n'));
    return out.toString();
  }

  /**
   * The digest of {@link #format()}, the constraints hash of tags and names.
   *
   * @return the SHA-256 of the UTF-8 text form; equal constraints always give the same digest
   */
  public Digest digest() {
    return Digest.sha256(format());
  }

  /**
   * True if every entry here is in {@code other} with the same version.
   *
   * @param other the constraints to compare with
   * @return true if {@code other} holds every entry of this at the same version; always true for
   *     {@link #EMPTY}
   */
  public boolean isSubsetOf(Constraints other) {
    checkNotNull(other, "other");
    for (Map.Entry<String, String> entry : versions.entrySet()) {
      if (!entry.getValue().equals(other.versions.get(entry.getKey()))) {
        return false;
      }
    }
    return true;
  }

  /**
   * The number of dependencies.
   *
   * @return the number of dependencies, 0 for {@link #EMPTY}
   */
  public int size() {
    return versions.size();
  }

  /**
   * The candidate whose constraints are the largest non-empty subset of {@code needed} (every entry
   * present in {@code needed} with the same version), or empty if none is.
   *
   * <p>Ties go to the candidate whose {@link #format()} text sorts first, then to the key whose
   * {@code toString()} sorts first, so the answer does not depend on the map's iteration order.
   *
   * @param <T> the type of key the candidates are identified by, e.g. an archive key
   * @param needed the constraints the layer being built needs
   * @param candidates the constraints of each existing layer, by key; empty constraints never match
   * @return the key of the best candidate, or empty if no candidate is a non-empty subset of {@code
   *     needed}
   */
  public static <T> Optional<T> bestPartialMatch(
      Constraints needed, Map<T, Constraints> candidates) {
    checkNotNull(needed, "needed");
    checkNotNull(candidates, "candidates");
    Comparator<Map.Entry<T, Constraints>> better =
        Comparator.<Map.Entry<T, Constraints>>comparingInt(e -> e.getValue().size())
            .reversed()
            .thenComparing(e -> e.getValue().format())
            .thenComparing(e -> String.valueOf(e.getKey()));
    return candidates.entrySet().stream()
        .filter(e -> checkNotNull(e.getValue(), "constraints of %s", e.getKey()).size() > 0)
        .filter(e -> e.getValue().isSubsetOf(needed))
        .min(better)
        .map(Map.Entry::getKey);
  }
}
