package dev.halcyon.archive;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;
import java.util.Set;

/**
 * Measures archive write and extract throughput on a generated tree; not a test. Run it with the
 * test classpath:
 *
 * <pre>
 * mvn -o -q dependency:build-classpath -pl halcyon-core -Dmdep.outputFile=/tmp/cp.txt
 * java -cp halcyon-core/target/classes:halcyon-core/target/test-classes:$(cat /tmp/cp.txt) \
 *     dev.halcyon.archive.ArchiveThroughput [workDir [zstd|gzip|xz|tar...]]
 * </pre>
 *
 * It builds a tree of about 300 MB in about 15,000 files (source-like text, class-like binary and
 * random bytes, plus four 25 MB files), writes and extracts it with zstd and gzip, and xz on a 30
 * MB part of it, printing MB/s of uncompressed content; then deletes everything it made.
 */
public final class ArchiveThroughput {
  private static final double MB = 1_000_000.0;

  private ArchiveThroughput() {}

  public static void main(String[] args) throws IOException {
    Path work =
        Files.createTempDirectory(
            args.length > 0 ? Path.of(args[0]) : Path.of(System.getProperty("java.io.tmpdir")),
            "halcyon-throughput-");
    try {
      Path big = work.resolve("tree");
      long bytes = generate(big, 15_000, 4, 1);
      Path small = work.resolve("small");
      long smallBytes = generate(small, 1_500, 0, 2);
      System.out.printf(
          Locale.ROOT,
          "tree: %d files, %.1f MB; small tree: %.1f MB; %d cpus%n",
          15_004,
          bytes / MB,
          smallBytes / MB,
          Runtime.getRuntime().availableProcessors());
      Set<String> only =
          args.length > 1
              ? Set.copyOf(Arrays.asList(args).subList(1, args.length))
              : Set.of("zstd", "gzip", "xz", "tar");
      // A first, unmeasured round warms the JIT and the page cache.
      measure(small, work, Compression.ZSTD, false);
      if (only.contains("zstd")) {
        measure(big, work, Compression.ZSTD, true);
        measure(small, work, Compression.ZSTD, true);
      }
      if (only.contains("gzip")) {
        measure(big, work, Compression.GZIP, true);
        measure(small, work, Compression.GZIP, true);
      }
      if (only.contains("xz")) {
        measure(small, work, Compression.XZ, true);
      }
      if (only.contains("tar") && Files.isExecutable(Path.of("/usr/bin/tar"))) {
        gnuTar(big, work, bytes, "--zstd", "tar.zst");
        gnuTar(big, work, bytes, "-z", "tar.gz");
      }
    } finally {
      Archives.deleteTree(work);
    }
  }

  private static void measure(Path tree, Path work, Compression c, boolean print)
      throws IOException {
    Path archive = work.resolve("a." + c.extension());
    Path out = work.resolve("out");
    long t0 = System.nanoTime();
    ArchiveSummary s = Archives.write(tree, archive, c);
    long t1 = System.nanoTime();
    Archives.extract(archive, out, ExtractLimits.DEFAULT);
    long t2 = System.nanoTime();
    if (print) {
      System.out.printf(
          Locale.ROOT,
          "%-5s %-5s content %7.1f MB -> %7.1f MB (ratio %.2f): write %6.1f MB/s (%5.2f s),"
              + " extract %6.1f MB/s (%5.2f s)%n",
          c.name().toLowerCase(Locale.ROOT),
          tree.getFileName(),
          s.contentBytes() / MB,
          s.size() / MB,
          (double) s.contentBytes() / s.size(),
          s.contentBytes() / MB / ((t1 - t0) / 1e9),
          (t1 - t0) / 1e9,
          s.contentBytes() / MB / ((t2 - t1) / 1e9),
          (t2 - t1) / 1e9);
    }
    Archives.deleteTree(out);
    Files.delete(archive);
  }

