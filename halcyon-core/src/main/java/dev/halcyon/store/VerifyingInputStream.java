package dev.halcyon.store;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.halcyon.layer.Digest;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * Wraps the bytes of a stored object and checks them as they pass: at end of stream it throws
 * {@link CorruptObjectException} if fewer or more bytes than expected arrived or the SHA-256
 * differs. No second pass over the data.
 *
 * <p>Not thread-safe. Closing it closes the wrapped stream.
 */
public final class VerifyingInputStream extends FilterInputStream {
  private final String what;
  private final long expectedSize;
  private final Optional<Digest> expectedDigest;
  private final MessageDigest sha256 = Digest.newSha256();
  private long count;
  private boolean verified;

  /**
   * @param in the raw bytes
   * @param what names the object in messages, e.g. {@code s3://bucket/key}
   * @param expectedSize the length the store recorded, or -1 if unknown
   * @param expectedDigest the digest the store recorded, if any
   */
  public VerifyingInputStream(
      InputStream in, String what, long expectedSize, Optional<Digest> expectedDigest) {
    super(checkNotNull(in, "in"));
    this.what = checkNotNull(what, "what");
    this.expectedSize = expectedSize;
    this.expectedDigest = checkNotNull(expectedDigest, "expectedDigest");
  }

  @Override
  public int read() throws IOException {
    int b = super.read();
    if (b < 0) {
      verifyAtEnd();
    } else {
      sha256.update((byte) b);
      count++;
      checkNotTooLong();
    }
    return b;
  }

  @Override
  public int read(byte[] buf, int off, int len) throws IOException {
    int n = super.read(buf, off, len);
    if (n < 0) {
      verifyAtEnd();
    } else if (n > 0) {
      sha256.update(buf, off, n);
      count += n;
      checkNotTooLong();
    }
    return n;
  }

  @Override
  public long skip(long n) throws IOException {
    // Skipped bytes must still be hashed, so read them.
    byte[] buf = new byte[8192];
    long skipped = 0;
    while (skipped < n) {
      int r = read(buf, 0, (int) Math.min(buf.length, n - skipped));
      if (r < 0) {
        break;
      }
      skipped += r;
    }
    return skipped;
  }

  @Override
  public boolean markSupported() {
    return false;
  }

  @Override
  public synchronized void mark(int readlimit) {}

  @Override
  public synchronized void reset() throws IOException {
    throw new IOException("mark/reset not supported");
  }

  /** The bytes read so far. */
  public long count() {
    return count;
  }

  private void checkNotTooLong() throws CorruptObjectException {
    if (expectedSize >= 0 && count > expectedSize) {
      throw new CorruptObjectException(
          what
              + " is longer than the "
              + expectedSize
              + " bytes recorded; it was changed while read or is corrupt");
    }
  }

  private void verifyAtEnd() throws CorruptObjectException {
    if (verified) {
      return;
    }
    verified = true;
    if (expectedSize >= 0 && count != expectedSize) {
      throw new CorruptObjectException(
          what + " ended after " + count + " of " + expectedSize + " bytes (truncated download)");
    }
    if (expectedDigest.isPresent()) {
      Digest actual = Digest.of(sha256.digest());
      if (!actual.equals(expectedDigest.get())) {
        throw new CorruptObjectException(
            what
                + " does not match its recorded digest: expected "
                + expectedDigest.get()
                + ", got "
                + actual
                + "; delete it so it is rebuilt");
      }
    }
  }
}
