package dev.halcyon.hash;

import dev.halcyon.layer.Digest;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.security.MessageDigest;

/**
 * Counts and hashes (SHA-256) the bytes that pass through on their way to the wrapped stream, so a
 * writer learns the digest of what it wrote without reading it back.
 *
 * <p>Not thread-safe. Closing it closes the wrapped stream.
 */
public final class DigestingOutputStream extends FilterOutputStream {
  private final MessageDigest sha256 = Digest.newSha256();
  private long count;

  /**
   * Wraps a stream; every byte written passes through unchanged and into the digest.
   *
   * @param out the stream the bytes go on to; it is closed with this one
   */
  public DigestingOutputStream(OutputStream out) {
    super(out);
  }

  @Override
  public void write(int b) throws IOException {
    out.write(b);
    sha256.update((byte) b);
    count++;
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    out.write(b, off, len);
    sha256.update(b, off, len);
    count += len;
  }

  /**
   * The bytes written so far.
   *
   * @return the number of bytes passed to the wrapped stream, 0 before the first write
   */
  public long count() {
    return count;
  }

  /**
   * The digest of everything written; call once, after the last write.
   *
   * @return the SHA-256 of all bytes written; a second call returns the digest of nothing, as the
   *     digest is reset
   */
  public Digest digest() {
    return Digest.of(sha256.digest());
  }
}
