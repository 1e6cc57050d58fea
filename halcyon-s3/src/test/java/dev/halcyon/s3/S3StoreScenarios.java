package dev.halcyon.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.halcyon.hash.Digests;
import dev.halcyon.layer.Digest;
import dev.halcyon.store.CorruptObjectException;
import dev.halcyon.store.ObjectInfo;
import dev.halcyon.store.PutMode;
import dev.halcyon.store.PutResult;
import dev.halcyon.store.StoredObject;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * S3-specific behaviour every server must show: metadata, multipart and ranged transfers, folder
 * isolation, conditional writes, and detection of damaged objects. Subclasses say which server.
 */
abstract class S3StoreScenarios {
  static final long MIB = 1024 * 1024;

  @TempDir Path tmp;

  /** A builder pointing at the server's test bucket, under a folder unique to the test. */
  abstract S3LayerStore.Builder builder(String folder);

  abstract S3Client raw();

  abstract String bucket();

  private int folders;

  String freshFolder() {
    return getClass().getSimpleName().toLowerCase() + "-" + System.nanoTime() + "-" + (folders++);
  }

  static Path randomFile(Path dir, String name, long size, long seed) throws IOException {
    Path file = dir.resolve(name);
    SplittableRandom random = new SplittableRandom(seed);
    byte[] block = new byte[(int) MIB];
    try (OutputStream out = Files.newOutputStream(file)) {
      for (long written = 0; written < size; written += block.length) {
        for (int i = 0; i < block.length; i += 8) {
          long v = random.nextLong();
          for (int j = 0; j < 8; j++) {
            block[i + j] = (byte) (v >>> (8 * j));
          }
        }
        out.write(block, 0, (int) Math.min(block.length, size - written));
      }
    }
    return file;
  }

  static Digest digestOf(Path file) throws IOException {
    return Digests.sha256(file);
  }

  /** Reads the whole object, returning its SHA-256 and length. */
  static Map.Entry<Digest, Long> drain(StoredObject object) throws IOException {
    MessageDigest md = Digest.newSha256();
    long n = 0;
    try (object) {
      byte[] buf = new byte[64 * 1024];
      for (int r; (r = object.stream().read(buf)) >= 0; ) {
        md.update(buf, 0, r);
        n += r;
      }
    }
    return Map.entry(Digest.of(md.digest()), n);
  }

  @Test
  void put_bytes_recordsDigestAsMetadataAndReadsBackVerified() throws IOException {
    String folder = freshFolder();
    byte[] bytes = "hello halcyon".getBytes(StandardCharsets.UTF_8);
    try (S3LayerStore store = builder(folder).build()) {
      PutResult result = store.put("tags/app.tag", bytes, PutMode.OVERWRITE);

      assertThat(result.written()).isTrue();
      assertThat(result.info().digest()).contains(Digest.sha256(bytes));
      assertThat(raw().headObject(b -> b.bucket(bucket()).key(folder + "/tags/app.tag")).metadata())
          .containsEntry("halcyon-sha256", Digest.sha256(bytes).hex());
      StoredObject got = store.get("tags/app.tag").orElseThrow();
      assertThat(got.info().digest()).contains(Digest.sha256(bytes));
      try (got) {
        assertThat(got.stream().readAllBytes()).isEqualTo(bytes);
      }
    }
  }

  @Test
  void put_sameBytesAgain_isNotWrittenTwice() throws IOException {
    try (S3LayerStore store = builder(freshFolder()).build()) {
      byte[] bytes = {1, 2, 3};
      store.put("k", bytes, PutMode.OVERWRITE);

      PutResult again = store.put("k", bytes, PutMode.OVERWRITE);

      assertThat(again.written()).isFalse();
      assertThat(again.info().size()).isEqualTo(3);
    }
  }

  @Test
  void absentKey_headGetDelete_reportAbsence() throws IOException {
    try (S3LayerStore store = builder(freshFolder()).build()) {
      assertThat(store.head("nope")).isEmpty();
      assertThat(store.get("nope")).isEmpty();
      assertThat(store.delete("nope")).isFalse();
    }
  }

  @Test
  void emptyObject_roundTrips() throws IOException {
    try (S3LayerStore store = builder(freshFolder()).build()) {
      store.put("empty", new byte[0], PutMode.OVERWRITE);

      StoredObject got = store.get("empty").orElseThrow();

      assertThat(got.info().size()).isZero();
      try (got) {
        assertThat(got.stream().readAllBytes()).isEmpty();
      }
    }
  }

