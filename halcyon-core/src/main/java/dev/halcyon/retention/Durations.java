package dev.halcyon.retention;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as people write them in retention specs ({@code 30d}, {@code 2h}) and read them. */
final class Durations {
  static final String FORMS =
      "<n>w, <n>d, <n>h, <n>m or <n>s (e.g. 30d, 2h), 0, or ISO-8601 (PT90M)";
  private static final Pattern SHORT = Pattern.compile("(\\d{1,9})([wdhms])");

  private Durations() {}

  /** Parses {@code 30d}, {@code 2h}, {@code 0} or ISO-8601; empty-handed callers get an IAE. */
  static Duration parse(String text) {
    if (text.equals("0")) {
      return Duration.ZERO;
    }
    Matcher m = SHORT.matcher(text);
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      return switch (m.group(2)) {
        case "w" -> Duration.ofDays(7 * n);
        case "d" -> Duration.ofDays(n);
        case "h" -> Duration.ofHours(n);
        case "m" -> Duration.ofMinutes(n);
        default -> Duration.ofSeconds(n);
      };
    }
    if (text.startsWith("P") || text.startsWith("p")) {
      try {
        Duration d = Duration.parse(text);
        if (!d.isNegative()) {
          return d;
        }
      } catch (DateTimeParseException e) {
        // fall through to the message below
      }
    }
    throw new IllegalArgumentException("bad duration '" + text + "': expected " + FORMS);
  }

  /** The exact short form when there is one ({@code 30d}, {@code 90m}), else ISO-8601. */
  static String format(Duration d) {
    if (d.isZero()) {
      return "0";
    }
    long s = d.getSeconds();
    if (d.getNano() != 0 || s < 0) {
      return d.toString();
    }
    if (s % 86_400 == 0) {
      return s / 86_400 + "d";
    }
    if (s % 3_600 == 0) {
      return s / 3_600 + "h";
    }
    if (s % 60 == 0) {
      return s / 60 + "m";
    }
    return s + "s";
  }

  /** A rounded age for reasons: {@code 3d 4h}, {@code 2h 5m}, {@code 40s}. */
  static String approximate(Duration d) {
    if (d.isNegative()) {
      return "in the future (" + approximate(d.negated()) + " ahead)";
    }
    long s = d.toSeconds();
    long days = s / 86_400;
    long hours = (s % 86_400) / 3_600;
    long minutes = (s % 3_600) / 60;
    if (days > 0) {
      return hours > 0 ? days + "d " + hours + "h" : days + "d";
    }
    if (hours > 0) {
      return minutes > 0 ? hours + "h " + minutes + "m" : hours + "h";
    }
    if (minutes > 0) {
      return minutes + "m";
    }
    return s + "s";
  }
}
