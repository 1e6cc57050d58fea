package dev.halcyon.archive;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ArchivesReproducibilityTest {
  @TempDir Path tmp;

  @ParameterizedTest
  @EnumSource(Compression.class)
  void write_sameTreeTwice_givesIdenticalBytes(Compression c) throws IOException {
    Path src = tmp.resolve("src");
    Trees.sample(src);

    assertThat(bytes(src, c)).isEqualTo(bytes(src, c));
  }

  @ParameterizedTest
  @EnumSource(Compression.class)
  void write_sameContentBuiltDifferently_givesIdenticalBytes(Compression c) throws IOException {
    Path a = tmp.resolve("a");
    Path b = tmp.resolve("b");
    Trees.sample(a);
    sampleInReverseWithOtherMetadata(b);
    assertThat(Trees.describe(b)).isEqualTo(Trees.describe(a));

    assertThat(bytes(b, c)).isEqualTo(bytes(a, c));
  }

  @Test
  void write_underAnotherUser_givesIdenticalBytes() throws IOException {
    Path src = tmp.resolve("src");
    Trees.sample(src);
    byte[] first = bytes(src, Compression.NONE);
    String user = System.getProperty("user.name");
    try {
      // Commons Compress puts user.name into every entry it creates, PAX headers included.
      System.setProperty("user.name", "someone-else");
      assertThat(bytes(src, Compression.NONE)).isEqualTo(first);
    } finally {
      System.setProperty("user.name", user);
    }
  }

  @Test
  void write_entries_areSortedWithFixedOwnerModeAndTime() throws Exception {
    Path src = tmp.resolve("src");
    Trees.sample(src);
    Trees.run(src, "chmod", "6750", "lib/a/x");

    List<String> names = new ArrayList<>();
    try (TarArchiveInputStream tar =
        new TarArchiveInputStream(
            new ByteArrayInputStream(bytes(src, Compression.NONE)), "UTF-8")) {
      TarArchiveEntry e;
      while ((e = tar.getNextEntry()) != null) {
        names.add(e.getName());
        assertThat(e.getLongUserId()).isZero();
        assertThat(e.getLongGroupId()).isZero();
        assertThat(e.getUserName()).isEmpty();
        assertThat(e.getGroupName()).isEmpty();
        assertThat(e.getLastModifiedTime().toInstant()).isEqualTo(Instant.ofEpochSecond(1));
        int perms = e.getMode() & 07777;
        if (e.isSymbolicLink()) {
          assertThat(e.getLinkName()).doesNotStartWith("/");
        } else if (e.isDirectory()
            || e.getName().equals("bin/app")
            || e.getName().equals("lib/a/x")) {
          assertThat(perms).as(e.getName()).isEqualTo(0755);
        } else {
          assertThat(perms).as(e.getName()).isEqualTo(0644);
        }
      }
    }
    List<String> sorted = new ArrayList<>(names);
    sorted.sort(
        (x, y) ->
            Arrays.compareUnsigned(
                x.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                y.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    assertThat(names).isEqualTo(sorted).contains(Trees.LONG_NAME, Trees.UNICODE_NAME, "empty-dir/");
    assertThat(names.indexOf("lib/a-b.txt")).isLessThan(names.indexOf("lib/a/"));
  }

  @Test
  void zstd_workerCount_doesNotChangeTheBytes() throws IOException {
    byte[] data = new byte[24 << 20];
    Random random = new Random(7);
    for (int i = 0; i < data.length; i += 4096) {
      // Half compressible, half random, so that several zstd jobs have real work.
      if ((i / 4096) % 2 == 0) {
        random.nextBytes(Arrays.copyOfRange(data, i, i + 1));
        Arrays.fill(data, i, i + 4096, (byte) (i >> 12));
      } else {
        byte[] r = new byte[4096];
        random.nextBytes(r);
        System.arraycopy(r, 0, data, i, 4096);
      }
    }

    byte[] one = zstd(data, 1);
    assertThat(zstd(data, 2)).isEqualTo(one);
    assertThat(zstd(data, 4)).isEqualTo(one);
  }

  private static byte[] zstd(byte[] data, int workers) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (OutputStream z = Codecs.compressing(Compression.ZSTD, out, workers)) {
      // Uneven writes, as the tar writer's buffer would not give.
      for (int i = 0; i < data.length; i += 100_003) {
        z.write(data, i, Math.min(100_003, data.length - i));
      }
    }
    return out.toByteArray();
  }

  /** The tree of {@link Trees#sample}, created in another order with other times and modes. */
  private static void sampleInReverseWithOtherMetadata(Path root) throws IOException {
    Files.createDirectories(root.resolve(Trees.LONG_NAME).getParent());
    Trees.write(root.resolve(Trees.LONG_NAME), "long");
    Trees.write(root.resolve(Trees.UNICODE_NAME), "unicode");
    Trees.write(root.resolve("empty-file"), "");
    Files.createDirectories(root.resolve("empty-dir"));
    Files.createDirectories(root.resolve("lib/a"));
    Trees.write(root.resolve("lib/a/x"), "x");
    Trees.write(root.resolve("lib/a-b.txt"), "sorts before lib/a/");
    Files.createDirectories(root.resolve("lib/deep/deeper"));
    Trees.write(root.resolve("lib/deep/deeper/data.txt"), "data\n".repeat(1000));
    Files.createDirectories(root.resolve("bin"));
    Trees.write(root.resolve("bin/app"), "#!/bin/sh\necho hi\n");
    Trees.chmod(root.resolve("bin/app"), "rwx------");
    Trees.chmod(root.resolve("lib/a/x"), "rw-------");
    Trees.chmod(root.resolve("lib/deep"), "rwx------");
    Files.createSymbolicLink(root.resolve("dangling"), Path.of("not-yet-there"));
    Files.createSymbolicLink(root.resolve("lib/deep/up"), Path.of("../a-b.txt"));
    Files.createSymbolicLink(root.resolve("lib-link"), Path.of("lib/deep"));
    Files.createSymbolicLink(root.resolve("bin/app-link"), Path.of("app"));
    FileTime old = FileTime.from(Instant.parse("2001-02-03T04:05:06.789Z"));
    Files.setLastModifiedTime(root.resolve("lib/deep/deeper/data.txt"), old);
    Files.setLastModifiedTime(root.resolve("bin"), old);
    Files.setLastModifiedTime(root.resolve("bin/app"), old);
  }

  private static byte[] bytes(Path src, Compression c) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Archives.write(src, out, c);
    return out.toByteArray();
  }
}
