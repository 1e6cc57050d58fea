package dev.halcyon.hash;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.halcyon.layer.Digest;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.Optional;
import java.util.function.Function;

/**
 * Wraps the bytes of a stored object on their way to a reader and checks them as they pass: once
 * more bytes than expected have arrived, or at end of stream if fewer did or the SHA-256 differs,
 * it throws the exception its caller's {@code mismatch} function makes of the message (a store
 * passes {@code CorruptObjectException::new}). No second pass over the data. It checks what was
 * recorded when the object was stored; an upload checks its source by other means.
 *
 * <p>Not thread-safe. Closing it closes the wrapped stream.
 */
public final class VerifyingInputStream extends FilterInputStream {
  private final String what;
  private final long expectedSize;
  private final Optional<Digest> expectedDigest;
  private final Function<String, ? extends IOException> mismatch;
  private final MessageDigest sha256 = Digest.newSha256();
  private long count;
  private boolean verified;

  /**
   * @param in the raw bytes
   * @param what names the object in messages, e.g. {@code s3://bucket/key}
   * @param expectedSize the length the store recorded, or -1 if unknown
   * @param expectedDigest the digest the store recorded, if any
   * @param mismatch makes the exception thrown when the bytes are not those recorded, from its
   *     one-line message
   */
  public VerifyingInputStream(
      InputStream in,
      String what,
      long expectedSize,
      Optional<Digest> expectedDigest,
      Function<String, ? extends IOException> mismatch) {
    super(checkNotNull(in, "in"));
    this.what = checkNotNull(what, "what");
    this.expectedSize = expectedSize;
    this.expectedDigest = checkNotNull(expectedDigest, "expectedDigest");
    this.mismatch = checkNotNull(mismatch, "mismatch");
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

  /**
   * The bytes read so far.
   *
   * @return the number of bytes read (or skipped) so far, which the checks compare with the
   *     expected size
   */
  public long count() {
    return count;
  }

  private void checkNotTooLong() throws IOException {
    if (expectedSize >= 0 && count > expectedSize) {
      throw mismatch.apply(
          what
              + " is longer than the "
              + expectedSize
              + " bytes recorded; it was changed while read or is corrupt");
    }
  }

  private void verifyAtEnd() throws IOException {
    if (verified) {
      return;
    }
    verified = true;
    if (expectedSize >= 0 && count != expectedSize) {
      throw mismatch.apply(
          what + " ended after " + count + " of " + expectedSize + " bytes (truncated download)");
    }
    if (expectedDigest.isPresent()) {
      Digest actual = Digest.of(sha256.digest());
      if (!actual.equals(expectedDigest.get())) {
        throw mismatch.apply(
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
