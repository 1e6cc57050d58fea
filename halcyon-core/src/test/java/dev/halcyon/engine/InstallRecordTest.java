package dev.halcyon.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.halcyon.hash.Digests;
import dev.halcyon.layer.Digest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The install record never follows a symlink of the installed tree, wherever it points; recorded
 * from a restore's snapshot, it keeps the snapshot's stats and hashes only the racy files.
 */
class InstallRecordTest {
  @TempDir Path tmp;

  @AfterEach
  void removeLinks() throws IOException {
    // Else JUnit warns about the links leaving @TempDir when it deletes it.
    try (Stream<Path> walk = Files.walk(tmp)) {
      for (Path p : walk.filter(Files::isSymbolicLink).toList()) {
        Files.delete(p);
      }
    }
  }

  @Test
  void write_treeWithLinksPointingOutside_recordsOnlyItsOwnRegularFiles() throws IOException {
    Path outside = tmp.resolve("outside");
    Files.createDirectories(outside);
    Files.writeString(outside.resolve("secret.txt"), "secret");
    Path app = tmp.resolve("app");
    Files.createDirectories(app.resolve("bin"));
    Files.writeString(app.resolve("bin/run"), "#!/bin/sh\n");
    Files.createSymbolicLink(app.resolve("etc"), Path.of("/etc"));
    Files.createSymbolicLink(app.resolve("lib"), outside);
    Files.createSymbolicLink(app.resolve("secret"), outside.resolve("secret.txt"));
    Files.createSymbolicLink(app.resolve("gone"), Path.of("/no/such/file"));
    Path record = tmp.resolve("record");

    InstallRecord.write(record, app, Map.of(), Long.MIN_VALUE, Set.of());

    assertThat(InstallRecord.read(record).entries()).containsOnlyKeys("bin/run");
    assertThat(InstallRecord.read(record).entries().get("bin/run").digest())
        .isEqualTo(Digests.sha256(app.resolve("bin/run")));
  }

  @Test
  void hash_ofASymlink_failsInsteadOfHashingItsTarget() throws IOException {
    Path outside = tmp.resolve("secret.txt");
    Files.writeString(outside, "secret");
    Path link = Files.createSymbolicLink(tmp.resolve("link"), outside);

    assertThatThrownBy(() -> InstallRecord.hash(link)).isInstanceOf(IOException.class);
    assertThat(InstallRecord.hash(outside)).isEqualTo(Digests.sha256(outside));
  }

  /** A snapshot of {@code files} as a restore takes it: at {@code asOfNs}, with given digests. */
  private static InstallRecord.Snapshot snapshot(Path app, long asOfNs, Map<String, Digest> files)
      throws IOException {
    Map<String, InstallRecord.Entry> entries = new java.util.HashMap<>();
    for (Map.Entry<String, Digest> f : files.entrySet()) {
      InstallRecord.Stat stat = InstallRecord.stat(app.resolve(f.getKey())).orElseThrow();
      entries.put(f.getKey(), new InstallRecord.Entry(f.getValue(), stat));
    }
    return new InstallRecord.Snapshot(entries, asOfNs, Set.of());
  }

  @Test
  void writeSnapshot_fileChangedAfterTheSnapshot_keepsItsOldStatAndSoProvesNothing()
      throws Exception {
    Path app = tmp.resolve("app");
    TestRecipes.write(app.resolve("a.txt"), "a");
    TestRecipes.write(app.resolve("b.txt"), "b");
    Thread.sleep(20); // the files' stamps are older than the snapshot's time
    long asOf = InstallRecord.fileSystemNow(tmp.resolve("clock"));
    InstallRecord.Snapshot snapshot =
        snapshot(
            app,
            asOf,
            Map.of("a.txt", Digests.sha256(app.resolve("a.txt")), "b.txt", Digest.sha256("b")));
    Thread.sleep(20);
    Files.writeString(app.resolve("b.txt"), "changed after the snapshot");
    Path record = tmp.resolve("record");

    InstallRecord.write(record, app, snapshot);

    InstallRecord read = InstallRecord.read(record);
    assertThat(read.entries()).containsOnlyKeys("a.txt", "b.txt");
    InstallRecord.Stat a = InstallRecord.stat(app.resolve("a.txt")).orElseThrow();
    InstallRecord.Stat b = InstallRecord.stat(app.resolve("b.txt")).orElseThrow();
    assertThat(read.provenDigest("a.txt", a)).contains(Digests.sha256(app.resolve("a.txt")));
    assertThat(read.provenDigest("b.txt", b)).as("its stat is the snapshot's").isEmpty();
  }

  @Test
  void writeSnapshot_fileAsNewAsTheSnapshot_isHashedNotTakenFromIt() throws Exception {
    Path app = tmp.resolve("app");
    TestRecipes.write(app.resolve("a.txt"), "a");
    // The snapshot's time is not later than the file's stamps: racy, so its digest is not trusted.
    InstallRecord.Snapshot snapshot =
        snapshot(app, Long.MIN_VALUE + 1, Map.of("a.txt", Digest.sha256("not what it holds")));
    Path record = tmp.resolve("record");

    InstallRecord.write(record, app, snapshot);

    assertThat(InstallRecord.read(record).entries().get("a.txt").digest())
        .isEqualTo(Digests.sha256(app.resolve("a.txt")));
  }
}
