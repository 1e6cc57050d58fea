package dev.halcyon.archive;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * zstd skippable frames (RFC 8878 §3.1.2): a 4-byte little-endian magic in 0x184D2A50–0x184D2A5F, a
 * 4-byte little-endian length, then that many bytes every zstd decoder skips.
 */
final class SkippableFrames {
  /** The magic of the frame holding the table of contents. */
  static final int TOC_MAGIC = 0x184D2A50;

  /** The magic of the frame holding the footer. */
  static final int FOOTER_MAGIC = 0x184D2A51;

  static final int HEADER_SIZE = 8;

  private SkippableFrames() {}

  /** {@code payload} in a skippable frame with {@code magic}. */
  static byte[] wrap(int magic, byte[] payload) {
    return ByteBuffer.allocate(HEADER_SIZE + payload.length)
        .order(ByteOrder.LITTLE_ENDIAN)
        .putInt(magic)
        .putInt(payload.length)
        .put(payload)
        .array();
  }

  /**
   * Checks that {@code frame} is exactly one skippable frame with {@code magic}.
   *
   * @return why not, or null if it is
   */
  static String problem(byte[] frame, int magic) {
    if (frame.length < HEADER_SIZE) {
      return "it is " + frame.length + " bytes, shorter than a skippable frame header";
    }
    ByteBuffer b = ByteBuffer.wrap(frame).order(ByteOrder.LITTLE_ENDIAN);
    int found = b.getInt(0);
    if (found != magic) {
      return String.format(
          "it starts with 0x%08X, not the skippable frame magic 0x%08X", found, magic);
    }
    long length = Integer.toUnsignedLong(b.getInt(4));
    if (length != frame.length - HEADER_SIZE) {
      return "its frame header gives "
          + length
          + " bytes of payload, but "
          + (frame.length - HEADER_SIZE)
          + " follow";
    }
    return null;
  }
}
