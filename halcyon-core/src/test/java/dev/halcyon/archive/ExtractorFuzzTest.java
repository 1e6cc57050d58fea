package dev.halcyon.archive;

import static org.assertj.core.api.Assertions.assertThat;

import dev.halcyon.store.CorruptObjectException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded mutation fuzzing of the extractor: valid archives of a small tree (files, directories,
 * symlinks, a hard link, an executable) in every codec, mutated by bit flips, truncation, inserted
 * bytes, overwritten ranges and tar header field rewrites (names, link names, sizes, types, modes,
 * checksums fixed up so the header is accepted), through {@link Archives#extract}. Every outcome is
 * a success or one of our archive exceptions; nothing is written outside the target (a sentinel
 * tree beside it is compared after each run); a failed run leaves no target and no temporary
 * directory.
 *
 * <p>Runs {@value #DEFAULT_RUNS} mutations, {@value #STRESS_RUNS} with {@code
 * -Dhalcyon.stress=true}: a fixed count rather than a time budget, so a run does the same work (and
 * finds the same thing) on a busy machine as on a quiet one. {@code -Dhalcyon.seed=N} replays a
 * seed.
 */
class ExtractorFuzzTest {
  static final int DEFAULT_RUNS = 1_000;
  static final int STRESS_RUNS = 20_000;
  static final long SEED = Long.getLong("halcyon.seed", 20261125L);

  @TempDir Path tmp;

  /** Mutations applied, for the report. */
  enum Mutation {
    BIT_FLIPS,
    TRUNCATE,
    INSERT,
    OVERWRITE_RANGE,
    HEADER_NAME,
    HEADER_LINK,
    HEADER_SIZE,
    HEADER_TYPE,
    HEADER_MODE,
    DUPLICATE_BLOCK
  }

  @Test
  void extract_mutatedArchives_failOnlyWithArchiveExceptionsAndNeverWriteOutside()
      throws Exception {
    Path source = tmp.resolve("source");
    Files.createDirectories(source.resolve("dir/sub"));
    Trees.write(source.resolve("a.txt"), "alpha\n".repeat(50));
    Trees.write(source.resolve("dir/b.txt"), "bravo");
    Trees.write(source.resolve("dir/sub/run.sh"), "#!/bin/sh\necho hi\n");
    Trees.chmod(source.resolve("dir/sub/run.sh"), "rwxr-xr-x");
    Files.createSymbolicLink(source.resolve("dir/link"), Path.of("b.txt"));
    Files.createLink(source.resolve("hard.txt"), source.resolve("a.txt"));
    Files.createDirectories(source.resolve(Trees.LONG_NAME).getParent());
    Trees.write(source.resolve(Trees.LONG_NAME), "long name");

    ByteArrayOutputStream plain = new ByteArrayOutputStream();
    Archives.write(source, plain, Compression.NONE);
    byte[] tar = plain.toByteArray();

    Path work = tmp.resolve("work");
    Path sentinel = work.resolve("sentinel");
    Files.createDirectories(sentinel);
    Trees.write(sentinel.resolve("keep.txt"), "untouched");
    Map<String, String> sentinelBefore = Trees.describe(sentinel);

    Random random = new Random(SEED);
    Map<String, Integer> outcomes = new TreeMap<>();
    Map<Mutation, Integer> mutations = new EnumMap<>(Mutation.class);
    long start = System.nanoTime();
    int runs = 0;
    List<Compression> codecs = List.of(Compression.ZSTD, Compression.GZIP, Compression.NONE);
    Map<Compression, byte[]> compressed = new EnumMap<>(Compression.class);
    for (Compression each : Compression.values()) {
      compressed.put(each, compress(tar, each));
    }
    Map<Compression, Integer> codecCounts = new EnumMap<>(Compression.class);
    int wanted = Boolean.getBoolean("halcyon.stress") ? STRESS_RUNS : DEFAULT_RUNS;
    while (runs < wanted) {
      Mutation m = Mutation.values()[random.nextInt(Mutation.values().length)];
      mutations.merge(m, 1, Integer::sum);
      byte[] input;
      Compression c;
      boolean header = m.name().startsWith("HEADER_") || m == Mutation.DUPLICATE_BLOCK;
      if (header || random.nextInt(3) == 0) {
        // Mutate the tar, then compress it validly: the codec passes it, the tar reader must cope.
        // Mostly plain tar, which is cheap; the codecs only wrap what the tar reader sees.
        c = random.nextInt(4) == 0 ? codecs.get(random.nextInt(2)) : Compression.NONE;
        input = compress(mutate(tar, m, random), c);
      } else {
        // Mutate the compressed bytes; xz is slow to set up, so it gets a small share.
        c = random.nextInt(10) == 0 ? Compression.XZ : codecs.get(random.nextInt(codecs.size()));
        input = mutate(compressed.get(c), m, random);
      }
      codecCounts.merge(c, 1, Integer::sum);
      Path target = work.resolve("target");
      String outcome;
      try (InputStream in = new ByteArrayInputStream(input)) {
        Archives.extract(in, c, target, ExtractLimits.DEFAULT);
        outcome = "extracted";
        assertThat(Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)).isTrue();
      } catch (IOException e) {
        if (!(e.getClass().getPackageName().equals("dev.halcyon.archive")
            || e instanceof CorruptObjectException)) {
          throw new AssertionError(
              "run " + runs + " (seed " + SEED + ", " + c + ", " + m + ") threw a foreign " + e, e);
        }
        outcome = e.getClass().getSimpleName();
        assertThat(target)
            .as("a failed extraction leaves no target (seed %d, run %d, %s)", SEED, runs, m)
            .doesNotExist();
      } catch (Throwable e) {
        throw new AssertionError(
            "run " + runs + " (seed " + SEED + ", " + c + ", " + m + ") threw " + e, e);
      }
      outcomes.merge(outcome, 1, Integer::sum);
      assertThat(Trees.describe(sentinel))
          .as("the sentinel beside the target (run %d, %s)", runs, m)
          .isEqualTo(sentinelBefore);
      try (Stream<Path> entries = Files.list(work)) {
        List<String> names = entries.map(p -> p.getFileName().toString()).sorted().toList();
        assertThat(names)
            .as("nothing but the target beside the sentinel (run %d, %s)", runs, m)
            .isSubsetOf("sentinel", "target");
      }
      assertThat(Trees.list(tmp)).containsExactlyInAnyOrder("source", "work");
      if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
        deleteTree(target);
      }
      runs++;
    }
    assertThat(Path.of("/etc/halcyon-fuzz")).doesNotExist();
    System.out.printf(
        "FUZZ seed %d: %d mutated archives in %.1f s; mutations %s; codecs %s; outcomes %s%n",
        SEED, runs, (System.nanoTime() - start) / 1e9, mutations, codecCounts, outcomes);
    assertThat(outcomes.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(wanted);
    assertThat(outcomes).containsKey("CorruptArchiveException");
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  private static byte[] compress(byte[] tar, Compression c) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (OutputStream z = Codecs.compressing(c, out)) {
      z.write(tar);
    }
    return out.toByteArray();
  }

  private static byte[] mutate(byte[] in, Mutation m, Random r) {
    byte[] b = in.clone();
    int blocks = b.length / 512;
    switch (m) {
      case BIT_FLIPS -> {
        for (int i = 1 + r.nextInt(8); i > 0; i--) {
          int at = r.nextInt(b.length);
          b[at] ^= (byte) (1 << r.nextInt(8));
        }
        return b;
      }
      case TRUNCATE -> {
        return Arrays.copyOf(b, r.nextInt(b.length));
      }
      case INSERT -> {
        int at = r.nextInt(b.length + 1);
        byte[] extra = new byte[1 + r.nextInt(600)];
        r.nextBytes(extra);
        byte[] out = new byte[b.length + extra.length];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(extra, 0, out, at, extra.length);
        System.arraycopy(b, at, out, at + extra.length, b.length - at);
        return out;
      }
      case OVERWRITE_RANGE -> {
        int at = r.nextInt(b.length);
        int len = Math.min(b.length - at, 1 + r.nextInt(64));
        for (int i = 0; i < len; i++) {
          b[at + i] = (byte) r.nextInt();
        }
        return b;
      }
      case DUPLICATE_BLOCK -> {
        int from = r.nextInt(Math.max(blocks, 1));
        int to = r.nextInt(Math.max(blocks, 1));
        System.arraycopy(
            in, from * 512, b, to * 512, Math.min(512, b.length - Math.max(from, to) * 512));
        return b;
      }
      default -> {
        // A header field rewrite: find a header block (ustar magic at 257) and rewrite one field.
        List<Integer> headers = new ArrayList<>();
        for (int i = 0; i < blocks; i++) {
          if (b[i * 512 + 257] == 'u' && b[i * 512 + 258] == 's' && b[i * 512 + 259] == 't') {
            headers.add(i * 512);
          }
        }
        if (headers.isEmpty()) {
          return b;
        }
        int h = headers.get(r.nextInt(headers.size()));
        switch (m) {
          case HEADER_NAME ->
              field(
                  b,
                  h,
                  0,
                  100,
                  pick(
                      r,
                      "../escape",
                      "/etc/halcyon-fuzz",
                      "dir/../../x",
                      "a.txt",
                      "dir",
                      "dir/link/evil",
                      "sentinel/x",
                      "",
                      ".",
                      "x\0y"));
          case HEADER_LINK -> {
            field(
                b,
                h,
                157,
                100,
                pick(
                    r,
                    "../sentinel/keep.txt",
                    "/etc/passwd",
                    "../../x",
                    "dir",
                    "a.txt",
                    "dir/link",
                    "missing"));
            b[h + 156] = (byte) pick(r, "2", "1", "0").charAt(0);
          }
          case HEADER_SIZE ->
              field(
                  b,
                  h,
                  124,
                  12,
                  pick(
                      r,
                      "77777777777",
                      "00000000000",
                      "00000001000",
                      "-1",
                      "zzzzzzzzzzz",
                      String.format("%011o", r.nextInt(1 << 20))));
          case HEADER_TYPE ->
              b[h + 156] =
                  (byte)
                      pick(
                              r, "0", "1", "2", "3", "4", "5", "6", "7", "x", "g", "L", "K", "S",
                              "V", "\0")
                          .charAt(0);
          case HEADER_MODE ->
              field(
                  b, h, 100, 8, pick(r, "4755", "2755", "1777", "0000", "7777", "777777", "0644"));
          default -> throw new IllegalStateException(m.toString());
        }
        fixChecksum(b, h);
        return b;
      }
    }
  }

  private static String pick(Random r, String... options) {
    return options[r.nextInt(options.length)];
  }

  private static void field(byte[] b, int header, int offset, int length, String value) {
    byte[] v = value.getBytes(StandardCharsets.UTF_8);
    Arrays.fill(b, header + offset, header + offset + length, (byte) 0);
    System.arraycopy(v, 0, b, header + offset, Math.min(v.length, length));
  }

  private static void fixChecksum(byte[] b, int header) {
    Arrays.fill(b, header + 148, header + 156, (byte) ' ');
    long sum = 0;
    for (int i = 0; i < 512; i++) {
      sum += b[header + i] & 0xff;
    }
    byte[] s = String.format("%06o\0 ", sum).getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(s, 0, b, header + 148, 8);
  }
}