  /** The same round trip with GNU tar, as a baseline under the same machine load. */
  private static void gnuTar(Path tree, Path work, long bytes, String flag, String ext)
      throws IOException {
    Path archive = work.resolve("gnu." + ext);
    Path out = Files.createDirectories(work.resolve("gnu-out"));
    long t0 = System.nanoTime();
    run(tree, "/usr/bin/tar", flag, "-cf", archive.toString(), ".");
    long t1 = System.nanoTime();
    run(out, "/usr/bin/tar", flag, "-xf", archive.toString());
    long t2 = System.nanoTime();
    System.out.printf(
        Locale.ROOT,
        "gnu tar %-6s content %7.1f MB -> %7.1f MB: write %6.1f MB/s (%5.2f s),"
            + " extract %6.1f MB/s (%5.2f s)%n",
        flag,
        bytes / MB,
        Files.size(archive) / MB,
        bytes / MB / ((t1 - t0) / 1e9),
        (t1 - t0) / 1e9,
        bytes / MB / ((t2 - t1) / 1e9),
        (t2 - t1) / 1e9);
    Archives.deleteTree(out);
    Files.delete(archive);
  }

  private static void run(Path dir, String... command) throws IOException {
    try {
      Process p = new ProcessBuilder(command).directory(dir.toFile()).inheritIO().start();
      if (p.waitFor() != 0) {
        throw new IOException(String.join(" ", command) + " failed");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  /**
   * Writes {@code files} small files (60% source-like text, 25% class-like binary, 15% random) in
   * nested directories, plus {@code bigFiles} 25 MB files (half text, half random).
   */
  private static long generate(Path root, int files, int bigFiles, long seed) throws IOException {
    Random random = new Random(seed);
    String[] words = {
      "public",
      "static",
      "final",
      "class",
      "return",
      "import",
      "dev.halcyon",
      "layer",
      "archive",
      "if",
      "else",
      "for",
      "int",
      "long",
      "String",
      "new",
      "throws",
      "IOException",
      "void",
      "{",
      "}",
      "(",
      ")",
      ";",
      "=",
      "this",
      "private",
      "List<String>",
      "Map",
      "get",
      "put",
      "value"
    };
    long total = 0;
    for (int i = 0; i < files; i++) {
      Path dir = root.resolve("m" + (i % 40)).resolve("p" + (i % 13)).resolve("q" + (i % 7));
      Files.createDirectories(dir);
      int size = 1_000 + (int) Math.abs(random.nextGaussian() * 15_000);
      int kind = random.nextInt(100);
      byte[] content;
      if (kind < 60) {
        StringBuilder sb = new StringBuilder(size + 64);
        while (sb.length() < size) {
          sb.append(words[random.nextInt(words.length)])
              .append(random.nextInt(10) == 0 ? '\n' : ' ');
        }
        content = sb.toString().getBytes(StandardCharsets.US_ASCII);
      } else if (kind < 85) {
        content = new byte[size];
        for (int j = 0; j < size; j++) {
          // Small alphabet with runs: compresses like bytecode, about 2-3x.
          content[j] = (byte) (random.nextInt(4) == 0 ? random.nextInt(256) : random.nextInt(24));
        }
      } else {
        content = new byte[size];
        random.nextBytes(content);
      }
      Path file = dir.resolve((kind < 60 ? "F" : kind < 85 ? "C" : "R") + i + ".dat");
      Files.write(file, content);
      total += content.length;
    }
    for (int i = 0; i < bigFiles; i++) {
      Path file = root.resolve("big" + i + ".bin");
      byte[] chunk = new byte[1 << 20];
      try (OutputStream out = Files.newOutputStream(file)) {
        for (int m = 0; m < 25; m++) {
          if (i % 2 == 0) {
            for (int j = 0; j < chunk.length; j++) {
              chunk[j] = (byte) ('a' + random.nextInt(8));
            }
          } else {
            random.nextBytes(chunk);
          }
          out.write(chunk);
        }
      }
      total += 25L << 20;
    }
    return total;
  }
}
