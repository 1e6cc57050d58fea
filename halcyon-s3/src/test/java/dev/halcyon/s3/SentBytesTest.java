package dev.halcyon.s3;

import static org.assertj.core.api.Assertions.assertThat;

import dev.halcyon.store.LayerStoreContract.SentRecorder;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.http.ContentStreamProvider;

/** The running total of an upload's bytes, as the SDK would read its bodies. */
class SentBytesTest {
  private static final int PART = 100_000;

  @Test
  void counting_signingPassLeftOut_countsOnlyTheSecondRead() throws IOException {
    SentRecorder sent = new SentRecorder(PART);
    SentBytes progress = new SentBytes(sent, PART, 1);
    ContentStreamProvider body = progress.counting(0, PART, bytes(PART));

    drain(body.newStream(), PART);
    assertThat(sent.totals()).as("told during the signing pass").isEmpty();
    drain(body.newStream(), PART);
    progress.finished();
    sent.returned();

    sent.assertKept("one body read twice");
    assertThat(sent.totals()).hasSizeGreaterThan(10);
  }

  @Test
  void counting_retriedBody_countsItsFurthestReadOnce() throws IOException {
    SentRecorder sent = new SentRecorder(2L * PART);
    SentBytes progress = new SentBytes(sent, 2L * PART, 0);
    ContentStreamProvider first = progress.counting(1, PART, bytes(PART));
    ContentStreamProvider second = progress.counting(2, PART, bytes(PART));

    drain(first.newStream(), PART / 2); // an attempt that broke off halfway
    drain(first.newStream(), PART / 4); // the retry, not yet as far
    assertThat(sent.totals()).last().isEqualTo((long) PART / 2);
    drain(first.newStream(), PART);
    drain(second.newStream(), PART);
    progress.partSent(1, PART);
    progress.partSent(2, PART);
    progress.finished();
    sent.returned();

    sent.assertKept("a part sent three times");
    assertThat(sent.totals()).filteredOn(t -> t == PART).hasSize(1);
  }

  @Test
  void counting_partsReadInParallel_oneCallAtATimeNeverBeyondTheSize() throws Exception {
    int parts = 16;
    long size = (long) parts * PART;
    SentRecorder sent = new SentRecorder(size);
    SentBytes progress = new SentBytes(sent, size, 0);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> running = new ArrayList<>();
      for (int i = 1; i <= parts; i++) {
        ContentStreamProvider body = progress.counting(i, PART, bytes(PART));
        int part = i;
        running.add(
            pool.submit(
                () -> {
                  drain(body.newStream(), PART);
                  drain(body.newStream(), PART);
                  progress.partSent(part, PART);
                  return null;
                }));
      }
      for (Future<?> f : running) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    progress.finished();
    sent.returned();

    sent.assertKept("16 parts on 4 threads");
  }

  @Test
  void close_beforeAPartEnds_noCallAfterIt() throws IOException {
    SentRecorder sent = new SentRecorder(PART);
    SentBytes progress = new SentBytes(sent, PART, 0);
    InputStream in = progress.counting(0, PART, bytes(PART)).newStream();
    drain(in, PART / 2);

    progress.close();
    sent.returned();
    drain(in, PART);
    progress.partSent(0, PART);
    progress.finished();

    assertThat(sent.breaches()).isEmpty();
    assertThat(sent.totals()).last().isEqualTo((long) PART / 2);
  }

  private static ContentStreamProvider bytes(int n) {
    return ContentStreamProvider.fromByteArrayUnsafe(new byte[n]);
  }

  /** Reads up to {@code n} bytes (or to the end) in 8 KiB reads, as an HTTP client would. */
  private static void drain(InputStream in, int n) throws IOException {
    byte[] buffer = new byte[8192];
    for (int read = 0; read < n; ) {
      int got = in.read(buffer, 0, Math.min(buffer.length, n - read));
      if (got < 0) {
        return;
      }
      read += got;
    }
  }
}
