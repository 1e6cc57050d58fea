package dev.halcyon.layer;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The identity record of one layer: every input that determines its content.
 *
 * <p>Two layers with equal tags are interchangeable. A tag is stored inside each archive (as
 * {@value #FILE_NAME}) and beside it in the store, so a restored layer is validated before use and
 * a person can see why two machines disagree ({@link #differences}).
 *
 * <p>The text form ({@link #format()}) is a versioned list of {@code key=value} lines in a fixed
 * order; {@code parse(format(t)).equals(t)} for every tag.
 *
 * <p>An input whose value is the empty string is the same as an absent input (as in the original
 * Halcyon, where an absent magic hash is the empty string): the constructor drops it, so {@link
 * #equals} and {@link #differences} agree. Tags are immutable and thread-safe.
 *
 * @param kind which layer this is
 * @param platform where it was made, e.g. {@code linux-debian-12-x86_64}
 * @param toolchain the toolchain id, e.g. {@code jdk-17.0.15}; for a toolchain layer its own id
 * @param label the app label {@code name-version}; empty for a toolchain layer
 * @param inputs the other identity inputs by name (see the constants), sorted by name; inputs with
 *     an empty value are dropped
 */
public record LayerTag(
    LayerKind kind, String platform, String toolchain, String label, Map<String, String> inputs) {

  /** Name of the tag file inside a layer directory and archive. */
  public static final String FILE_NAME = ".halcyon-tag";

  /** Version of the text format written by {@link #format()}. */
  public static final int FORMAT_VERSION = 1;

  /** Input: digest of the whole source tree (build and install layers). */
  public static final String SOURCE_HASH = "source-hash";

  /** Input: digest of the exact dependency list (dependencies and build layers). */
  public static final String CONSTRAINTS_HASH = "constraints-hash";

  /** Input: digest of the hooks that build this layer. */
  public static final String MAGIC_HASH = "magic-hash";

  /** Input: the install prefix (install layer). */
  public static final String PREFIX = "prefix";

  /**
   * Input: an extra part of a toolchain archive's name, such as a package-index snapshot ({@code
   * hackage-2015-01-15}); it becomes {@code ArchiveName.qualifier()}.
   */
  public static final String QUALIFIER = "qualifier";

  private static final String HEADER = "halcyon-tag=" + FORMAT_VERSION;
  private static final Pattern INPUT_NAME = Pattern.compile("[a-z0-9][a-z0-9.-]*");
  private static final String INPUT_KEY_PREFIX = "input.";
  private static final Set<String> FIELDS = Set.of("kind", "platform", "toolchain", "label");

  /**
   * Checks the fields and keeps the non-empty inputs, sorted by name, in an unmodifiable copy.
   *
   * @param kind which layer this is
   * @param platform where it was made; not empty, one line
   * @param toolchain the toolchain id; not empty, one line
   * @param label the app label; one line, not empty unless {@code kind} is {@link
   *     LayerKind#TOOLCHAIN}
   * @param inputs the other identity inputs; names match {@code [a-z0-9][a-z0-9.-]*}, values are
   *     one line, and an empty value is dropped
   * @throws IllegalArgumentException naming the field, if a value is missing, has a line break or
   *     an input name is malformed
   */
  public LayerTag {
    checkNotNull(kind, "kind");
    checkValue("platform", platform);
    checkValue("toolchain", toolchain);
    checkValue("label", label);
    checkArgument(!platform.isEmpty(), "a tag needs a platform");
    checkArgument(!toolchain.isEmpty(), "a tag needs a toolchain id");
    checkArgument(
        kind == LayerKind.TOOLCHAIN || !label.isEmpty(), "a %s layer needs a label", kind.id());
    checkNotNull(inputs, "inputs");
    TreeMap<String, String> sorted = new TreeMap<>();
    inputs.forEach(
        (name, value) -> {
          checkArgument(
              INPUT_NAME.matcher(name).matches(), "bad input name '%s': use [a-z0-9.-]", name);
          checkValue(name, value);
          // Empty means absent (see the class comment); keeping it would make equals() disagree
          // with differences() and input().
          if (!value.isEmpty()) {
            sorted.put(name, value);
          }
        });
    inputs = Collections.unmodifiableMap(sorted);
  }

  // equals and hashCode are written out, with the meaning a record's have, because the record's
  // own are bootstrapped through java.lang.runtime.ObjectMethods on first use: method-handle
  // spinning that cost a run with nothing to do (it compares the installed tag) tens of ms.
  @Override
  public boolean equals(Object o) {
    return o == this
        || (o instanceof LayerTag t
            && kind == t.kind
            && platform.equals(t.platform)
            && toolchain.equals(t.toolchain)
            && label.equals(t.label)
            && inputs.equals(t.inputs));
  }

  @Override
  public int hashCode() {
    int h = kind.hashCode();
    h = 31 * h + platform.hashCode();
    h = 31 * h + toolchain.hashCode();
    h = 31 * h + label.hashCode();
    return 31 * h + inputs.hashCode();
  }

  /**
   * A tag with no inputs besides kind, platform, toolchain and label.
   *
   * @param kind which layer this is
   * @param platform where it was made; not empty
   * @param toolchain the toolchain id; not empty
   * @param label the app label, empty only for a toolchain layer
   * @return the tag, without inputs (add them with {@link #with})
   */
  public static LayerTag of(LayerKind kind, String platform, String toolchain, String label) {
    return new LayerTag(kind, platform, toolchain, label, Map.of());
  }

  /**
   * This tag with one more input (or a changed one; an empty value removes the input).
   *
   * @param name the input's name, e.g. {@link #SOURCE_HASH}; {@code [a-z0-9][a-z0-9.-]*}
   * @param value the input's value, one line; empty removes the input
   * @return a new tag; this one is unchanged
   */
  public LayerTag with(String name, String value) {
    TreeMap<String, String> more = new TreeMap<>(inputs);
    more.put(name, value);
    return new LayerTag(kind, platform, toolchain, label, more);
  }

  /**
   * The value of input {@code name}, or the empty string when absent.
   *
   * @param name the input's name, e.g. {@link #SOURCE_HASH}
   * @return the input's value, never null; empty when the tag has no such input
   */
  public String input(String name) {
    return inputs.getOrDefault(name, "");
  }

  /**
   * The text form: one {@code key=value} per line, header first, inputs sorted.
   *
   * @return the text form, ending in a newline; {@link #parse} reads it back to an equal tag
   */
  public String format() {
    StringBuilder out = new StringBuilder();
    out.append(HEADER).append('\n');
    out.append("kind=").append(kind.id()).append('\n');
    out.append("platform=").append(platform).append('\n');
    out.append("toolchain=").append(toolchain).append('\n');
    out.append("label=").append(label).append('\n');
    inputs.forEach(
        (name, value) ->
            out.append(INPUT_KEY_PREFIX).append(name).append('=').append(value).append('\n'));
    return out.toString();
  }

  /**
   * Parses the text written by {@link #format()}.
   *
   * <p>Blank lines and a trailing {@code \r} on each line are tolerated; an unknown key is an
   * error, because silently dropping it could let two different identities compare equal.
   *
   * @param text the tag's text form, e.g. a {@value #FILE_NAME} file's content
   * @return the tag
   * @throws IllegalArgumentException if the text is not a tag of a known format version, saying
   *     which line is wrong
   */
  public static LayerTag parse(String text) {
    checkNotNull(text, "text");
    String[] lines = text.split("\n", -1);
    checkArgument(
        lines.length > 0 && lines[0].strip().equals(HEADER),
        "not a halcyon tag of format %s (first line must be '%s')",
        FORMAT_VERSION,
        HEADER);
    Map<String, String> fields = new TreeMap<>();
    TreeMap<String, String> inputs = new TreeMap<>();
    for (int i = 1; i < lines.length; i++) {
      String line =
          lines[i].endsWith("\r") ? lines[i].substring(0, lines[i].length() - 1) : lines[i];
      if (line.isEmpty()) {
        continue;
      }
      int eq = line.indexOf('=');
      checkArgument(eq > 0, "tag line %s is not key=value: '%s'", i + 1, line);
      String key = line.substring(0, eq);
      String value = line.substring(eq + 1);
      boolean input = key.startsWith(INPUT_KEY_PREFIX);
      checkArgument(
          input || FIELDS.contains(key),
          "tag line %s has unknown key '%s': expected kind, platform, toolchain, label or input.*",
          i + 1,
          key);
      Map<String, String> into = input ? inputs : fields;
      String name = input ? key.substring(INPUT_KEY_PREFIX.length()) : key;
      checkArgument(into.put(name, value) == null, "tag line %s repeats '%s'", i + 1, key);
    }
    for (String required : List.of("kind", "platform", "toolchain", "label")) {
      checkArgument(fields.containsKey(required), "tag has no '%s' line", required);
    }
    return new LayerTag(
        LayerKind.parse(fields.get("kind")),
        fields.get("platform"),
        fields.get("toolchain"),
        fields.get("label"),
        inputs);
  }

  /**
   * The digest of {@link #format()}: one value that changes whenever any input changes.
   *
   * @return the SHA-256 of the text form; equal tags have equal digests
   */
  public Digest digest() {
    return Digest.sha256(format());
  }

  /**
   * What differs between this tag (the one needed) and {@code other} (the one found), one entry per
   * field as {@code "field: needed X, found Y"}; empty when equal.
   *
   * @param other the tag found, e.g. in a store or in an installed directory
   * @return one line per differing field, in the order of the text form (kind, platform, toolchain,
   *     label, then inputs by name); empty if the tags are equal
   */
  public List<String> differences(LayerTag other) {
    checkNotNull(other, "other");
    List<String> out = new ArrayList<>();
    compare(out, "kind", kind.id(), other.kind.id());
    compare(out, "platform", platform, other.platform);
    compare(out, "toolchain", toolchain, other.toolchain);
    compare(out, "label", label, other.label);
    TreeMap<String, String> names = new TreeMap<>(inputs);
    other.inputs.forEach(names::putIfAbsent);
    for (String name : names.keySet()) {
      compare(out, name, input(name), other.input(name));
    }
    return out;
  }

  private static void compare(List<String> out, String field, String needed, String found) {
    if (!needed.equals(found)) {
      out.add(field + ": needed '" + needed + "', found '" + found + "'");
    }
  }

  private static void checkValue(String name, String value) {
    checkNotNull(value, name);
    checkArgument(
        value.indexOf('\n') < 0 && value.indexOf('\r') < 0,
        "tag field '%s' must be one line",
        name);
  }
}
