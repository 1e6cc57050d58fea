package dev.halcyon.cli;

import static dev.halcyon.cli.Machines.machine;
import static dev.halcyon.cli.Machines.with;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/halcyon}, the launcher, as a real process: a first run of a subcommand only lists the
 * classes it loads and a detached process makes the class-data sharing archive after the command
 * has returned; later runs map it; damaged, truncated, foreign and stale archives, an unwritable
 * directory and concurrent first runs change nothing the user sees; arguments, output and exit
 * status pass through.
 */
class LauncherIT {
  @TempDir Path tmp;

  @Test
  void launcher_firstRun_returnsBeforeTheArchiveIsWrittenThenLaterRunsMapIt() throws Exception {
    Path app = TestApps.write(tmp.resolve("app"), "1", tmp.resolve("hooks.log"));
    Map<String, String> env = machine(tmp.resolve("m"), Map.of());

    Result first = run(env, "label", app.toString());
    assertThat(first.exit()).as(first.toString()).isZero();
    assertThat(first.out()).isEqualTo("demo-app-1.0\n");
    assertThat(first.err()).as(first.toString()).isEmpty();
    // The dump starts only once the command's JVM has ended, and takes seconds: nothing of it is
    // on the first run's account (nor can a run map an archive that is still being written).
    assertThat(archives(env, "label")).as("archives right after the first run").isEmpty();
    Path archive = awaitArchive(env, "label");
    FileTime written = Files.getLastModifiedTime(archive);

    Result second = run(with(env, "HALCYON_JAVA_OPTS", "-Xlog:cds=info"), "label", app.toString());
    assertThat(second.exit()).as(second.toString()).isZero();
    assertThat(second.out())
        .as("the JVM's CDS log")
        .contains("Opened archive " + archive)
        .endsWith("demo-app-1.0\n");
    assertThat(second.out()).doesNotContain("Unable to use shared archive");

    Result third = run(env, "label", app.toString());
    assertThat(third).isEqualTo(first);
    assertThat(awaitArchive(env, "label")).isEqualTo(archive);
    assertThat(Files.getLastModifiedTime(archive)).isEqualTo(written);
  }

  @Test
  void launcher_damagedArchive_isIgnoredSilently() throws Exception {
    Path app = TestApps.write(tmp.resolve("app"), "1", tmp.resolve("hooks.log"));
    Map<String, String> env = machine(tmp.resolve("m"), Map.of());
    Result first = run(env, "label", app.toString());
    assertThat(first.exit()).as(first.toString()).isZero();
    Path archive = awaitArchive(env, "label");
    long size = Files.size(archive);

    // Garbage of the right size: the launcher passes it on, the JVM refuses it.
    archive.toFile().setWritable(true);
    byte[] garbage = new byte[(int) size];
    for (int i = 0; i < garbage.length; i++) {
      garbage[i] = (byte) (i * 31 + 7);
    }
    Files.write(archive, garbage);
    Result withGarbage = run(env, "label", app.toString());
    assertThat(withGarbage).isEqualTo(first);

    // A valid archive with its middle damaged: VerifySharedSpaces refuses it.
    Files.delete(archive);
    assertThat(run(env, "label", app.toString())).isEqualTo(first);
    archive = awaitArchive(env, "label");
    archive.toFile().setWritable(true);
    byte[] bytes = Files.readAllBytes(archive);
    for (int i = bytes.length / 2; i < bytes.length / 2 + 4096; i++) {
      bytes[i] ^= 0x5a;
    }
    Files.write(archive, bytes);
    assertThat(run(env, "label", app.toString())).isEqualTo(first);

    // Truncated (as a crash could leave it; JDK 17 would die of SIGBUS mapping it): not used, and
    // replaced by a whole one.
    Files.write(archive, java.util.Arrays.copyOf(Files.readAllBytes(archive), 100_000));
    Result truncated = run(env, "label", app.toString());
    assertThat(truncated).isEqualTo(first);
    Path replaced = awaitArchive(env, "label");
    assertThat(Files.size(replaced)).isEqualTo(size);
    assertThat(run(env, "label", app.toString())).isEqualTo(first);
  }

