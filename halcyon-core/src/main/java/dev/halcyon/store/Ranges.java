package dev.halcyon.store;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.io.ByteStreams;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

/**
 * The arithmetic and wording of ranged reads shared by the stores in this package, and the default
 * {@link LayerStore#getRange} (skip, then limit).
 */
final class Ranges {
  private Ranges() {}

  /** Refuses a negative offset or length, as every {@code getRange} does. */
  static void checkRange(long offset, long length) {
    checkArgument(offset >= 0, "offset must be >= 0, got %s", offset);
    checkArgument(length >= 0, "length must be >= 0, got %s", length);
  }

  /**
   * The end (exclusive) of {@code [offset, offset + length)} within an object of {@code size}
   * bytes, never before {@code offset}'s clamp and never overflowing.
   */
  static long end(long offset, long length, long size) {
    long start = Math.min(offset, size);
    return start + Math.min(length, size - start);
  }

  /** A stream with no bytes. */
  static InputStream empty() {
    return new ByteArrayInputStream(new byte[0]);
  }

  /** The failure for an object found replaced by {@code now} where {@code expected} was asked. */
  static ObjectChangedException changed(String where, ObjectInfo expected, ObjectInfo now) {
    return new ObjectChangedException(
        where
            + "/"
            + expected.key()
            + " was replaced while it was read in ranges ("
            + describe(expected)
            + " when looked up, "
            + describe(now)
            + " now); look it up again, or run again");
  }

  private static String describe(ObjectInfo info) {
    return info.size()
        + " bytes, "
        + info.digest().map(Object::toString).orElse("modified " + info.lastModified());
  }

  /**
   * The default ranged read: {@code whole} (an object opened by {@code get}, or empty) skipped to
   * {@code offset} and cut off after {@code length}, after checking it is {@code expected}.
   */
  static Optional<InputStream> sliceOf(
      Optional<StoredObject> whole,
      Optional<ObjectInfo> expected,
      long offset,
      long length,
      String where)
      throws IOException {
    if (whole.isEmpty()) {
      return Optional.empty();
    }
    StoredObject object = whole.get();
    boolean handedOver = false;
    try {
      if (expected.isPresent() && !expected.get().isSameObject(object.info())) {
        throw changed(where, expected.get(), object.info());
      }
      InputStream in = object.stream();
      long skipped = 0;
      while (skipped < offset) {
        long n = in.skip(offset - skipped);
        if (n <= 0) {
          if (in.read() < 0) {
            break;
          }
          n = 1;
        }
        skipped += n;
      }
      handedOver = true;
      return Optional.of(ByteStreams.limit(in, length));
    } finally {
      if (!handedOver) {
        object.close();
      }
    }
  }
}