  @Test
  void putFile_largerThanThreshold_uploadsInPartsAndDownloadsInRanges() throws IOException {
    Path file = randomFile(tmp, "big.tar.zst", 23 * MIB + 12345, 7);
    Digest digest = digestOf(file);
    String folder = freshFolder();
    try (S3LayerStore store =
        builder(folder).partSize(5 * MIB).multipartThreshold(8 * MIB).parallelism(3).build()) {
      PutResult result = store.put("install/big.tar.zst", file, digest, PutMode.IF_ABSENT);

      assertThat(result.written()).isTrue();
      // A multipart upload has an ETag of the form "<md5 of md5s>-<parts>".
      String etag =
          raw().headObject(b -> b.bucket(bucket()).key(folder + "/install/big.tar.zst")).eTag();
      assertThat(etag).contains("-5");
      StoredObject got = store.get("install/big.tar.zst").orElseThrow();
      assertThat(got.info().digest()).contains(digest);
      assertThat(drain(got)).isEqualTo(Map.entry(digest, Files.size(file)));
    }
  }

  @Test
  void get_closedEarly_abortsAndStoreStaysUsable() throws IOException {
    Path file = randomFile(tmp, "big", 21 * MIB, 3);
    try (S3LayerStore store =
        builder(freshFolder()).partSize(5 * MIB).multipartThreshold(8 * MIB).build()) {
      store.put("big", file, digestOf(file), PutMode.OVERWRITE);

      try (StoredObject got = store.get("big").orElseThrow()) {
        assertThat(got.stream().readNBytes(1000)).hasSize(1000);
      }

      assertThat(drain(store.get("big").orElseThrow()).getValue()).isEqualTo(21 * MIB);
    }
  }

  @Test
  void putFile_wrongDigest_failsAndStoresNothing() throws IOException {
    Path small = randomFile(tmp, "small", 100_000, 1);
    Path large = randomFile(tmp, "large", 11 * MIB, 2);
    Digest wrong = Digest.sha256("something else");
    try (S3LayerStore store =
        builder(freshFolder()).partSize(5 * MIB).multipartThreshold(8 * MIB).build()) {
      assertThatThrownBy(() -> store.put("small", small, wrong, PutMode.OVERWRITE))
          .isInstanceOf(CorruptObjectException.class)
          .hasMessageContaining("does not match the digest");
      assertThatThrownBy(() -> store.put("large", large, wrong, PutMode.OVERWRITE))
          .isInstanceOf(CorruptObjectException.class)
          .hasMessageContaining("does not match the digest");

      assertThat(store.head("small")).isEmpty();
      assertThat(store.head("large")).isEmpty();
      assertThat(store.list("")).isEmpty();
    }
  }

  @Test
  void get_objectChangedBehindOurBack_throwsCorruptObject() throws IOException {
    String folder = freshFolder();
    try (S3LayerStore store = builder(folder).build()) {
      byte[] original = "original bytes".getBytes(StandardCharsets.UTF_8);
      store.put("obj", original, PutMode.OVERWRITE);
      // Same length, other bytes, the original's digest kept in the metadata.
      raw()
          .putObject(
              b ->
                  b.bucket(bucket())
                      .key(folder + "/obj")
                      .metadata(Map.of("halcyon-sha256", Digest.sha256(original).hex())),
              RequestBody.fromString("ORIGINAL BYTES"));

      StoredObject got = store.get("obj").orElseThrow();

      try (got) {
        assertThatThrownBy(() -> got.stream().readAllBytes())
            .isInstanceOf(CorruptObjectException.class)
            .hasMessageContaining("s3://" + bucket() + "/" + folder + "/obj")
            .hasMessageContaining("does not match its recorded digest");
      }
    }
  }

  @Test
  void putIfAbsent_keyTaken_keepsFirstAndReportsIt() throws IOException {
    try (S3LayerStore a = builder(freshFolder()).build()) {
      PutResult first =
          a.put("same/key", "first".getBytes(StandardCharsets.UTF_8), PutMode.IF_ABSENT);
      PutResult second =
          a.put("same/key", "second".getBytes(StandardCharsets.UTF_8), PutMode.IF_ABSENT);

      assertThat(first.written()).isTrue();
      assertThat(second.written()).isFalse();
      assertThat(second.info().digest()).contains(Digest.sha256("first"));
      try (StoredObject got = a.get("same/key").orElseThrow()) {
        assertThat(new String(got.stream().readAllBytes(), StandardCharsets.UTF_8))
            .isEqualTo("first");
      }
    }
  }

