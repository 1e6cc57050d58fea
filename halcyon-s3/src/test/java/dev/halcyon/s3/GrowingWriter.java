package dev.halcyon.s3;

import dev.halcyon.layer.Digest;
import dev.halcyon.store.GrowingFile;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A writer thread for overlapped-upload tests: appends seeded random bytes to a {@link GrowingFile}
 * in 1 MiB writes, pausing between them as an archiver would, and reports each write final; it
 * finishes with the file's digest, or after {@code failAt} bytes gives up.
 */
public final class GrowingWriter extends Thread {
  private static final int BLOCK = 1 << 20;

  private final GrowingFile file;
  private final long size;
  private final long failAt;
  private final long seed;
  private final AtomicLong written = new AtomicLong();
  private volatile Digest digest;
  private volatile Throwable failure;

  private GrowingWriter(GrowingFile file, long size, long failAt, long seed) {
    super("growing-writer");
    setDaemon(true);
    this.file = file;
    this.size = size;
    this.failAt = failAt;
    this.seed = seed;
  }

  /** Starts writing {@code size} bytes into {@code file}, finishing with their digest. */
  public static GrowingWriter writing(GrowingFile file, long size, long seed) {
    GrowingWriter w = new GrowingWriter(file, size, Long.MAX_VALUE, seed);
    w.start();
    return w;
  }

  /** Starts writing into {@code file} and gives up once {@code failAt} bytes are written. */
  public static GrowingWriter failingAfter(GrowingFile file, long failAt, long seed) {
    GrowingWriter w = new GrowingWriter(file, Long.MAX_VALUE, failAt, seed);
    w.start();
    return w;
  }

  /** Bytes reported final so far. */
  public long written() {
    return written.get();
  }

  /** The digest once finished (join first). */
  public Digest digest() {
    return digest;
  }

  public Throwable failure() {
    return failure;
  }

  @Override
  public void run() {
    SplittableRandom random = new SplittableRandom(seed);
    MessageDigest sha256 = Digest.newSha256();
    byte[] block = new byte[BLOCK];
    try (OutputStream out = Files.newOutputStream(file.path())) {
      long done = 0;
      while (done < size) {
        if (done >= failAt) {
          throw new IOException("archiving failed after " + done + " bytes (test)");
        }
        int n = (int) Math.min(BLOCK, size - done);
        random.nextBytes(block);
        out.write(block, 0, n);
        out.flush();
        sha256.update(block, 0, n);
        done += n;
        written.set(done);
        file.written(done);
        Thread.sleep(15);
      }
      digest = Digest.of(sha256.digest());
      file.finish(digest);
    } catch (IOException | InterruptedException | RuntimeException e) {
      failure = e;
      file.fail(e);
    }
  }
}
