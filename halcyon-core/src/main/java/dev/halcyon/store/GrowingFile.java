package dev.halcyon.store;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import dev.halcyon.layer.Digest;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A file that one writer is still appending to, for {@link LayerStore#putWhileWriting}: the writer
 * says how many bytes from the start are final ({@link #written}), and in the end either the file's
 * SHA-256 ({@link #finish}) or why it gave up ({@link #fail}); a store reads the final bytes while
 * the rest is written. The file exists (maybe empty) before a reader is given it; bytes once
 * reported final are never changed, and the file never shrinks.
 *
 * <p>Thread-safe: one writer thread, any number of readers; readers block in {@link #awaitWritten}
 * and {@link #awaitFinished} until the writer has got far enough.
 *
 * @since 0.3.0
 */
public final class GrowingFile {
  private final Path path;
  private long written;
  private Finished finished;
  private IOException failure;

  /**
   * What the writer reported at its end.
   *
   * @param size the file's size, in bytes
   * @param digest its SHA-256, computed by the writer as it wrote
   * @since 0.3.0
   */
  public record Finished(long size, Digest digest) {
    /**
     * Checks the fields.
     *
     * @param size not negative
     * @param digest not null
     */
    public Finished {
      checkArgument(size >= 0, "size must not be negative, got %s", size);
      checkNotNull(digest, "digest");
    }
  }

  /**
   * A file at {@code path} with no final bytes yet.
   *
   * @param path where the writer writes; readers open it themselves
   */
  public GrowingFile(Path path) {
    this.path = checkNotNull(path, "path");
  }

  /**
   * The file being written.
   *
   * @return its path
   */
  public Path path() {
    return path;
  }

  /**
   * Writer: the first {@code bytes} bytes of the file are written and final.
   *
   * @param bytes the running total, never less than before
   */
  public synchronized void written(long bytes) {
    checkState(finished == null && failure == null, "the file is already finished");
    checkArgument(bytes >= written, "written went back from %s to %s", written, bytes);
    written = bytes;
    notifyAll();
  }

  /**
   * Writer: the file is complete at the bytes last reported {@link #written}, and hashes to {@code
   * digest}.
   *
   * @param digest the SHA-256 of the whole file
   */
  public synchronized void finish(Digest digest) {
    checkState(finished == null && failure == null, "the file is already finished");
    finished = new Finished(written, checkNotNull(digest, "digest"));
    notifyAll();
  }

  /**
   * Writer: it gave up; readers waiting or to come fail with an {@link IOException} naming {@code
   * cause}. Does nothing once the file is finished or failed.
   *
   * @param cause why the writer gave up
   */
  public synchronized void fail(Throwable cause) {
    if (finished == null && failure == null) {
      failure =
          new IOException(
              "the writer of " + path + " gave up before the end: " + cause.getMessage(), cause);
      notifyAll();
    }
  }

  /**
   * Reader: waits until at least {@code bytes} bytes are final or the file is finished.
   *
   * @param bytes how many bytes from the start the reader needs
   * @return how many bytes are final: at least {@code bytes}, or fewer only if the file is finished
   *     at that size
   * @throws IOException if the writer gave up, or {@link InterruptedIOException} if interrupted
   */
  public synchronized long awaitWritten(long bytes) throws IOException {
    try {
      while (written < bytes && finished == null) {
        throwIfFailed();
        wait();
      }
    } catch (InterruptedException e) {
      throw interrupted();
    }
    return written;
  }

  /**
   * Reader: waits for the writer's end.
   *
   * @return the file's size and digest
   * @throws IOException if the writer gave up, or {@link InterruptedIOException} if interrupted
   */
  public synchronized Finished awaitFinished() throws IOException {
    try {
      while (finished == null) {
        throwIfFailed();
        wait();
      }
    } catch (InterruptedException e) {
      throw interrupted();
    }
    return finished;
  }

  /**
   * Reader: the writer's end, if it has come.
   *
   * @return the size and digest once finished; empty while writing or after a failure
   */
  public synchronized Optional<Finished> finished() {
    return Optional.ofNullable(finished);
  }

  private void throwIfFailed() throws IOException {
    if (failure != null) {
      throw new IOException(failure.getMessage(), failure.getCause());
    }
  }

  private InterruptedIOException interrupted() {
    Thread.currentThread().interrupt();
    return new InterruptedIOException("interrupted while waiting for " + path + " to be written");
  }
}
