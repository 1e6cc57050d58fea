package dev.halcyon.cli;

import dev.halcyon.retention.Listing;
import dev.halcyon.retention.Listings;
import dev.halcyon.retention.StoredArchive;
import dev.halcyon.store.LayerStore;
import dev.halcyon.store.ObjectInfo;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code halcyon ls}: what private storage (or the cache) holds. */
@Command(
    abbreviateSynopsis = true,
    name = "ls",
    description =
        "List the archives in private storage (else the local cache): kind, label, hash, size, age and what references them.")
final class LsCommand extends BaseCommand {
  @Option(
      names = "--prefix-filter",
      paramLabel = "KEY-PREFIX",
      description = "Only keys starting with this, e.g. linux-debian-12-x86_64/jdk-17/.")
  String keyPrefix = "";

  @Option(names = "--local", description = "List the local cache instead of private storage.")
  boolean cacheOnly;

  @ArgGroup(validate = false, order = STORAGE, heading = "%nStorage options:%n")
  SettingsOptions.PrivateStorage storage;

  @ArgGroup(validate = false, order = S3, heading = "%nS3 options:%n")
  SettingsOptions.S3Access s3;

  @ArgGroup(validate = false, order = OUTPUT, heading = "%nOutput options:%n")
  SettingsOptions.JsonOutput output;

  @Override
  SettingsOptions.Group[] groups() {
    return new SettingsOptions.Group[] {storage, s3};
  }

  @Override
  boolean verbose() {
    return output != null && output.verbose;
  }

  @Override
  boolean json() {
    return output != null && output.json;
  }

  @Override
  public Integer call() throws Exception {
    try (Session session = session()) {
      LayerStore store = cacheOnly ? session.cache() : session.inspected();
      Listing listing = Listings.read(store, session.namer, keyPrefix);
      Map<String, TreeSet<String>> referencedBy = new HashMap<>();
      for (StoredArchive a : listing.archives()) {
        for (String ref : a.builtOn()) {
          referencedBy.computeIfAbsent(ref, k -> new TreeSet<>()).add(a.fileName());
        }
      }
      Instant now = Instant.now();
      PrintStream out = human();
      out.println("# " + store.describe());
      out.printf(
          Locale.ROOT,
          "%-12s %-28s %-16s %9s %8s  %s%n",
          "KIND",
          "LABEL",
          "HASH",
          "SIZE",
          "AGE",
          "KEY");
      for (StoredArchive a : listing.archives()) {
        out.printf(
            Locale.ROOT,
            "%-12s %-28s %-16s %9s %8s  %s%s%n",
            a.name().kind().id(),
            a.name().label().isEmpty() ? a.name().toolchain() : a.name().label(),
            a.name().hash().isEmpty() ? "-" : a.name().hash(),
            RunLines.bytes(a.size()),
            age(Duration.between(a.lastModified(), now)),
            a.key(),
            referencedBy.containsKey(a.key())
                ? "  (used by " + String.join(", ", referencedBy.get(a.key())) + ")"
                : "");
      }
      List<ObjectInfo> unknown = listing.unknown();
      if (!unknown.isEmpty()) {
        out.println("# " + unknown.size() + " other object(s), never touched by gc:");
        unknown.forEach(u -> out.println("  " + u.key()));
      }
      out.printf(
          Locale.ROOT,
          "# %d archive(s), %s%n",
          listing.archives().size(),
          RunLines.bytes(listing.totalBytes()));
      if (json()) {
        JsonDocuments.print(
            parent.out, JsonDocuments.listing(store.describe(), listing, referencedBy));
      }
      return HalcyonCommand.OK;
    }
  }

  static String age(Duration d) {
    if (d.isNegative() || d.toMinutes() < 1) {
      return d.toSeconds() <= 0 ? "0s" : d.toSeconds() + "s";
    }
    if (d.toHours() < 1) {
      return d.toMinutes() + "m";
    }
    if (d.toDays() < 2) {
      return d.toHours() + "h";
    }
    return d.toDays() + "d";
  }
}