  @Test
  void launcher_foreignArchiveUnderTheExpectedName_isIgnoredSilently() throws Exception {
    Path app = TestApps.write(tmp.resolve("app"), "1", tmp.resolve("hooks.log"));
    Map<String, String> env = machine(tmp.resolve("m"), Map.of());
    Result first = run(env, "label", app.toString());
    Path label = awaitArchive(env, "label");
    // A whole, valid archive, but of another jar (a copy elsewhere: another class path), put
    // where this jar's archive was, under a name of its own size.
    Path otherJar = Files.copy(CliProcess.jar(), tmp.resolve("other.jar"));
    Map<String, String> other = with(env, "HALCYON_JAR", otherJar.toString());
    Files.delete(label);
    assertThat(run(other, "label", app.toString())).isEqualTo(first);
    Path foreignArchive = awaitArchive(other, "label");
    String name = label.getFileName().toString();
    Path foreign =
        label.resolveSibling(
            name.substring(0, name.lastIndexOf('-') + 1) + Files.size(foreignArchive) + ".jsa");
    Files.move(foreignArchive, foreign);

    Result r = run(env, "label", app.toString());
    assertThat(r).isEqualTo(first);
    assertThat(awaitArchive(env, "label"))
        .as("the foreign archive is left in place")
        .isEqualTo(foreign);
  }

  @Test
  void launcher_jarRebuiltInPlace_neverMapsTheOldJarsArchive() throws Exception {
    Path app = TestApps.write(tmp.resolve("app"), "1", tmp.resolve("hooks.log"));
    Path jar = Files.copy(CliProcess.jar(), tmp.resolve("halcyon-cli.jar"));
    Map<String, String> env =
        with(machine(tmp.resolve("m"), Map.of()), "HALCYON_JAR", jar.toString());
    Result first = run(env, "label", app.toString());
    Path old = awaitArchive(env, "label");

    // Same path, same bytes, same size: only the modification time (to the nanosecond) and
    // perhaps the inode differ, as after a rebuild that writes the same jar again.
    Path fresh = Files.copy(CliProcess.jar(), tmp.resolve("rebuilt.jar"));
    Files.move(fresh, jar, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Result r = run(with(env, "HALCYON_JAVA_OPTS", "-Xlog:cds=info"), "label", app.toString());

    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).doesNotContain(old.toString()).endsWith("demo-app-1.0\n");
    assertThat(run(env, "label", app.toString())).isEqualTo(first);
  }

  @Test
  void launcher_concurrentFirstRuns_bothSucceedAndLeaveOneArchive() throws Exception {
    Path app = TestApps.write(tmp.resolve("app"), "1", tmp.resolve("hooks.log"));
    Map<String, String> env = machine(tmp.resolve("m"), Map.of());

    Process a = start(env, "label", app.toString());
    Process b = start(env, "label", app.toString());
    Process c = start(env, "label", app.toString());
    Result ra = finish(a);
    Result rb = finish(b);
    Result rc = finish(c);

    assertThat(ra.exit()).as(ra.toString()).isZero();
    assertThat(rb).isEqualTo(ra);
    assertThat(rc).isEqualTo(ra);
    assertThat(ra.out()).isEqualTo("demo-app-1.0\n");
    assertThat(ra.err()).isEmpty();
    awaitArchive(env, "label");
    // A run while the archive is being written, and after: the same.
    assertThat(run(env, "label", app.toString())).isEqualTo(ra);
    awaitArchive(env, "label");
  }

  @Test
  void launcher_buildForbidden_passesExitStatusTwoAndTheErrorLine() throws Exception {
    Path app = TestApps.write(tmp.resolve("app"), "1", tmp.resolve("hooks.log"));
    Map<String, String> deployer =
        with(
            machine(
                tmp.resolve("deployer"),
                Map.of("HALCYON_STORAGE_DIR", tmp.resolve("bucket").toString())),
            "HALCYON_NO_BUILD",
            "1");

    Result forbidden = run(deployer, "install", app.toString());

    assertThat(forbidden.exit()).as(forbidden.toString()).isEqualTo(2);
    assertThat(forbidden.err().strip().lines().reduce((x, y) -> y).orElse(""))
        .startsWith("halcyon: build required but forbidden");
    Result again = run(deployer, "install", app.toString());
    assertThat(again.exit()).as(again.toString()).isEqualTo(2);
    assertThat(again.err()).isEqualTo(forbidden.err());
  }

