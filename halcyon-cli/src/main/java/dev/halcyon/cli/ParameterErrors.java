package dev.halcyon.cli;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The one line for a command line that does not parse: picocli's message, the closest command or
 * option when a word was mistyped, and where to read more. Stateless; thread-safe.
 */
final class ParameterErrors {
  private ParameterErrors() {}

  /** The line for {@code ex}, without the {@code halcyon: } prefix. */
  static String describe(ParameterException ex) {
    CommandLine where = ex.getCommandLine();
    boolean atRoot = where.getParent() == null;
    String message = ErrorLines.oneLine(ex.getMessage());
    if (ex instanceof UnmatchedArgumentException u) {
      List<String> unmatched = u.getUnmatched();
      if (atRoot && !u.isUnknownOption() && !unmatched.isEmpty()) {
        message = "unknown command '" + unmatched.get(0) + "'";
      }
      List<String> suggestions =
          closest(unmatched.isEmpty() ? "" : unmatched.get(0), u.getSuggestions());
      if (!suggestions.isEmpty()) {
        message +=
            "; did you mean "
                + String.join(
                    " or ", suggestions.stream().limit(3).map(s -> "'" + s + "'").toList())
                + "?";
      }
    }
    String help = atRoot ? "halcyon help" : "halcyon help " + where.getCommandName();
    return message + " (see '" + help + "')";
  }

  /** Of picocli's candidates (in no useful order), those nearest to {@code typed}. */
  static List<String> closest(String typed, List<String> candidates) {
    String word = typed.contains("=") ? typed.substring(0, typed.indexOf('=')) : typed;
    int best = Integer.MAX_VALUE;
    List<String> nearest = new ArrayList<>();
    for (String c : candidates) {
      int d = distance(word, c);
      if (d < best) {
        best = d;
        nearest.clear();
      }
      if (d == best) {
        nearest.add(c);
      }
    }
    return nearest;
  }

  /** The Levenshtein distance of {@code a} and {@code b}. */
  static int distance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitute = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitute, Math.min(previous[j], current[j - 1]) + 1);
      }
      int[] t = previous;
      previous = current;
      current = t;
    }
    return previous[b.length()];
  }
}