  @Test
  void folders_isolateKeys_andListStripsTheFolder() throws IOException {
    String fa = freshFolder();
    String fb = freshFolder() + "/sub";
    try (S3LayerStore a = builder(fa).build();
        S3LayerStore b = builder(fb).build()) {
      a.put("x/1", new byte[] {1}, PutMode.OVERWRITE);
      b.put("x/1", new byte[] {2, 2}, PutMode.OVERWRITE);
      b.put("x/2", new byte[] {3}, PutMode.OVERWRITE);

      assertThat(a.list("x/"))
          .extracting(ObjectInfo::key, ObjectInfo::size)
          .containsExactly(org.assertj.core.groups.Tuple.tuple("x/1", 1L));
      assertThat(b.list("")).extracting(ObjectInfo::key).containsExactly("x/1", "x/2");
      assertThat(b.describe()).isEqualTo("s3://" + bucket() + "/" + fb);
      assertThat(raw().listObjectsV2(r -> r.bucket(bucket()).prefix(fb + "/")).contents())
          .extracting(o -> o.key())
          .containsExactly(fb + "/x/1", fb + "/x/2");
    }
  }

  @Test
  void listAndDeleteAll_manyPagesAndBatches_seeEveryKeyAndDeleteInBatches() throws IOException {
    String folder = freshFolder();
    int count = 25;
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String key = String.format("many/%05d", i);
      keys.add(key);
      raw()
          .putObject(
              b -> b.bucket(bucket()).key(folder + "/" + key),
              RequestBody.fromBytes(new byte[] {(byte) 1}));
    }
    try (S3LayerStore store = builder(folder).listPageSize(4).deleteBatchSize(10).build()) {
      List<ObjectInfo> listed = store.list("many/");
      assertThat(listed).extracting(ObjectInfo::key).containsExactlyElementsOf(keys);
      assertThat(listed.get(0).digest()).isEmpty();

      int requests = store.deleteAll(keys);

      assertThat(requests).isEqualTo(3);
      assertThat(store.list("")).isEmpty();
    }
  }

  @Test
  void put_withPublicReadAcl_grantsAllUsersRead() throws IOException {
    String folder = freshFolder();
    try (S3LayerStore store = builder(folder).acl("public-read").build()) {
      store.put("published", new byte[] {9}, PutMode.OVERWRITE);
    }

    var grants = raw().getObjectAcl(b -> b.bucket(bucket()).key(folder + "/published")).grants();

    assertThat(grants)
        .anySatisfy(
            g -> {
              assertThat(g.grantee().uri())
                  .isEqualTo("http://acs.amazonaws.com/groups/global/AllUsers");
              assertThat(g.permissionAsString()).isEqualTo("READ");
            });
  }

  @Test
  void abortIncompleteUploads_uploadsOfAKilledWriter_countedInDryRunThenAbortedWhenOldEnough()
      throws IOException {
    String folder = freshFolder();
    String other = freshFolder();
    // What a process killed mid-upload leaves: an upload with a part, never completed.
    List<String> ids = new ArrayList<>();
    for (String key :
        List.of(
            folder + "/install/killed.tar.zst",
            folder + "/install/killed-too.tar.zst",
            other + "/elsewhere.tar.zst")) {
      String id = raw().createMultipartUpload(b -> b.bucket(bucket()).key(key)).uploadId();
      raw()
          .uploadPart(
              b -> b.bucket(bucket()).key(key).uploadId(id).partNumber(1),
              RequestBody.fromBytes(new byte[1024]));
      ids.add(id);
    }
    java.time.Instant later = java.time.Instant.now().plus(java.time.Duration.ofMinutes(5));
    java.time.Instant earlier = java.time.Instant.now().minus(java.time.Duration.ofHours(1));

    try (S3LayerStore store = builder(folder).build()) {
      assertThat(store.abortIncompleteUploads("", earlier, false))
          .as("begun after the cut-off: a live upload")
          .isZero();
      assertThat(store.abortIncompleteUploads("install/", later, true)).as("dry run").isEqualTo(2);
      assertThat(uploadIds(folder)).containsExactlyInAnyOrder(ids.get(0), ids.get(1));

      assertThat(store.abortIncompleteUploads("install/", later, false)).isEqualTo(2);

      assertThat(uploadIds(folder)).isEmpty();
      assertThat(uploadIds(other))
          .as("another folder's upload is not ours")
          .containsExactly(ids.get(2));
      assertThat(store.abortIncompleteUploads("", later, false)).isZero();
    }
    raw()
        .abortMultipartUpload(
            b -> b.bucket(bucket()).key(other + "/elsewhere.tar.zst").uploadId(ids.get(2)));
  }

  private List<String> uploadIds(String folder) {
    List<String> out = new ArrayList<>();
    raw()
        .listMultipartUploadsPaginator(b -> b.bucket(bucket()).prefix(folder + "/"))
        .uploads()
        .forEach(u -> out.add(u.uploadId()));
    return out;
  }

  Optional<String> unused() {
    return Optional.empty();
  }
}
