package dev.halcyon.layer;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Which paths of a source tree are left out of its hash (see {@link TreeHashes}).
 *
 * <p>Two kinds of glob pattern:
 *
 * <ul>
 *   <li>A pattern without {@code /} is matched, like {@code find -name}, against the name of every
 *       component of a relative path: {@code .git}, {@code *.log} or {@code target} ignore such a
 *       file or directory at any depth, and everything under such a directory.
 *   <li>A pattern with {@code /} is matched against the whole relative path from the top of the
 *       tree, and ignores that path and everything under it: {@code build/tmp} and {@code
 *       build/tmp/**} both leave out the contents of {@code build/tmp}. A leading {@code /} or
 *       {@code ./} is dropped ({@code /target} means {@code target} at the top only).
 * </ul>
 *
 * <p>Glob syntax: {@code *} matches any characters except {@code /}, {@code ?} one such character,
 * {@code [abc]}, {@code [a-z]} and {@code [!a-z]} a character class, {@code **} any characters
 * including {@code /} (and {@code **}{@code /} zero or more whole directories), {@code \} quotes
 * the next character. A trailing {@code /} is dropped (there are no directory-only patterns). As
 * with {@code find -name}, {@code *} also matches names that start with a dot.
 *
 * <p>Relative paths are {@code /}-separated, without a leading {@code ./}. Immutable and
 * thread-safe; {@link #asFilter()} compiles the patterns once and is the fast way to test many
 * paths.
 *
 * @param patterns the glob patterns, in the order given (duplicates removed)
 */
public record IgnoreRules(List<String> patterns) {

  /**
   * The names every tree hash leaves out: version-control metadata ({@code .git}, {@code
   * .gitmodules}, {@code .hg}, {@code .svn}), a layer's own tag file ({@code .halcyon-tag}) and
   * macOS Finder litter ({@code .DS_Store}).
   */
  public static final IgnoreRules DEFAULT =
      of(".git", ".gitmodules", ".hg", ".svn", LayerTag.FILE_NAME, ".DS_Store");

  /** No pattern: nothing is ignored. */
  public static final IgnoreRules NONE = of();

  /** Where an app lists its extra patterns, relative to its source directory (as in Halcyon). */
  public static final String EXTRA_IGNORE_FILE = ".halcyon/extra-source-hash-ignore";

  /**
   * Checks every pattern and keeps the first occurrence of each, in order.
   *
   * @param patterns glob patterns as described above, in the order given
   * @throws IllegalArgumentException naming the pattern, if one is malformed (e.g. an unclosed
   *     {@code [})
   */
  public IgnoreRules {
    checkNotNull(patterns, "patterns");
    LinkedHashSet<String> unique = new LinkedHashSet<>();
    for (String pattern : patterns) {
      checkNotNull(pattern, "pattern");
      // Compiling here reports a bad pattern where it is written, not at first use.
      compile(pattern);
      unique.add(pattern);
    }
    patterns = List.copyOf(unique);
  }

  /**
   * Rules of the given patterns.
   *
   * @param patterns glob patterns as described above; none gives {@link #NONE}
   * @return the rules, duplicates removed
   */
  public static IgnoreRules of(String... patterns) {
    return new IgnoreRules(List.of(patterns));
  }

  /**
   * Parses the text of an ignore file such as {@value #EXTRA_IGNORE_FILE}: one pattern per line;
   * surrounding whitespace, blank lines and lines starting with {@code #} are skipped.
   *
   * @param fileText the whole text of the file, lines separated by {@code \n}; may be empty
   * @return the rules of the file's patterns, in file order; {@link #NONE}-equal if it lists none
   * @throws IllegalArgumentException naming the line, if a pattern is malformed
   */
  public static IgnoreRules parse(String fileText) {
    checkNotNull(fileText, "fileText");
    List<String> patterns = new ArrayList<>();
    String[] lines = fileText.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      try {
        compile(line);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("ignore line " + (i + 1) + ": " + e.getMessage(), e);
      }
      patterns.add(line);
    }
    return new IgnoreRules(patterns);
  }

  /**
   * These patterns followed by those of {@code more}.
   *
   * @param more the patterns to add after these
   * @return new rules holding both sets of patterns, duplicates removed; this one is unchanged
   */
  public IgnoreRules plus(IgnoreRules more) {
    checkNotNull(more, "more");
    List<String> all = new ArrayList<>(patterns);
    all.addAll(more.patterns);
    return new IgnoreRules(all);
  }

  /**
   * True if {@code relativePath} or one of its parent directories is ignored.
   *
   * @param relativePath a {@code /}-separated path relative to the top of the tree, without a
   *     leading {@code ./}
   * @return true if the path, or a directory above it, matches a pattern
   * @throws IllegalArgumentException if the path is empty or absolute
   */
  public boolean ignores(String relativePath) {
    return compiled().ignores(relativePath);
  }

  /**
   * A predicate that accepts the relative paths these rules do <em>not</em> ignore.
   *
   * @return a thread-safe predicate that is true for a relative path these rules keep and false for
   *     one they ignore
   */
  public Predicate<String> asFilter() {
    Compiled compiled = compiled();
    return path -> !compiled.ignores(path);
  }

  private Compiled compiled() {
    List<Pattern> names = new ArrayList<>();
    List<Pattern> paths = new ArrayList<>();
    for (String pattern : patterns) {
      Rule rule = compile(pattern);
      (rule.wholePath ? paths : names).add(rule.regex);
    }
    return new Compiled(List.copyOf(names), List.copyOf(paths));
  }

  private record Rule(Pattern regex, boolean wholePath) {}

  private record Compiled(List<Pattern> names, List<Pattern> paths) {
    boolean ignores(String relativePath) {
      checkNotNull(relativePath, "relativePath");
      checkArgument(
          !relativePath.isEmpty() && !relativePath.startsWith("/"),
          "not a relative path: '%s'",
          relativePath);
      String[] components = relativePath.split("/");
      StringBuilder prefix = new StringBuilder(relativePath.length());
      for (String component : components) {
        for (Pattern name : names) {
          if (name.matcher(component).matches()) {
            return true;
          }
        }
        if (prefix.length() > 0) {
          prefix.append('/');
        }
        prefix.append(component);
        for (Pattern path : paths) {
          if (path.matcher(prefix).matches()) {
            return true;
          }
        }
      }
      return false;
    }
  }

  private static Rule compile(String pattern) {
    String glob = pattern;
    while (glob.startsWith("./")) {
      glob = glob.substring(2);
    }
    boolean anchored = glob.startsWith("/");
    while (glob.startsWith("/")) {
      glob = glob.substring(1);
    }
    while (glob.endsWith("/")) {
      glob = glob.substring(0, glob.length() - 1);
    }
    checkArgument(
        !glob.isEmpty() && glob.indexOf('\n') < 0 && glob.indexOf('\r') < 0,
        "empty or multi-line ignore pattern '%s'",
        pattern);
    boolean wholePath = anchored || glob.indexOf('/') >= 0;
    return new Rule(Pattern.compile(globToRegex(glob, pattern)), wholePath);
  }

  private static String globToRegex(String glob, String pattern) {
    StringBuilder re = new StringBuilder();
    int n = glob.length();
    for (int i = 0; i < n; i++) {
      char c = glob.charAt(i);
      switch (c) {
        case '*':
          if (i + 1 < n && glob.charAt(i + 1) == '*') {
            i++;
            if (i + 1 < n && glob.charAt(i + 1) == '/') {
              i++;
              re.append("(?:.*/)?");
            } else {
              re.append(".*");
            }
          } else {
            re.append("[^/]*");
          }
          break;
        case '?':
          re.append("[^/]");
          break;
        case '[':
          i = appendClass(glob, i, re, pattern);
          break;
        case '\\':
          checkArgument(i + 1 < n, "ignore pattern '%s' ends with a lone backslash", pattern);
          i++;
          appendLiteral(glob.charAt(i), re);
          break;
        default:
          appendLiteral(c, re);
      }
    }
    return re.toString();
  }

  /** Appends the class starting at {@code open}; returns the index of its closing bracket. */
  private static int appendClass(String glob, int open, StringBuilder re, String pattern) {
    int i = open + 1;
    boolean negate = i < glob.length() && (glob.charAt(i) == '!' || glob.charAt(i) == '^');
    if (negate) {
      i++;
    }
    int first = i;
    // A ']' right after the opening bracket is a member, as in fnmatch.
    if (i < glob.length() && glob.charAt(i) == ']') {
      i++;
    }
    int close = glob.indexOf(']', i);
    checkArgument(close >= 0, "ignore pattern '%s' has an unclosed '['", pattern);
    re.append(negate ? "[^/" : "[");
    for (int j = first; j < close; j++) {
      char c = glob.charAt(j);
      boolean range = c == '-' && j > first && j + 1 < close;
      if (range || Character.isLetterOrDigit(c)) {
        re.append(c);
      } else {
        re.append('\\').append(c);
      }
    }
    re.append(']');
    return close;
  }

  private static void appendLiteral(char c, StringBuilder re) {
    if (Character.isLetterOrDigit(c) || c == '/') {
      re.append(c);
    } else {
      re.append(Pattern.quote(String.valueOf(c)));
    }
  }
}
