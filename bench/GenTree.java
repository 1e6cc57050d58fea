import java.io.*;
import java.nio.charset.StandardCharsets;
import java.nio.file.*;
import java.util.*;
import java.util.zip.*;

/**
 * Generates a deterministic, realistic install tree for the benchmarks.
 *
 * <p>Usage: {@code java GenTree.java DIR [scale]} — scale 1.0 gives about 300 MB in about 20,000
 * files: class files, jars (zip, already compressed), text, already-compressed binaries, a few
 * large files and symlinks. Same seed, same bytes.
 *
 * <p>Or {@code java GenTree.java --big FILE MB}: one tree of about MB megabytes, mostly
 * incompressible with a compressible quarter, for the memory benchmark.
 */
public final class GenTree {
  static final Random R = new Random(42);
  static final String[] WORDS = ("public private static final class interface void int long String "
      + "return if else for while new this super extends implements import package java lang util io "
      + "Object List Map Set Optional stream collect apply accept get set value key name path file "
      + "config server client request response handler error exception throw catch try finally "
      + "the of and to in is that it for on with as be at by this from or an are not").split(" ");
  static long total;
  static int files;

  public static void main(String[] args) throws IOException {
    if (args[0].equals("--big")) {
      big(Path.of(args[1]), Long.parseLong(args[2]));
      return;
    }
    Path root = Path.of(args[0]);
    double scale = args.length > 1 ? Double.parseDouble(args[1]) : 1.0;
    Files.createDirectories(root);
    // class files: ~12,000 x ~4 KB, moderately compressible (like real bytecode: ~2x)
    int classes = (int) (13_500 * scale);
    for (int i = 0; i < classes; i++) {
      Path p = root.resolve("classes/" + pkg(i / 40) + "/C" + i + ".class");
      write(p, mixed(1024 + R.nextInt(6144), 0.45));
    }
    // jars: 150 x ~0.5 MB, zip with deflated entries (already compressed)
    for (int i = 0; i < (int) (150 * scale); i++) {
      Path p = root.resolve("lib/dep-" + i + "-1." + (i % 9) + ".jar");
      Files.createDirectories(p.getParent());
      ByteArrayOutputStream bos = new ByteArrayOutputStream();
      try (ZipOutputStream z = new ZipOutputStream(bos)) {
        int entries = 40 + R.nextInt(80);
        for (int e = 0; e < entries; e++) {
          z.putNextEntry(new ZipEntry(pkg(e) + "/E" + e + ".class"));
          z.write(mixed(2048 + R.nextInt(12000), 0.45));
          z.closeEntry();
        }
      }
      write(p, bos.toByteArray());
    }
    // text: 6,000 x ~5 KB (xml, properties, html, txt), compressible ~4x
    String[] ext = {"xml", "properties", "html", "txt", "json", "md"};
    for (int i = 0; i < (int) (6_000 * scale); i++) {
      Path p = root.resolve("share/doc/" + pkg(i / 60) + "/f" + i + "." + ext[i % ext.length]);
      write(p, text(512 + R.nextInt(9000)));
    }
    // already-compressed binaries: 200 x ~250 KB (png, gz, woff2)
    String[] bext = {"png", "gz", "woff2", "jpg"};
    for (int i = 0; i < (int) (200 * scale); i++) {
      Path p = root.resolve("static/img/" + (i % 10) + "/b" + i + "." + bext[i % bext.length]);
      write(p, random(50_000 + R.nextInt(400_000)));
    }
    // a few large files: native library (half compressible), a data file, a big jar-like blob
    write(root.resolve("lib/native/libengine.so"), mixed((int) (40e6 * scale), 0.5));
    write(root.resolve("data/model.bin"), random((int) (30e6 * scale)));
    write(root.resolve("data/index.db"), mixed((int) (20e6 * scale), 0.3));
    // scripts (executable) and symlinks
    Path bin = root.resolve("bin");
    Files.createDirectories(bin);
    for (int i = 0; i < 20; i++) {
      Path p = bin.resolve("tool" + i);
      write(p, ("#!/bin/sh\nexec java -cp \"$(dirname \"$0\")/../lib/*\" app.Tool" + i + " \"$@\"\n")
          .getBytes(StandardCharsets.UTF_8));
      p.toFile().setExecutable(true, false);
    }
    for (int i = 0; i < (int) (150 * scale); i++) {
      Path link = root.resolve("lib/dep-" + i + ".jar");
      Files.createSymbolicLink(link, Path.of("dep-" + i + "-1." + (i % 9) + ".jar"));
      files++;
    }
    Files.createSymbolicLink(root.resolve("current"), Path.of("lib"));
    System.out.printf(Locale.ROOT, "generated %d files, %.1f MB in %s%n", files, total / 1e6, root);
  }

  static void big(Path file, long mb) throws IOException {
    Files.createDirectories(file.getParent());
    // ~75% incompressible, 25% compressible, in 8 MB files
    int n = (int) (mb / 8);
    for (int i = 0; i < n; i++) {
      byte[] b = (i % 4 == 3) ? mixed(8 << 20, 0.3) : random(8 << 20);
      write(file.resolve("f" + i + ".bin"), b);
    }
    System.out.printf(Locale.ROOT, "generated %d files, %.1f MB in %s%n", files, total / 1e6, file);
  }

  static String pkg(int i) {
    return "com/example/m" + (i % 17) + "/p" + (i % 53);
  }

  static void write(Path p, byte[] b) throws IOException {
    Files.createDirectories(p.getParent());
    Files.write(p, b);
    total += b.length;
    files++;
  }

  static byte[] random(int n) {
    byte[] b = new byte[n];
    R.nextBytes(b);
    return b;
  }

  /** Blocks of random bytes interleaved with word runs; {@code randomShare} of the bytes random. */
  static byte[] mixed(int n, double randomShare) {
    byte[] b = new byte[n];
    int i = 0;
    while (i < n) {
      int run = Math.min(n - i, 64 + R.nextInt(448));
      if (R.nextDouble() < randomShare) {
        for (int k = 0; k < run; k++) b[i + k] = (byte) R.nextInt();
      } else {
        byte[] w = words(run);
        System.arraycopy(w, 0, b, i, run);
      }
      i += run;
    }
    return b;
  }

  static byte[] text(int n) {
    return words(n);
  }

  static byte[] words(int n) {
    StringBuilder sb = new StringBuilder(n + 16);
    while (sb.length() < n) {
      sb.append(WORDS[R.nextInt(WORDS.length)]);
      int c = R.nextInt(12);
      sb.append(c == 0 ? '\n' : c == 1 ? '.' : ' ');
      if (R.nextInt(20) == 0) sb.append(R.nextInt(100000));
    }
    byte[] all = sb.toString().getBytes(StandardCharsets.US_ASCII);
    return Arrays.copyOf(all, n);
  }
}
