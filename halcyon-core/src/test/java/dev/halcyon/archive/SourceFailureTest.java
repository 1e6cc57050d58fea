package dev.halcyon.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.halcyon.store.CorruptObjectException;
import dev.halcyon.store.TransientStoreException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A source stream that fails while an archive is extracted: a failed download is the download's
 * failure, not a damaged archive, so the caller retries rather than condemning a good archive.
 */
class SourceFailureTest {
  private static final Map<Compression, byte[]> ARCHIVES = new EnumMap<>(Compression.class);

  @TempDir static Path shared;
  @TempDir Path tmp;

  @ParameterizedTest
  @EnumSource(Compression.class)
  void extract_storeFailsMidArchive_throwsTheStoreFailureUnchanged(Compression c)
      throws IOException {
    byte[] archive = sampleArchive(c);
    TransientStoreException failure =
        new TransientStoreException("cannot read 'k' from test: connection reset; retry");
    Path out = tmp.resolve("out");

    assertThatThrownBy(
            () ->
                Archives.extract(
                    new FailingStream(archive, archive.length / 2, failure),
                    c,
                    out,
                    ExtractLimits.DEFAULT))
        .isSameAs(failure);
    assertThat(Trees.list(tmp)).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(Compression.class)
  void extract_storeFailsAtTheFirstByte_throwsTheStoreFailureUnchanged(Compression c)
      throws IOException {
    byte[] archive = sampleArchive(c);
    TransientStoreException failure =
        new TransientStoreException("cannot read 'k' from test: connection refused; retry");

    assertThatThrownBy(
            () ->
                Archives.extract(
                    new FailingStream(archive, 0, failure),
                    c,
                    tmp.resolve("out"),
                    ExtractLimits.DEFAULT))
        .isSameAs(failure);
  }

  @ParameterizedTest
  @EnumSource(Compression.class)
  void extract_readInterrupted_throwsTheInterruptedIoExceptionUnchanged(Compression c)
      throws IOException {
    byte[] archive = sampleArchive(c);
    InterruptedIOException failure = new InterruptedIOException("read timed out");

    assertThatThrownBy(
            () ->
                Archives.extract(
                    new FailingStream(archive, archive.length / 2, failure),
                    c,
                    tmp.resolve("out"),
                    ExtractLimits.DEFAULT))
        .isSameAs(failure);
    assertThat(Trees.list(tmp)).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(
      value = Compression.class,
      names = {"ZSTD", "GZIP"})
  void extract_storeReportsCorruptBytes_throwsTheStoresCorruptObjectException(Compression c)
      throws IOException {
    byte[] archive = sampleArchive(c);
    CorruptObjectException failure =
        new CorruptObjectException("test/k does not match its recorded digest");

    assertThatThrownBy(
            () ->
                Archives.extract(
                    new FailingStream(archive, archive.length / 2, failure),
                    c,
                    tmp.resolve("out"),
                    ExtractLimits.DEFAULT))
        .isSameAs(failure);
  }

  /** The sample tree plus a file larger than the codec buffers, archived once per codec. */
  static synchronized byte[] sampleArchive(Compression c) throws IOException {
    byte[] archive = ARCHIVES.get(c);
    if (archive == null) {
      Path src = shared.resolve("src");
      if (!Files.exists(src)) {
        Trees.sample(src);
        Trees.bigFile(src.resolve("big.bin"), 3 << 20, 7);
      }
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      Archives.write(src, bytes, c);
      archive = bytes.toByteArray();
      ARCHIVES.put(c, archive);
    }
    return archive;
  }

  /** Serves {@code bytes}, then throws {@code failure} once {@code failAfter} bytes were read. */
  static final class FailingStream extends InputStream {
    private final ByteArrayInputStream in;
    private final long failAfter;
    private final IOException failure;
    private long read;

    FailingStream(byte[] bytes, long failAfter, IOException failure) {
      this.in = new ByteArrayInputStream(bytes);
      this.failAfter = failAfter;
      this.failure = failure;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (read >= failAfter) {
        throw failure;
      }
      int n = in.read(b, off, (int) Math.min(len, failAfter - read));
      if (n > 0) {
        read += n;
      }
      return n;
    }
  }
}
