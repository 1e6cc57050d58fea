package dev.halcyon.retention;

import dev.halcyon.manifest.ArchiveManifest;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A protection: never condemns an archive that a retained archive was built on, transitively. The
 * references come from the manifests beside each archive ({@link ArchiveManifest#builtOn()}): an
 * install archive kept by the rules keeps the dependencies, build and toolchain archives it lists,
 * a dependencies archive kept that way keeps its toolchain, and so on, with nothing but the bucket.
 *
 * <p>An archive without a manifest (written by the original Halcyon, or whose manifest is not yet
 * listed) protects nothing; uploaders should therefore write the manifest <em>before</em> the
 * archive (the orphaned manifest is protected by the grace period meanwhile). References to keys
 * the listing does not hold are ignored. Stateless and thread-safe.
 *
 * <p>{@link ArchiveManifest#extendedFrom()} is deliberately not a reference: an extended
 * dependencies archive is whole (restoring it never needs the one it was extended from), so that
 * one ages out under the rules like any other; a build that chose it for a partial match and finds
 * it gone moves on to the next candidate or builds from nothing.
 */
public record ReferenceProtection() implements RetentionPolicy, Proposer {
  /** The rule name in plans. */
  public static final String RULE = "references";

  /** The protection; it needs no clock. */
  public ReferenceProtection {}

  /** Nothing: alone, reference protection condemns only orphaned sidecars. */
  @Override
  public List<Condemned> propose(Listing listing) {
    return List.of();
  }

  @Override
  public RetentionPlan review(Listing listing, RetentionPlan proposed) {
    Set<String> condemned = Plans.condemnedArchiveKeys(proposed);
    Map<String, StoredArchive> archives = new HashMap<>();
    listing.archives().forEach(a -> archives.put(a.key(), a));
    Deque<StoredArchive> retained = new ArrayDeque<>();
    for (StoredArchive archive : listing.archives()) {
      if (!condemned.contains(archive.key())) {
        retained.add(archive);
      }
    }
    Map<String, String> keep = new LinkedHashMap<>();
    Set<String> visited = new HashSet<>();
    while (!retained.isEmpty()) {
      StoredArchive referrer = retained.poll();
      if (!visited.add(referrer.key())) {
        continue;
      }
      for (String reference : referrer.builtOn()) {
        StoredArchive target = archives.get(reference);
        if (target != null && condemned.contains(reference) && !keep.containsKey(reference)) {
          keep.put(reference, "built on by retained " + referrer.fileName());
          retained.add(target);
        }
      }
    }
    return proposed.protect(keep, RULE);
  }

  @Override
  public String toString() {
    return "references";
  }
}
