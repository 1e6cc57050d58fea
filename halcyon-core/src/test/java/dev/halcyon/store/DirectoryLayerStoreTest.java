package dev.halcyon.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.halcyon.layer.Digest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DirectoryLayerStoreTest extends LayerStoreContract {
  private Path root;

  @Override
  protected LayerStore newStore() throws IOException {
    root = tempDir.resolve("store");
    return new DirectoryLayerStore(root);
  }

  private DirectoryLayerStore directory() {
    return (DirectoryLayerStore) store;
  }

  @Test
  void linkTo_sameFileSystem_linksTheStoredFileAndAnotherStoreTakesItVerified() throws Exception {
    byte[] bytes = randomBytes(440, 200_000);
    String key = "linux/ghc-9.4/halcyon-install-abc.tar.zst";
    store.put(key, file(bytes), Digest.sha256(bytes), PutMode.OVERWRITE);
    ObjectInfo info = store.head(key).orElseThrow();
    Path target = tempDir.resolve("download");

    assertThat(store.linkTo(info, target)).isTrue();

    assertThat(Files.getAttribute(target, "unix:ino"))
        .isEqualTo(Files.getAttribute(root.resolve(key), "unix:ino"));
    LayerStore cache = new DirectoryLayerStore(tempDir.resolve("cache"));
    cache.putMoving(key, target, Digest.sha256(bytes), PutMode.OVERWRITE);
    assertThat(target).doesNotExist();
    assertThat(read(key)).isEqualTo(bytes); // the store's object is untouched by the move
    try (StoredObject cached = cache.get(key).orElseThrow()) {
      assertThat(cached.info().digest()).contains(Digest.sha256(bytes));
      assertThat(cached.stream().readAllBytes()).isEqualTo(bytes);
    }
  }

  @Test
  void linkTo_targetExists_throwsAndLeavesItAlone() throws Exception {
    store.put("a.tar.zst", randomBytes(441, 100), PutMode.OVERWRITE);
    Path target = Files.writeString(tempDir.resolve("there"), "mine");

    assertThatThrownBy(() -> store.linkTo(store.head("a.tar.zst").orElseThrow(), target))
        .isInstanceOf(java.nio.file.FileAlreadyExistsException.class);
    assertThat(target).hasContent("mine");
  }

  @Test
  void put_key_isPlainFileAtKeyPath() throws Exception {
    byte[] bytes = randomBytes(1, 1000);

    store.put("linux/ghc-9.4/halcyon-build-abc.tar.zst", bytes, PutMode.OVERWRITE);

    assertThat(root.resolve("linux/ghc-9.4/halcyon-build-abc.tar.zst")).hasBinaryContent(bytes);
    assertThat(store.describe()).isEqualTo(root.toString());
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "''| it is empty",
        "/etc/passwd| it starts with '/'",
        "a/../b| it has a '..' component",
        "../outside| it has a '..' component",
        "./a| it has a '.' component",
        "a//b| it has an empty component",
        "a/| it has an empty component",
        "a\\b| it contains a backslash",
        ".halcyon/records/x| component '.halcyon' starts with '.halcyon', which is reserved",
        "a/.halcyon-tmp-1| component '.halcyon-tmp-1' starts with '.halcyon', which is reserved",
      })
  void put_invalidKey_throwsIllegalArgumentSayingWhy(String key, String reason) {
    assertThatThrownBy(() -> store.put(key, new byte[] {1}, PutMode.OVERWRITE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("key '" + key + "' cannot be stored in a folder: " + reason);
    assertThatThrownBy(() -> store.head(key)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> store.delete(key)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void put_keyWithNul_throwsIllegalArgumentShowingNul() {
    assertThatThrownBy(() -> store.get("a\0b"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("key 'a\\0b' cannot be stored in a folder: it contains a NUL character");
  }

  @Test
  void list_temporaryFilesAndMetadata_areInvisible() throws Exception {
    store.put("a/visible", new byte[] {1}, PutMode.OVERWRITE);
    Files.write(root.resolve("a/.halcyon-tmp-crashed"), new byte[] {2});
    Files.write(root.resolve(".halcyon-tmp-top"), new byte[] {3});

    assertThat(store.list("")).extracting(ObjectInfo::key).containsExactly("a/visible");
    assertThat(store.list("a/.hal")).isEmpty();
    assertThat(store.list(".halcyon")).isEmpty();
    assertThat(store.list("../")).isEmpty();
  }

  @Test
  void removeStaleTemporaryFiles_crashedWriterLeftovers_removesOnlyOldOnes() throws Exception {
    store.put("a/kept", new byte[] {1}, PutMode.OVERWRITE);
    Path crashed = Files.write(root.resolve("a/.halcyon-tmp-crashed"), new byte[] {2});
    Files.setLastModifiedTime(crashed, FileTime.from(Instant.now().minus(Duration.ofHours(2))));
    Path live = Files.write(root.resolve("a/.halcyon-tmp-live"), new byte[] {3});

    int removed = directory().removeStaleTemporaryFiles(Duration.ofHours(1));

    assertThat(removed).isEqualTo(1);
    assertThat(crashed).doesNotExist();
    assertThat(live).exists();
    assertInfo(store.head("a/kept").orElseThrow(), "a/kept", new byte[] {1});
  }

  @Test
  void removeStaleTemporaryFiles_recordsOfReplacedVersions_removedCurrentKept() throws Exception {
    store.put("k", new byte[] {1}, PutMode.OVERWRITE);
    Path current = onlyRecord();
    Path orphan =
        current.resolveSibling(current.getFileName().toString().replaceAll("\\.i\\d+-", ".i1-"));
    Files.copy(current, orphan);

    int removed = directory().removeStaleTemporaryFiles(Duration.ZERO);

    assertThat(removed).isEqualTo(1);
    assertThat(orphan).doesNotExist();
    assertInfo(store.head("k").orElseThrow(), "k", new byte[] {1});
  }

  @Test
  void putAndDelete_overwriteThenDelete_leaveNoRecords() throws Exception {
    store.put("k", new byte[] {1}, PutMode.OVERWRITE);
    store.put("k", new byte[] {2}, PutMode.OVERWRITE);
    assertThat(records()).hasSize(1);

    store.delete("k");

    assertThat(records()).isEmpty();
    try (Stream<Path> files = Files.walk(root)) {
      assertThat(files.filter(Files::isRegularFile)).isEmpty();
    }
  }

  @Test
  void head_objectWrittenByAnotherTool_hasSizeButNoDigest() throws Exception {
    byte[] bytes = "written by rsync".getBytes(StandardCharsets.UTF_8);
    Files.createDirectories(root.resolve("foreign"));
    Files.write(root.resolve("foreign/file.tar.gz"), bytes);

    ObjectInfo info = store.head("foreign/file.tar.gz").orElseThrow();

    assertThat(info.size()).isEqualTo(bytes.length);
    assertThat(info.digest()).isEmpty();
    assertThat(read("foreign/file.tar.gz")).isEqualTo(bytes);
    assertThat(store.list("foreign/"))
        .extracting(ObjectInfo::key)
        .containsExactly("foreign/file.tar.gz");
  }

  @Test
  void head_objectReplacedByAnotherTool_forgetsOldDigest() throws Exception {
    store.put("k", new byte[] {1, 2, 3}, PutMode.OVERWRITE);
    Path replacement = Files.write(tempDir.resolve("other"), new byte[] {4, 5, 6});
    Files.move(replacement, root.resolve("k"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);

    assertThat(store.head("k").orElseThrow().digest()).isEmpty();
    assertThat(read("k")).containsExactly(4, 5, 6);
  }

  @Test
  void get_objectChangedInPlace_throwsCorruptObjectNamingKey() throws Exception {
    store.put("damaged/obj", new byte[] {1, 2, 3, 4}, PutMode.OVERWRITE);
    Path file = root.resolve("damaged/obj");
    FileTime written = Files.getLastModifiedTime(file);
    // Bit rot: the bytes change in place, the file's inode, size and time do not.
    Files.write(file, new byte[] {1, 2, 3, 5}, StandardOpenOption.TRUNCATE_EXISTING);
    Files.setLastModifiedTime(file, written);

    try (StoredObject object = store.get("damaged/obj").orElseThrow()) {
      assertThatThrownBy(() -> object.stream().readAllBytes())
          .isInstanceOf(CorruptObjectException.class)
          .hasMessageContaining("damaged/obj")
          .hasMessageContaining("does not match its recorded digest");
    }
  }

  @Test
  void put_keyBelowExistingKey_throwsStoreExceptionNamingBoth() throws Exception {
    store.put("a/b", new byte[] {1}, PutMode.OVERWRITE);

    assertThatThrownBy(() -> store.put("a/b/c", new byte[] {2}, PutMode.OVERWRITE))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("cannot store 'a/b/c'")
        .hasMessageContaining("'a/b' is an object");
  }

  @Test
  void put_keyThatIsAFolder_throwsStoreException() throws Exception {
    store.put("a/b/c", new byte[] {1}, PutMode.OVERWRITE);

    for (PutMode mode : PutMode.values()) {
      assertThatThrownBy(() -> store.put("a/b", new byte[] {2}, mode))
          .as(mode.toString())
          .isInstanceOf(StoreException.class)
          .hasMessageContaining("cannot store 'a/b'")
          .hasMessageContaining("is a folder");
    }
    assertThat(store.head("a/b")).isEmpty();
  }

  @Test
  void put_twoStoresOnOneRoot_seeEachOthersWrites() throws Exception {
    DirectoryLayerStore other = new DirectoryLayerStore(root);
    byte[] first = randomBytes(2, 10_000);
    byte[] second = randomBytes(3, 20_000);

    store.put("shared/k", first, PutMode.IF_ABSENT);
    assertThat(other.put("shared/k", second, PutMode.IF_ABSENT).written()).isFalse();
    assertThat(other.put("shared/k", second, PutMode.OVERWRITE).written()).isTrue();

    assertInfo(store.head("shared/k").orElseThrow(), "shared/k", second);
    assertThat(read("shared/k")).isEqualTo(second);
    assertThat(other.delete("shared/k")).isTrue();
    assertThat(store.delete("shared/k")).isFalse();
    assertThat(store.list("")).isEmpty();
  }

  @Test
  void putIfAbsent_withoutHardLinks_fallsBackToRename() throws Exception {
    DirectoryLayerStore noLinks = new DirectoryLayerStore(root, false);
    byte[] first = randomBytes(4, 1000);

    assertThat(noLinks.put("k", first, PutMode.IF_ABSENT).written()).isTrue();
    assertThat(noLinks.put("k", randomBytes(5, 1000), PutMode.IF_ABSENT).written()).isFalse();

    assertInfo(store.head("k").orElseThrow(), "k", first);
  }

  @Test
  void constructor_rootIsAFile_throwsStoreConfiguration() throws Exception {
    Path file = Files.write(tempDir.resolve("a-file"), new byte[] {1});

    assertThatThrownBy(() -> new DirectoryLayerStore(file))
        .isInstanceOf(StoreConfigurationException.class)
        .hasMessage("store folder " + file + " is a file; point the store at a folder");
  }

  @Test
  void put_digestMismatch_leavesNoTemporaryFile() throws Exception {
    Path source = file(new byte[] {1, 2});

    assertThatThrownBy(() -> store.put("x/y", source, Digest.sha256("z"), PutMode.OVERWRITE))
        .isInstanceOf(CorruptObjectException.class)
        .hasMessageContaining("refused to store 'x/y'")
        .hasMessageContaining("nothing was stored");

    try (Stream<Path> files = Files.walk(root)) {
      assertThat(files.filter(Files::isRegularFile)).isEmpty();
    }
  }

  private List<Path> records() throws IOException {
    try (Stream<Path> files = Files.walk(root.resolve(".halcyon/records"))) {
      return files.filter(Files::isRegularFile).toList();
    }
  }

  private Path onlyRecord() throws IOException {
    List<Path> records = records();
    assertThat(records).hasSize(1);
    return records.get(0);
  }

  @Test
  void putMoving_sameFileSystem_renamesTheFileAndRecordsTheDigest() throws Exception {
    byte[] bytes = randomBytes(41, 200_000);
    Path source = file(bytes);
    Object inode = Files.getAttribute(source, "unix:ino");

    store.putMoving("linux/moved.tar.zst", source, Digest.sha256(bytes), PutMode.IF_ABSENT);

    Path object = root.resolve("linux/moved.tar.zst");
    assertThat(Files.getAttribute(object, "unix:ino")).isEqualTo(inode);
    assertThat(source).doesNotExist();
    assertInfo(store.head("linux/moved.tar.zst").orElseThrow(), "linux/moved.tar.zst", bytes);
    assertThat(read("linux/moved.tar.zst")).isEqualTo(bytes);
    try (Stream<Path> all = Files.walk(root)) {
      assertThat(all.map(Path::toString)).noneMatch(p -> p.contains(".halcyon-tmp-"));
    }
  }

  @Test
  void putMoving_otherFileSystem_copiesChecksAndDeletesTheFile() throws Exception {
    Path shm = Path.of("/dev/shm");
    org.junit.jupiter.api.Assumptions.assumeTrue(
        Files.isDirectory(shm)
            && Files.isWritable(shm)
            && !Files.getFileStore(shm).equals(Files.getFileStore(root)),
        "needs a writable /dev/shm on another file system");
    byte[] bytes = randomBytes(42, 100_000);
    Path source = Files.write(Files.createTempFile(shm, "halcyon-test-", ".bin"), bytes);
    try {
      store.putMoving("linux/copied.tar.zst", source, Digest.sha256(bytes), PutMode.OVERWRITE);

      assertThat(source).doesNotExist();
      assertInfo(store.head("linux/copied.tar.zst").orElseThrow(), "linux/copied.tar.zst", bytes);
      assertThat(read("linux/copied.tar.zst")).isEqualTo(bytes);
    } finally {
      Files.deleteIfExists(source);
    }
  }

  @Test
  void removeStaleTemporaryFiles_oldFileInStagingFolder_isRemovedAndNeverListed() throws Exception {
    Path staging = directory().stagingFolder();
    Path left = Files.writeString(staging.resolve("abc-download.tar.zst"), "partial");
    Files.setLastModifiedTime(left, FileTime.from(Instant.now().minus(Duration.ofHours(2))));

    assertThat(staging).startsWith(root);
    assertThat(store.list("")).isEmpty();
    assertThat(directory().removeStaleTemporaryFiles(Duration.ofHours(1))).isEqualTo(1);
    assertThat(left).doesNotExist();
  }
}
