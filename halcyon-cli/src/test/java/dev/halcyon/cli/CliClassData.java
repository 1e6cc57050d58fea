package dev.halcyon.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A class-data sharing archive for the CLI processes the tests start, so that each of the suite's
 * few hundred {@code java -jar halcyon-cli.jar} runs maps the classes it needs instead of reading
 * and verifying them from the 22 MB jar (measured: 0.18 s instead of 0.31 s of CPU for an install
 * from a directory store). Only start-up changes: the same jar, classes and code run; the JVM
 * checks the archive against the jar and ignores one that does not match.
 *
 * <p>The first run of each kind (subcommand, with or without S3) records the classes it loads
 * ({@code -XX:DumpLoadedClassList}, which prints nothing); when such a run added classes the
 * archive lacks, a new archive of all classes recorded so far is dumped ({@code -Xshare:dump}, its
 * output discarded) and appears by a rename, whole or not at all. The archive lives in a fresh
 * folder under the jar's {@code target/} for this test JVM. {@code -Dhalcyon.it.cds=false} turns it
 * off (to compare). Thread-safe.
 */
final class CliClassData {
  /**
   * A dump costs one to two seconds of CPU; an archived class saves some 0.07 ms per run. The first
   * run records about 2,000 classes, the first S3 run about 2,600 more; later kinds add tens to a
   * few hundred each, worth a dump only together.
   */
  private static final int NEW_CLASSES_WORTH_A_DUMP = 500;

  private static final boolean ENABLED =
      Boolean.parseBoolean(System.getProperty("halcyon.it.cds", "true"));
  private static final AtomicInteger LISTS = new AtomicInteger();
  private static final Object LOCK = new Object();

  // Guarded by LOCK.
  private static Path dir;
  private static final Set<String> kindsSeen = new HashSet<>();
  private static final Set<String> recorded = new LinkedHashSet<>();
  private static int archivedCount;
  private static int generation;

  private static volatile Path archive;

  private CliClassData() {}

  /** What one run adds to the JVM's options, and what to do when it has exited. */
  record Plan(List<String> jvmOptions, Path classList) {
    /** After the process exited: records its classes and dumps a new archive if worth it. */
    void finished(Path jar) {
      if (classList != null) {
        record(jar, classList);
      }
    }
  }

  /** The plan for a run of {@code args} with {@code env}; {@code record} false for killed runs. */
  static Plan plan(Map<String, String> env, boolean record, String... args) {
    if (!ENABLED) {
      return new Plan(List.of(), null);
    }
    List<String> options = new ArrayList<>();
    Path current = archive;
    if (current != null) {
      options.add("-XX:SharedArchiveFile=" + current);
    }
    Path list = null;
    if (record) {
      String kind =
          (args.length > 0 ? args[0] : "") + (env.containsKey("HALCYON_S3_BUCKET") ? "+s3" : "");
      synchronized (LOCK) {
        if (kindsSeen.add(kind)) {
          list = dir().resolve("classes-" + LISTS.incrementAndGet() + ".txt");
        }
      }
      if (list != null) {
        options.add("-XX:DumpLoadedClassList=" + list);
      }
    }
    return new Plan(List.copyOf(options), list);
  }

  private static Path dir() {
    synchronized (LOCK) {
      if (dir == null) {
        try {
          Path target = CliProcess.jar().getParent();
          dir = Files.createTempDirectory(target, "cli-cds-");
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
      return dir;
    }
  }

  private static void record(Path jar, Path classList) {
    synchronized (LOCK) {
      try {
        if (!Files.isRegularFile(classList)) {
          return;
        }
        for (String line : Files.readAllLines(classList)) {
          if (!line.isBlank() && !line.startsWith("#")) {
            recorded.add(line);
          }
        }
        Files.delete(classList);
        if (recorded.size() - archivedCount >= NEW_CLASSES_WORTH_A_DUMP) {
          dump(jar);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Dumps an archive of every recorded class; on failure the previous one (or none) stays. */
  private static void dump(Path jar) throws IOException, InterruptedException {
    int count = recorded.size();
    Path list = dir.resolve("all-classes.txt");
    Files.write(list, recorded);
    Path partial = dir.resolve("dumping.jsa");
    Files.deleteIfExists(partial);
    Process p =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xshare:dump",
                "-XX:SharedClassListFile=" + list,
                "-XX:SharedArchiveFile=" + partial,
                "-cp",
                jar.toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("dump.log").toFile())
            .start();
    if (!p.waitFor(2, TimeUnit.MINUTES)) {
      p.destroyForcibly().waitFor();
      return;
    }
    if (p.exitValue() != 0 || !Files.isRegularFile(partial)) {
      return;
    }
    Path next = dir.resolve("halcyon-cli-" + ++generation + ".jsa");
    Files.move(partial, next, StandardCopyOption.ATOMIC_MOVE);
    archive = next;
    archivedCount = count;
  }
}
