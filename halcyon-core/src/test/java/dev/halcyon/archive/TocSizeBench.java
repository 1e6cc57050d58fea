package dev.halcyon.archive;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Compares a framed zstd archive (with TOC) against one single zstd stream of the same tar at the
 * same level and worker count (what Archives wrote before), and against the zstd CLI; not a test.
 *
 * <pre>
 * java -cp halcyon-core/target/classes:halcyon-core/target/test-classes:$(cat /tmp/cp.txt) \
 *     dev.halcyon.archive.TocSizeBench TREE [rounds]
 * </pre>
 */
public final class TocSizeBench {
  private TocSizeBench() {}

  public static void main(String[] args) throws Exception {
    Path tree = Path.of(args[0]);
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    Path work = Files.createTempDirectory("toc-bench-");
    try {
      Path tar = work.resolve("plain.tar");
      Archives.write(tree, tar, Compression.NONE);
      for (int r = 0; r < rounds; r++) {
        long t0 = System.nanoTime();
        Path framed = work.resolve("framed.tar.zst");
        ArchiveSummary s = Archives.write(tree, framed, Compression.ZSTD);
        long t1 = System.nanoTime();
        // Before: the same members, one zstd stream (Commons Compress, level 3, same workers).
        Path single = work.resolve("single.tar.zst");
        long singleSize;
        try (OutputStream out =
            Codecs.compressing(Compression.ZSTD, Files.newOutputStream(single))) {
          Archives.write(tree, out, Compression.NONE);
        }
        singleSize = Files.size(single);
        long t2 = System.nanoTime();
        Process p =
            new ProcessBuilder(
                    "zstd",
                    "-q",
                    "-f",
                    "-3",
                    "-T" + Codecs.ZSTD_WORKERS,
                    tar.toString(),
                    "-o",
                    work.resolve("cli.tar.zst").toString())
                .inheritIO()
                .start();
        p.waitFor();
        long t3 = System.nanoTime();
        long cli = Files.size(work.resolve("cli.tar.zst"));
        byte[] tocFrame = Tocs.tocFrame(Files.readAllBytes(framed));
        System.out.printf(
            Locale.ROOT,
            "round %d: content %.1f MB, %d members; framed %d B (TOC frame %d B) in %.2f s;"
                + " single stream %d B in %.2f s; zstd CLI -3 -T%d %d B in %.2f s;"
                + " size framed/single %.4f; time framed/single %.2f%n",
            r,
            s.contentBytes() / 1e6,
            s.entries(),
            s.size(),
            tocFrame.length,
            (t1 - t0) / 1e9,
            singleSize,
            (t2 - t1) / 1e9,
            Codecs.ZSTD_WORKERS,
            cli,
            (t3 - t2) / 1e9,
            (double) s.size() / singleSize,
            (double) (t1 - t0) / (t2 - t1));
      }
      new ByteArrayOutputStream().close();
    } finally {
      Archives.deleteTree(work);
    }
  }
}
