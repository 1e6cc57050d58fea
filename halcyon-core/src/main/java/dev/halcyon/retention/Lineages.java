package dev.halcyon.retention;

import dev.halcyon.layer.LayerKind;
import dev.halcyon.naming.ArchiveName;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Grouping and ordering of archives shared by the rules. */
final class Lineages {
  /** Newest first: later {@code lastModified}, ties broken by the greater key. */
  static final Comparator<StoredArchive> NEWEST_FIRST =
      Comparator.comparing(StoredArchive::lastModified)
          .thenComparing(StoredArchive::key)
          .reversed();

  private static final Pattern DATED = Pattern.compile("(?:(.*)-)?(\\d{4}-\\d{2}-\\d{2})");

  private Lineages() {}

  /** The archives of {@code listing} grouped by {@code key} (skipping those it maps to empty). */
  static <K> Map<K, List<StoredArchive>> group(
      Listing listing, Function<StoredArchive, Optional<K>> key) {
    Map<K, List<StoredArchive>> groups = new LinkedHashMap<>();
    for (StoredArchive archive : listing.archives()) {
      key.apply(archive)
          .ifPresent(k -> groups.computeIfAbsent(k, x -> new ArrayList<>()).add(archive));
    }
    groups.values().forEach(g -> g.sort(NEWEST_FIRST));
    return groups;
  }

  /** The snapshot date of a qualifier such as {@code hackage-2015-01-15}, if it ends in one. */
  static Optional<String> snapshotDate(String qualifier) {
    Matcher m = DATED.matcher(qualifier);
    return m.matches() ? Optional.of(m.group(2)) : Optional.empty();
  }

  /** The qualifier without a trailing snapshot date: the repository a dated snapshot is of. */
  static String undated(String qualifier) {
    Matcher m = DATED.matcher(qualifier);
    return m.matches() ? (m.group(1) == null ? "" : m.group(1)) : qualifier;
  }

  /**
   * Where an archive lives and what it is for: its generations differ only in hash (install,
   * dependencies, build) or snapshot date. A toolchain's hash names its hooks, so it stays part of
   * the lineage.
   */
  record Lineage(
      LayerKind kind,
      String platform,
      String toolchain,
      String label,
      String hooks,
      String series) {
    static Lineage of(ArchiveName name) {
      return new Lineage(
          name.kind(),
          name.platform(),
          name.toolchain(),
          name.label(),
          name.kind() == LayerKind.TOOLCHAIN ? name.hash() : "",
          undated(name.qualifier()));
    }

    String describe() {
      StringBuilder out = new StringBuilder(kind.id());
      if (!label.isEmpty()) {
        out.append(' ').append(label);
      }
      out.append(" on ").append(platform).append('/').append(toolchain);
      if (!hooks.isEmpty()) {
        out.append('.').append(hooks);
      }
      if (!series.isEmpty()) {
        out.append(" (").append(series).append(')');
      }
      return out.toString();
    }
  }
}
