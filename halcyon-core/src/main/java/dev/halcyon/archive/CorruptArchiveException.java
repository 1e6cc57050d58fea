package dev.halcyon.archive;

import java.io.IOException;

/**
 * The compressed stream or the tar inside it could not be read: it is corrupt, truncated, or not in
 * the format its name says. Fetching the archive again may help; the target directory is left as it
 * was. The cause is the decoder's own exception.
 */
public class CorruptArchiveException extends IOException {
  private static final long serialVersionUID = 1L;

  /**
   * An exception with a one-line {@code message} and the decoder's {@code cause}.
   *
   * @param message one line saying what is corrupt and where (the offset or member)
   * @param cause the decoder's exception, or null when the check was ours
   */
  public CorruptArchiveException(String message, Throwable cause) {
    super(message, cause);
  }
}
