package dev.halcyon.s3;

import dev.halcyon.layer.Digest;
import dev.halcyon.store.BulkReadInputStream;
import dev.halcyon.store.CorruptObjectException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.security.MessageDigest;

/**
 * The bytes of a file being uploaded, checked against the digest the caller gave before the last of
 * them are handed on: a mismatch throws instead of returning them, so the request body is never
 * complete and the service stores nothing. Hashes as the bytes pass (no second read of the file).
 * Its counterpart on the way back, {@link dev.halcyon.hash.VerifyingInputStream}, checks what a
 * store recorded and may hand out every byte before it fails at the end.
 *
 * <p>Not thread-safe. Closing it closes the file.
 */
final class UploadCheckingInputStream extends BulkReadInputStream {
  private final InputStream in;
  private final long size;
  private final Digest expected;
  private final String target;
  private final Path source;
  private final MessageDigest sha256 = Digest.newSha256();
  private long count;

  UploadCheckingInputStream(
      InputStream in, long size, Digest expected, String target, Path source) {
    this.in = in;
    this.size = size;
    this.expected = expected;
    this.target = target;
    this.source = source;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    int n = in.read(b, off, (int) Math.min(len, Math.max(1, size - count)));
    if (n < 0) {
      if (count != size) {
        throw new CorruptObjectException(
            source
                + " shrank to "
                + count
                + " of "
                + size
                + " bytes while it was uploaded to "
                + target);
      }
      if (size == 0) {
        check();
      }
      return -1;
    }
    if (count == size && n > 0) {
      throw new CorruptObjectException(
          source + " grew beyond " + size + " bytes while it was uploaded to " + target);
    }
    sha256.update(b, off, n);
    count += n;
    if (count == size) {
      check();
    }
    return n;
  }

  private void check() throws CorruptObjectException {
    Digest actual = Digest.of(sha256.digest());
    if (!actual.equals(expected)) {
      throw S3Errors.sourceMismatch(source, target, expected, actual);
    }
  }

  @Override
  public long skip(long n) throws IOException {
    throw new IOException("skip is not supported: every byte must be hashed");
  }

  @Override
  public boolean markSupported() {
    return false;
  }

  @Override
  public int available() throws IOException {
    return in.available();
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