  @Test
  void launcher_unwritableArchiveDirectory_runsWithoutArchive() throws Exception {
    Path app = TestApps.write(tmp.resolve("app"), "1", tmp.resolve("hooks.log"));
    Path file = Files.writeString(tmp.resolve("not-a-directory"), "x");
    Map<String, String> env =
        with(
            machine(tmp.resolve("m"), Map.of()), "HALCYON_CDS_DIR", file.resolve("cds").toString());

    Result r = run(env, "label", app.toString());

    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).isEqualTo("demo-app-1.0\n");
    assertThat(r.err()).isEmpty();
  }

  @Test
  void launcher_readOnlyBase_runsWithoutArchiveAndWithoutWarnings() throws Exception {
    // procfs refuses every new file, even root's (a chmod would not stop root).
    Path readOnly = Path.of("/proc/self/halcyon-base");
    Assumptions.assumeTrue(Files.isDirectory(Path.of("/proc/self")), "Linux procfs");
    Path app = TestApps.write(tmp.resolve("app"), "1", tmp.resolve("hooks.log"));
    Map<String, String> env =
        with(machine(tmp.resolve("m"), Map.of()), "HALCYON_BASE", readOnly.toString());

    Result r = run(env, "label", app.toString());
    Result again = run(env, "label", app.toString());

    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).isEqualTo("demo-app-1.0\n");
    assertThat(r.err()).isEmpty();
    assertThat(again).isEqualTo(r);
  }

  // ------------------------------------------------------------------------------------------

  /** The outcome of one run. */
  record Result(int exit, String out, String err) {
    @Override
    public String toString() {
      return "exit " + exit + "\n--- stdout\n" + out + "\n--- stderr\n" + err;
    }
  }

  private static Path launcher() {
    Path launcher =
        Path.of(System.getProperty("halcyon.launcher", "../bin/halcyon"))
            .toAbsolutePath()
            .normalize();
    assertThat(launcher).as("bin/halcyon").isExecutable();
    return launcher;
  }

  private static Path cdsDir(Map<String, String> env) {
    return Path.of(env.get("HALCYON_BASE")).resolve("cds");
  }

  /** The archives of {@code command} in the default directory (HALCYON_BASE/cds). */
  private static List<Path> archives(Map<String, String> env, String command) throws IOException {
    Path dir = cdsDir(env);
    List<Path> archives = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return archives;
    }
    try (Stream<Path> files = Files.list(dir)) {
      files
          .filter(
              p ->
                  p.getFileName().toString().matches("halcyon-[0-9]+-" + command + "-[0-9]+\\.jsa"))
          .forEach(archives::add);
    }
    return archives;
  }

  /**
   * The one whole archive of {@code command}, once the detached dump has published it and left
   * nothing behind (no class list, no temporary archive, no lock); fails after two minutes.
   */
  private static Path awaitArchive(Map<String, String> env, String command)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    while (true) {
      List<Path> archives = archives(env, command);
      List<String> leftovers = new ArrayList<>();
      try (Stream<Path> files = Files.list(cdsDir(env))) {
        files
            .map(p -> p.getFileName().toString())
            .filter(n -> n.startsWith("."))
            .forEach(leftovers::add);
      } catch (java.nio.file.NoSuchFileException e) {
        leftovers.add("(no directory yet)");
      }
      if (archives.size() == 1 && leftovers.isEmpty()) {
        Path archive = archives.get(0);
        String name = archive.getFileName().toString();
        long named = Long.parseLong(name.substring(name.lastIndexOf('-') + 1, name.length() - 4));
        if (Files.size(archive) == named) {
          return archive;
        }
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "no single whole archive of "
                + command
                + " after 2 minutes: "
                + archives
                + ", "
                + leftovers);
      }
      Thread.sleep(100); // polling for the detached dump's result, not timing it
    }
  }

  private Process start(Map<String, String> env, String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(launcher().toString());
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).directory(tmp.toFile());
    Map<String, String> penv = pb.environment();
    penv.keySet()
        .removeIf(
            k ->
                k.startsWith("HALCYON_")
                    || k.startsWith("AWS_")
                    || k.startsWith("JAVA")
                    || k.startsWith("JDK_"));
    penv.putAll(env);
    penv.put("JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
    penv.putIfAbsent("HALCYON_JAR", CliProcess.jar().toString());
    int n = counter++;
    pb.redirectOutput(tmp.resolve("out-" + n + ".txt").toFile());
    pb.redirectError(tmp.resolve("err-" + n + ".txt").toFile());
    pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    Process p = pb.start();
    outputs.put(p, n);
    return p;
  }

  private int counter;
  private final Map<Process, Integer> outputs = new java.util.HashMap<>();

  private Result finish(Process p) throws IOException, InterruptedException {
    if (!p.waitFor(2, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError("bin/halcyon did not finish in 2 minutes");
    }
    int n = outputs.get(p);
    return new Result(
        p.exitValue(),
        Files.readString(tmp.resolve("out-" + n + ".txt"), StandardCharsets.UTF_8),
        Files.readString(tmp.resolve("err-" + n + ".txt"), StandardCharsets.UTF_8));
  }

  private Result run(Map<String, String> env, String... args)
      throws IOException, InterruptedException {
    return finish(start(env, args));
  }
}
