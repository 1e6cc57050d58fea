package dev.halcyon.cli;

import dev.halcyon.retention.Condemned;
import dev.halcyon.retention.GarbageCollector;
import dev.halcyon.retention.GcReport;
import dev.halcyon.store.LayerStore;
import java.io.PrintStream;
import java.util.Locale;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code halcyon gc [--dry-run]}: delete out-of-date archives from private storage. */
@Command(
    abbreviateSynopsis = true,
    name = "gc",
    description =
        "Delete out-of-date archives from private storage by the retention policy; --dry-run prints the plan only.")
final class GcCommand extends BaseCommand {
  @Option(
      names = {"-n", "--dry-run"},
      description = "Print what would be deleted, and why, and delete nothing.")
  boolean dryRun;

  @Option(
      names = "--prefix-filter",
      paramLabel = "KEY-PREFIX",
      description = "Only consider keys starting with this.")
  String keyPrefix = "";

  @ArgGroup(validate = false, order = STORAGE, heading = "%nStorage options:%n")
  SettingsOptions.PrivateStorage storage;

  @ArgGroup(validate = false, order = S3, heading = "%nS3 options:%n")
  SettingsOptions.S3Access s3;

  @ArgGroup(validate = false, order = RETENTION, heading = "%nRetention options:%n")
  SettingsOptions.Retention retention;

  @ArgGroup(validate = false, order = OUTPUT, heading = "%nOutput options:%n")
  SettingsOptions.JsonOutput output;

  @Override
  SettingsOptions.Group[] groups() {
    return new SettingsOptions.Group[] {storage, s3, retention};
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
      if (session.privateStore().isEmpty()) {
        throw new IllegalArgumentException(
            "gc needs private storage: set HALCYON_S3_BUCKET or HALCYON_STORAGE_DIR");
      }
      if (session.config.noDelete() && !dryRun) {
        throw new IllegalArgumentException(
            "HALCYON_NO_DELETE is set, so gc may not delete; use --dry-run to see the plan");
      }
      LayerStore store = session.privateStore().get();
      GcReport report =
          GarbageCollector.of(store, session.namer, Pruning.policy(session))
              .withPrefix(keyPrefix)
              .collect(dryRun);
      PrintStream out = human();
      for (Condemned c : report.plan().condemned()) {
        out.printf(
            Locale.ROOT,
            "%s %s  %9s  [%s] %s%n",
            dryRun ? "would delete" : "deleted",
            c.key(),
            RunLines.bytes(c.archive().size()),
            c.rule(),
            c.reason());
      }
      out.printf(
          Locale.ROOT,
          "# %s %d object(s), %s, from %s; %s %d incomplete upload(s) older than the grace period;"
              + " %d listed (%d unknown, untouched), %d requests (%d list, %d manifest reads, %d delete), %.2f s%n",
          dryRun ? "would delete" : "deleted",
          report.plan().condemned().size(),
          RunLines.bytes(report.bytesFreed()),
          store.describe(),
          dryRun ? "would abort" : "aborted",
          report.incompleteUploads(),
          report.objectsListed(),
          report.unknownObjects(),
          report.requests(),
          report.listCalls(),
          report.manifestReads(),
          report.deleteRequests(),
          report.elapsed().toMillis() / 1000.0);
      for (String warning : report.warnings()) {
        parent.err.println("   *** WARNING: " + warning);
      }
      if (!report.spared().isEmpty()) {
        out.println("# spared after a last re-check: " + String.join(", ", report.spared()));
      }
      if (json()) {
        JsonDocuments.print(parent.out, JsonDocuments.gc(store.describe(), report));
      }
      return HalcyonCommand.OK;
    }
  }
}
