package dev.halcyon.hash;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.halcyon.layer.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;

/**
 * The SHA-256 of a file or a stream, computed in one pass. The digest of bytes already in memory is
 * {@link Digest#sha256(byte[])}.
 *
 * <p>Stateless and thread-safe.
 */
public final class Digests {
  private static final int BUFFER_BYTES = 256 * 1024;

  private Digests() {}

  /**
   * The digest of the file's bytes.
   *
   * @param file a regular file; it is read to its end and closed
   * @return the SHA-256 of the file's bytes
   * @throws IOException if the file does not exist, is not readable or a read fails
   */
  public static Digest sha256(Path file) throws IOException {
    checkNotNull(file, "file");
    try (InputStream in = Files.newInputStream(file)) {
      return sha256(in);
    }
  }

  /**
   * The digest of what remains of {@code in}, read to its end; the caller closes {@code in}.
   *
   * @param in the stream to hash from its current position; it is not closed
   * @return the SHA-256 of the bytes read
   * @throws IOException if a read from {@code in} fails
   */
  public static Digest sha256(InputStream in) throws IOException {
    checkNotNull(in, "in");
    MessageDigest md = Digest.newSha256();
    byte[] buf = new byte[BUFFER_BYTES];
    for (int n; (n = in.read(buf)) >= 0; ) {
      md.update(buf, 0, n);
    }
    return Digest.of(md.digest());
  }
}
