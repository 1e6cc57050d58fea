package dev.halcyon.retention;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

/**
 * One object a plan deletes, and why. Immutable.
 *
 * @param archive the archive or sidecar to delete
 * @param rule the name of the rule that condemns it, e.g. {@code halcyon}, {@code keep-newest},
 *     {@code max-age}, {@code sidecar}, {@code orphan}
 * @param reason one line a person reads, e.g. {@code superseded by halcyon-install-b90bb47-app-1.0
 *     .tar.gz (newer, same label and toolchain)}
 */
public record Condemned(StoredArchive archive, String rule, String reason) {
  /**
   * Checks the fields.
   *
   * @param archive the archive or sidecar to delete
   * @param rule one line, not blank
   * @param reason one line, not blank
   * @throws IllegalArgumentException if {@code rule} or {@code reason} is blank or has a line break
   */
  public Condemned {
    checkNotNull(archive, "archive");
    checkText("rule", rule);
    checkText("reason", reason);
  }

  /**
   * The key of the condemned object.
   *
   * @return the store key of the object to delete
   */
  public String key() {
    return archive.key();
  }

  static void checkText(String what, String text) {
    checkNotNull(text, what);
    checkArgument(!text.isBlank(), "%s must not be blank", what);
    checkArgument(text.indexOf('\n') < 0, "%s must be one line: '%s'", what, text);
  }
}
