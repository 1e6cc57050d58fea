package dev.halcyon.retention;

import static com.google.common.base.Preconditions.checkNotNull;

/**
 * One object a rule wanted to delete but a protection kept, and why (so {@code gc --dry-run} can
 * show what was spared). Immutable.
 *
 * @param archive the archive or sidecar kept
 * @param rule the name of the protection, e.g. {@code references}, {@code grace}, {@code sidecar}
 * @param reason one line a person reads, e.g. {@code built on by retained
 *     halcyon-install-b90bb47-app-1.0.tar.zst}
 */
public record Protected(StoredArchive archive, String rule, String reason) {
  /**
   * Checks the fields.
   *
   * @param archive the archive or sidecar kept
   * @param rule one line, not blank
   * @param reason one line, not blank
   * @throws IllegalArgumentException if {@code rule} or {@code reason} is blank or has a line break
   */
  public Protected {
    checkNotNull(archive, "archive");
    Condemned.checkText("rule", rule);
    Condemned.checkText("reason", reason);
  }

  /**
   * The key of the kept object.
   *
   * @return the store key of the object kept
   */
  public String key() {
    return archive.key();
  }
}
