package dev.halcyon.archive;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.halcyon.layer.Digest;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The fixed-size footer that ends every zstd archive with a table of contents: the last {@link
 * #SIZE} bytes of the archive, a zstd skippable frame that standard decoders ignore. One ranged
 * read of the archive's tail finds it, and it says where the table of contents is ({@link
 * ArchiveToc#parse} reads and checks that).
 *
 * <p>Layout (all integers little-endian): bytes 0–3 the skippable frame magic {@code 0x184D2A51},
 * 4–7 the frame's payload length (56), 8–11 the format version ({@value #FORMAT_VERSION}), 12–15
 * the TOC frame's length, 16–23 the TOC frame's offset in the archive, 24–55 the SHA-256 of the TOC
 * frame's bytes, 56–63 the ASCII magic {@code HALCYTOC}. See {@code docs/archive-format.md}.
 *
 * @param tocOffset where the TOC frame starts in the archive
 * @param tocLength the TOC frame's length in bytes (its skippable frame header included)
 * @param tocDigest SHA-256 of the TOC frame's bytes, {@code [tocOffset, tocOffset + tocLength)}
 */
public record TocFooter(long tocOffset, long tocLength, Digest tocDigest) {
  /** The footer's length: the last this many bytes of an archive with a table of contents. */
  public static final int SIZE = 64;

  /** The footer format this version writes and reads. */
  public static final int FORMAT_VERSION = 1;

  /** The largest TOC frame a footer may point to (also the skippable frame limit of 4 GiB). */
  static final long MAX_TOC_LENGTH = 1L << 30;

  private static final byte[] MAGIC = "HALCYTOC".getBytes(StandardCharsets.US_ASCII);

  /**
   * Checks the fields' ranges.
   *
   * @param tocOffset not negative
   * @param tocLength larger than a skippable frame header and at most 1 GiB
   * @param tocDigest SHA-256 of the TOC frame's bytes
   * @throws IllegalArgumentException if a field is out of range
   */
  public TocFooter {
    checkArgument(tocOffset >= 0, "tocOffset must not be negative: %s", tocOffset);
    checkArgument(
        tocLength > SkippableFrames.HEADER_SIZE && tocLength <= MAX_TOC_LENGTH,
        "tocLength must be in (%s, %s]: %s",
        SkippableFrames.HEADER_SIZE,
        MAX_TOC_LENGTH,
        tocLength);
    checkArgument(
        tocOffset <= Long.MAX_VALUE - tocLength - SIZE, "tocOffset is too large: %s", tocOffset);
    checkNotNull(tocDigest, "tocDigest");
  }

  /**
   * Whether {@code tail} (the last bytes of an archive, at least {@link #SIZE} of them) ends in a
   * footer of this format family: the footer's skippable frame header and magic are there. False
   * for archives without a table of contents (older archives, other writers), which are restored by
   * a full download. A true answer says nothing about the footer's soundness: {@link #parse}.
   *
   * @param tail the last bytes of an archive; fewer than {@link #SIZE} gives false
   * @return true if the footer's frame header and magic are there
   */
  public static boolean present(byte[] tail) {
    checkNotNull(tail, "tail");
    if (tail.length < SIZE) {
      return false;
    }
    ByteBuffer b = ByteBuffer.wrap(tail, tail.length - SIZE, SIZE).order(ByteOrder.LITTLE_ENDIAN);
    int start = tail.length - SIZE;
    return b.getInt(start) == SkippableFrames.FOOTER_MAGIC
        && b.getInt(start + 4) == SIZE - SkippableFrames.HEADER_SIZE
        && Arrays.equals(tail, tail.length - MAGIC.length, tail.length, MAGIC, 0, MAGIC.length);
  }

  /**
   * Parses the footer at the end of {@code tail} (the last {@link #SIZE} bytes of an archive, or
   * more: only the last {@link #SIZE} are read, so a caller may pass a larger suffix it read
   * anyway).
   *
   * @param tail the last bytes of an archive, at least {@link #SIZE}
   * @return the footer
   * @throws CorruptArchiveException if there is no footer, its version is not {@value
   *     #FORMAT_VERSION}, or its fields are out of range; the message says which
   */
  public static TocFooter parse(byte[] tail) throws CorruptArchiveException {
    checkNotNull(tail, "tail");
    if (tail.length < SIZE) {
      throw corrupt(
          "the archive's last " + tail.length + " bytes are shorter than a footer (" + SIZE + ")");
    }
    if (!present(tail)) {
      throw corrupt(
          "the archive does not end in a halcyon table-of-contents footer (wrong magic); it has no"
              + " table of contents");
    }
    ByteBuffer b = ByteBuffer.wrap(tail).order(ByteOrder.LITTLE_ENDIAN);
    int start = tail.length - SIZE;
    int version = b.getInt(start + 8);
    if (version != FORMAT_VERSION) {
      throw corrupt(
          "the table-of-contents footer has format version "
              + Integer.toUnsignedString(version)
              + ", but this halcyon reads version "
              + FORMAT_VERSION);
    }
    long length = Integer.toUnsignedLong(b.getInt(start + 12));
    long offset = b.getLong(start + 16);
    byte[] sha = Arrays.copyOfRange(tail, start + 24, start + 56);
    try {
      return new TocFooter(offset, length, Digest.of(sha));
    } catch (IllegalArgumentException e) {
      throw corrupt("the table-of-contents footer is out of range: " + e.getMessage());
    }
  }

  /**
   * The footer's {@link #SIZE} bytes.
   *
   * @return a new array of {@link #SIZE} bytes, what {@link #parse} reads back
   */
  public byte[] format() {
    ByteBuffer b = ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(SkippableFrames.FOOTER_MAGIC);
    b.putInt(SIZE - SkippableFrames.HEADER_SIZE);
    b.putInt(FORMAT_VERSION);
    b.putInt((int) tocLength);
    b.putLong(tocOffset);
    b.put(HexFormat.of().parseHex(tocDigest.hex()));
    b.put(MAGIC);
    return b.array();
  }

  /**
   * The length of the archive this footer ends, {@code tocOffset + tocLength + SIZE}: the TOC frame
   * directly precedes the footer. A reader compares it with the stored object's size.
   *
   * @return the archive's total length in bytes
   */
  public long archiveSize() {
    return tocOffset + tocLength + SIZE;
  }

  private static CorruptArchiveException corrupt(String why) {
    return new CorruptArchiveException(why, null);
  }
}
