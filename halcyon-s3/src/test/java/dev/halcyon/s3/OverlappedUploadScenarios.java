package dev.halcyon.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.halcyon.layer.Digest;
import dev.halcyon.store.GrowingFile;
import dev.halcyon.store.ObjectInfo;
import dev.halcyon.store.PutMode;
import dev.halcyon.store.PutResult;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;

/**
 * {@link S3LayerStore#putWhileWriting} against a real server: parts go up while the file is still
 * written, the stored object and its digest metadata equal the finished file, no hidden object or
 * upload is left, a writer that gives up leaves nothing visible, and gc removes what a killed
 * upload left. Subclasses say which server.
 */
abstract class OverlappedUploadScenarios {
  static final long MIB = 1024 * 1024;

  @TempDir Path tmp;

  abstract S3LayerStore.Builder builder(String folder);

  abstract S3Client raw();

  abstract String bucket();

  private int folders;

  String freshFolder() {
    return getClass().getSimpleName().toLowerCase() + "-" + System.nanoTime() + "-" + (folders++);
  }

  private S3LayerStore store(String folder, List<String> notices) {
    return builder(folder)
        .partSize(5 * MIB)
        .multipartThreshold(5 * MIB)
        .parallelism(2)
        .notices(notices::add)
        .build();
  }

  @Test
  void putWhileWriting_archiveOfSeveralParts_storedWithItsDigestWhileItWasWritten()
      throws Exception {
    String folder = freshFolder();
    List<String> notices = new CopyOnWriteArrayList<>();
    long size = 23 * MIB + 12_345;
    GrowingFile file = new GrowingFile(tmp.resolve("a.tar.zst"));
    List<long[]> sent = new CopyOnWriteArrayList<>();
    try (S3LayerStore store = store(folder, notices)) {
      GrowingWriter writer = GrowingWriter.writing(file, size, 1);
      PutResult result =
          store.putWhileWriting(
              "t/a.tar.zst",
              file,
              PutMode.IF_ABSENT,
              total -> sent.add(new long[] {total, writer.written()}));
      writer.join();

      assertThat(writer.failure()).isNull();
      assertThat(result.written()).isTrue();
      assertThat(result.info().size()).isEqualTo(size);
      assertThat(result.info().digest()).contains(writer.digest());
      HeadObjectResponse head =
          raw().headObject(b -> b.bucket(bucket()).key(folder + "/t/a.tar.zst"));
      assertThat(head.metadata()).containsEntry("halcyon-sha256", writer.digest().hex());
      assertThat(head.contentLength()).isEqualTo(size);
      try (InputStream in = store.get("t/a.tar.zst").orElseThrow().stream()) {
        assertThat(Digest.sha256(in.readAllBytes()))
            .isEqualTo(Digest.sha256(Files.readAllBytes(file.path())));
      }
      // Parts went up while the writer was still writing: a total reached while fewer than all
      // bytes were written.
      assertThat(sent).anyMatch(s -> s[0] > 0 && s[1] < size);
      assertThat(sent).extracting(s -> s[0]).isSorted().last().isEqualTo(size);
      assertNothingHidden(folder);
      assertThat(store.list("")).extracting(ObjectInfo::key).containsExactly("t/a.tar.zst");
      // IF_ABSENT keeps the object there.
      GrowingFile again = new GrowingFile(tmp.resolve("b.tar.zst"));
      GrowingWriter second = GrowingWriter.writing(again, 7 * MIB, 2);
      PutResult kept = store.putWhileWriting("t/a.tar.zst", again, PutMode.IF_ABSENT, n -> {});
      second.join();
      assertThat(kept.written()).isFalse();
      assertThat(store.head("t/a.tar.zst").orElseThrow().digest()).contains(writer.digest());
      assertNothingHidden(folder);
    }
    assertThat(notices).isEmpty();
  }

  @Test
  void putWhileWriting_writerGivesUpMidWay_nothingStoredAndNothingHidden() throws Exception {
    String folder = freshFolder();
    List<String> notices = new CopyOnWriteArrayList<>();
    GrowingFile file = new GrowingFile(tmp.resolve("a.tar.zst"));
    try (S3LayerStore store = store(folder, notices)) {
      GrowingWriter writer = GrowingWriter.failingAfter(file, 17 * MIB, 3);
      assertThatThrownBy(
              () -> store.putWhileWriting("t/a.tar.zst", file, PutMode.IF_ABSENT, n -> {}))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("gave up before the end")
          .hasMessageContaining("archiving failed after 17825792 bytes (test)");
      writer.join();

      assertThat(store.head("t/a.tar.zst")).isEmpty();
      assertThat(store.list("")).isEmpty();
      assertNothingHidden(folder);
    }
  }

  @Test
  void abortIncompleteUploads_leftoversOfAKilledOverlappedUpload_removedAndNeverListed()
      throws Exception {
    String folder = freshFolder();
    String hidden = folder + "/" + GrowingUpload.PARTIAL_PREFIX + "t/a.tar.zst.0123456789abcdef";
    // What a process killed after completing the hidden object, and one killed mid-parts, leave.
    raw().putObject(b -> b.bucket(bucket()).key(hidden), RequestBody.fromString("parts"));
    raw().createMultipartUpload(b -> b.bucket(bucket()).key(hidden + "x"));
    try (S3LayerStore store = store(folder, new CopyOnWriteArrayList<>())) {
      assertThat(store.list("")).isEmpty();
      assertThat(store.list("t/")).isEmpty();
      Instant later = Instant.now().plusSeconds(60);
      assertThat(store.abortIncompleteUploads("t/", Instant.now().minusSeconds(3600), false))
          .isZero();
      assertThat(store.abortIncompleteUploads("t/", later, true)).isEqualTo(2);
      // The whole folder's listing also meets the hidden upload: it is counted once.
      assertThat(store.abortIncompleteUploads("", later, true)).isEqualTo(2);
      assertThat(store.abortIncompleteUploads("", later, false)).isEqualTo(2);
      assertNothingHidden(folder);
    }
  }

  private void assertNothingHidden(String folder) {
    String prefix = folder + "/" + GrowingUpload.PARTIAL_PREFIX;
    assertThat(raw().listObjectsV2(b -> b.bucket(bucket()).prefix(prefix)).contents())
        .as("hidden objects")
        .isEmpty();
    assertThat(raw().listMultipartUploads(b -> b.bucket(bucket()).prefix(folder + "/")).uploads())
        .as("incomplete uploads")
        .isEmpty();
  }
}
