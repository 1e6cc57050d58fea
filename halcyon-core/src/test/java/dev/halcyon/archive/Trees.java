package dev.halcyon.archive;

import dev.halcyon.hash.Digests;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Test helpers: build sample trees and describe trees so that two can be compared. */
public final class Trees {
  /** A name of more than 100 bytes, which needs a PAX header. */
  static final String LONG_NAME =
      "l".repeat(60) + "/" + "o".repeat(60) + "/" + "n".repeat(120) + ".txt";

  static final String UNICODE_NAME = "ünïcødé-名前-\uD83D\uDE80.txt";

  private Trees() {}

  /**
   * Fills {@code root} with every kind of member a layer holds: nested directories, empty
   * directory, empty file, executable, unicode and long names, relative symlinks to a file and a
   * directory, a dangling-but-inside symlink.
   */
  static void sample(Path root) throws IOException {
    Files.createDirectories(root.resolve("bin"));
    write(root.resolve("bin/app"), "#!/bin/sh\necho hi\n");
    chmod(root.resolve("bin/app"), "rwxr-xr-x");
    Files.createDirectories(root.resolve("lib/deep/deeper"));
    write(root.resolve("lib/deep/deeper/data.txt"), "data\n".repeat(1000));
    write(root.resolve("lib/a-b.txt"), "sorts before lib/a/");
    Files.createDirectories(root.resolve("lib/a"));
    write(root.resolve("lib/a/x"), "x");
    Files.createDirectories(root.resolve("empty-dir"));
    write(root.resolve("empty-file"), "");
    write(root.resolve(UNICODE_NAME), "unicode");
    Files.createDirectories(root.resolve(LONG_NAME).getParent());
    write(root.resolve(LONG_NAME), "long");
    Files.createSymbolicLink(root.resolve("bin/app-link"), Path.of("app"));
    Files.createSymbolicLink(root.resolve("lib-link"), Path.of("lib/deep"));
    Files.createSymbolicLink(root.resolve("lib/deep/up"), Path.of("../a-b.txt"));
    Files.createSymbolicLink(root.resolve("dangling"), Path.of("not-yet-there"));
  }

  static void write(Path file, String content) throws IOException {
    Files.writeString(file, content, StandardCharsets.UTF_8);
  }

  static void chmod(Path path, String perms) throws IOException {
    Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(perms));
  }

  /** Writes {@code bytes} of a mix of compressible text and random bytes, streamed. */
  static void bigFile(Path file, long bytes, long seed) throws IOException {
    Random random = new Random(seed);
    byte[] chunk = new byte[1 << 20];
    byte[] text =
        "the quick brown fox jumps over the lazy dog 0123456789\n"
            .getBytes(StandardCharsets.US_ASCII);
    try (OutputStream out = Files.newOutputStream(file)) {
      long left = bytes;
      boolean compressible = true;
      while (left > 0) {
        if (compressible) {
          for (int i = 0; i < chunk.length; i++) {
            chunk[i] = text[i % text.length];
          }
        } else {
          random.nextBytes(chunk);
        }
        compressible = !compressible;
        int n = (int) Math.min(chunk.length, left);
        out.write(chunk, 0, n);
        left -= n;
      }
    }
  }

  /**
   * Each member below {@code root} by relative path: {@code dir}, {@code file <sha256> <x|->} or
   * {@code link -> <target>}. Symlinks are not followed.
   */
  static Map<String, String> describe(Path root) throws IOException {
    Map<String, String> out = new TreeMap<>();
    Files.walkFileTree(
        root,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
            if (!dir.equals(root)) {
              out.put(root.relativize(dir).toString(), "dir");
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            String rel = root.relativize(file).toString();
            if (attrs.isSymbolicLink()) {
              out.put(rel, "link -> " + Files.readSymbolicLink(file));
            } else {
              boolean x =
                  Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS)
                      .contains(PosixFilePermission.OWNER_EXECUTE);
              out.put(rel, "file " + sha256(file) + (x ? " x" : " -"));
            }
            return FileVisitResult.CONTINUE;
          }
        });
    return out;
  }

  /**
   * Deletes every symlink below {@code root}, without following any: a test that made links to
   * {@code /etc} or beyond its {@code @TempDir} calls it before JUnit deletes the directory (which
   * warns about each such link).
   */
  static void deleteSymlinks(Path root) throws IOException {
    if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (var walk = Files.walk(root)) {
      for (Path p : walk.filter(Files::isSymbolicLink).toList()) {
        Files.delete(p);
      }
    }
  }

  static String sha256(Path file) throws IOException {
    return Digests.sha256(file).hex();
  }

  /** Names of the entries of {@code dir}, sorted. */
  static List<String> list(Path dir) throws IOException {
    try (var s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  /** Runs a command, failing with its output unless it exits 0 within a minute. */
  static String run(Path workDir, String... command) throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new AssertionError(String.join(" ", command) + " failed: " + output);
    }
    return output;
  }

  /** Every path with its kind, mode and content digest or link target. */
  public static TreeMap<String, String> tree(Path root) throws IOException {
    TreeMap<String, String> t = new TreeMap<>();
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        String rel = root.relativize(p).toString();
        String mode =
            PosixFilePermissions.toString(
                Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
        if (Files.isSymbolicLink(p)) {
          t.put(rel, "link " + Files.readSymbolicLink(p));
        } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
          t.put(rel, "dir " + mode);
        } else {
          t.put(rel, "file " + mode + " " + Digests.sha256(p));
        }
      }
    }
    return t;
  }
}
