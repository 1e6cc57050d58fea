package dev.halcyon.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Extraction decompresses on a thread of its own: no such thread outlives a call, whether it
 * succeeds, fails or is interrupted, and the bytes and failures arrive as the source produced them.
 */
class ReadAheadStreamTest {
  @TempDir Path tmp;

  @Test
  void read_smallAndLargeReadsAndSkips_seeExactlyTheSourceBytes() throws IOException {
    byte[] bytes = new byte[3 * ReadAheadStream.BUFFER_SIZE + 12345];
    new java.util.Random(3).nextBytes(bytes);
    java.io.ByteArrayOutputStream seen = new java.io.ByteArrayOutputStream();

    try (ReadAheadStream in = new ReadAheadStream(new ByteArrayInputStream(bytes))) {
      seen.write(in.read());
      byte[] small = new byte[511];
      seen.write(small, 0, in.read(small));
      assertThat(in.skip(100_000)).isEqualTo(100_000);
      seen.write(new byte[100_000]); // placeholder for the skipped range, compared below
      seen.write(in.readAllBytes());
      assertThat(in.read()).isEqualTo(-1);
    }

    byte[] got = seen.toByteArray();
    assertThat(got).hasSameSizeAs(bytes);
    System.arraycopy(bytes, 512, got, 512, 100_000);
    assertThat(got).isEqualTo(bytes);
    assertNoReadAheadThread();
  }

  @Test
  void read_sourceFailsAfterSomeBytes_bytesBeforeThenTheSameFailure() throws IOException {
    byte[] bytes = new byte[ReadAheadStream.BUFFER_SIZE + 10];
    IOException failure = new IOException("source failed");
    InputStream source = new SourceFailureTest.FailingStream(bytes, bytes.length, failure);

    try (ReadAheadStream in = new ReadAheadStream(source)) {
      assertThat(in.readNBytes(bytes.length)).hasSize(bytes.length);
      assertThatThrownBy(in::read).isSameAs(failure);
    }
    assertNoReadAheadThread();
  }

  @Test
  void extract_unsafeMemberWhileMoreIsBeingDecompressed_leavesNoThread() throws IOException {
    java.io.ByteArrayOutputStream compressed = new java.io.ByteArrayOutputStream();
    try (org.apache.commons.compress.archivers.tar.TarArchiveOutputStream tar =
        new org.apache.commons.compress.archivers.tar.TarArchiveOutputStream(
            Codecs.compressing(Compression.ZSTD, compressed), "UTF-8")) {
      org.apache.commons.compress.archivers.tar.TarArchiveEntry link =
          new org.apache.commons.compress.archivers.tar.TarArchiveEntry(
              "a-link", org.apache.commons.compress.archivers.tar.TarConstants.LF_LINK, true);
      link.setLinkName("/etc/passwd");
      tar.putArchiveEntry(link);
      tar.closeArchiveEntry();
      byte[] big = new byte[8 * ReadAheadStream.BUFFER_SIZE];
      new java.util.Random(5).nextBytes(big);
      org.apache.commons.compress.archivers.tar.TarArchiveEntry file =
          new org.apache.commons.compress.archivers.tar.TarArchiveEntry("b-big.bin", true);
      file.setSize(big.length);
      tar.putArchiveEntry(file);
      tar.write(big);
      tar.closeArchiveEntry();
    }

    assertThatThrownBy(
            () ->
                Archives.extract(
                    new ByteArrayInputStream(compressed.toByteArray()),
                    Compression.ZSTD,
                    tmp.resolve("out"),
                    ExtractLimits.DEFAULT))
        .isInstanceOf(UnsafeArchiveException.class)
        .hasMessage(
            "archive entry 'a-link' is a hard link to '/etc/passwd', which is an absolute path;"
                + " refusing to extract");
    assertThat(Trees.list(tmp)).isEmpty();
    assertNoReadAheadThread();
  }

  @Test
  void extract_callerInterruptedWhileWaitingForBytes_throwsInterruptedIoAndLeavesNoThread()
      throws Exception {
    Path src = tmp.resolve("src");
    Trees.sample(src);
    Trees.bigFile(src.resolve("big.bin"), 3 << 20, 9);
    byte[] archive = archive(src);
    CountDownLatch stalled = new CountDownLatch(1);
    CountDownLatch never = new CountDownLatch(1);
    InputStream stalling =
        new InputStream() {
          private final ByteArrayInputStream in = new ByteArrayInputStream(archive);
          private long served;

          @Override
          public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
          }

          @Override
          public int read(byte[] b, int off, int len) throws IOException {
            if (served >= archive.length / 2) {
              stalled.countDown();
              try {
                never.await(); // a download that hangs until the read is abandoned
              } catch (InterruptedException e) {
                throw new InterruptedIOException("download abandoned");
              }
            }
            int n = in.read(b, off, (int) Math.min(len, archive.length / 2 - served));
            served += Math.max(n, 0);
            return n;
          }
        };
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    AtomicReference<Boolean> stillInterrupted = new AtomicReference<>();
    Thread caller =
        new Thread(
            () -> {
              try {
                Archives.extract(
                    stalling, Compression.ZSTD, tmp.resolve("out"), ExtractLimits.DEFAULT);
              } catch (Throwable t) {
                thrown.set(t);
              }
              stillInterrupted.set(Thread.currentThread().isInterrupted());
            });
    caller.start();
    stalled.await();
    // The caller has consumed everything before the stall once it waits for more.
    while (caller.getState() != Thread.State.WAITING) {
      Thread.onSpinWait();
    }

    caller.interrupt();
    caller.join();

    assertThat(thrown.get())
        .isInstanceOf(InterruptedIOException.class)
        .hasMessage("interrupted while waiting for the archive's bytes");
    assertThat(stillInterrupted.get()).isTrue();
    assertThat(tmp.resolve("out")).doesNotExist();
    assertNoReadAheadThread();
  }

  private static byte[] archive(Path src) throws IOException {
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    Archives.write(src, bytes, Compression.ZSTD);
    return bytes.toByteArray();
  }

  private static void assertNoReadAheadThread() {
    assertThat(Thread.getAllStackTraces().keySet())
        .extracting(Thread::getName)
        .doesNotContain(ReadAheadStream.THREAD_NAME);
  }
}
