package dev.halcyon.cli;

import dev.halcyon.engine.Engine;
import dev.halcyon.retention.RetentionPolicy;

/**
 * The configured retention policy, and the pruning a build machine does after uploading: both from
 * the public {@code Setup}.
 */
final class Pruning {
  private Pruning() {}

  static RetentionPolicy policy(Session session) {
    return session.setup.retentionPolicy();
  }

  /** Prunes the folder of the app's toolchain after an upload; see {@code Setup.pruner}. */
  static Engine.Pruner pruner(Session session) {
    return session.setup.pruner();
  }
}
