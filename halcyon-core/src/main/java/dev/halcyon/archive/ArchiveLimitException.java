package dev.halcyon.archive;

/**
 * An archive that exceeds one of the {@link ExtractLimits} (entry count, total content bytes, or
 * the bytes of one entry). The message names the limit and its value, e.g. {@code "more than
 * 1000000 entries (ExtractLimits.maxEntries)"}. The target directory is left as it was.
 */
public class ArchiveLimitException extends UnsafeArchiveException {
  private static final long serialVersionUID = 1L;

  /**
   * An exception whose one-line {@code message} names the limit and its value.
   *
   * @param message one line naming the limit, its value and the member or total that exceeded it
   */
  public ArchiveLimitException(String message) {
    super(message);
  }
}
