package dev.halcyon.archive;

import java.io.IOException;

/**
 * An archive entry that extraction refuses: it would land outside the target directory, write
 * through a symlink, create a device file or FIFO, carry setuid/setgid bits, or is otherwise
 * invalid. The message names the entry and the rule it breaks. When this is thrown the target
 * directory is exactly as it was before the extraction started.
 */
public class UnsafeArchiveException extends IOException {
  private static final long serialVersionUID = 1L;

  /**
   * An exception whose one-line {@code message} names the entry and the rule.
   *
   * @param message one line naming the member's path and the rule it breaks
   */
  public UnsafeArchiveException(String message) {
    super(message);
  }
}
