package dev.halcyon.cli;

import dev.halcyon.engine.Engine;
import dev.halcyon.retention.GarbageCollector;
import dev.halcyon.retention.GcReport;
import dev.halcyon.retention.RetentionPolicies;
import dev.halcyon.retention.RetentionPolicy;
import java.time.Clock;
import java.util.Locale;

/** The configured retention policy, and the pruning a build machine does after uploading. */
final class Pruning {
  private Pruning() {}

  static RetentionPolicy policy(Session session) {
    try {
      return RetentionPolicies.parse(session.config.retention(), Clock.systemUTC());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "HALCYON_RETENTION: " + e.getMessage() + " (option --retention)", e);
    }
  }

  /**
   * Prunes the folder of the app's toolchain (its dependencies, build and install archives) after
   * an upload, as the original did after each upload; a whole-bucket collection is {@code gc}'s
   * job.
   */
  static Engine.Pruner pruner(Session session) {
    RetentionPolicy policy = policy(session);
    return (store, recipe) -> {
      var tag = recipe.install().tag();
      GcReport report =
          GarbageCollector.of(store, session.namer, policy)
              .withPrefix(session.namer.toolchainPrefix(tag.platform(), tag.toolchain()))
              .collect(false);
      return String.format(
          Locale.ROOT,
          "pruned %d out-of-date archive(s) and sidecar(s), %s, from %s",
          report.plan().condemned().size(),
          ConsoleListener.bytes(report.bytesFreed()),
          store.describe());
    };
  }
}
