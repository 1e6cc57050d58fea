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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/halcyon}, the launcher, as a real process: it writes a class-data sharing archive on
 * the first run of a subcommand, maps it on later runs, survives damaged archives without a word,
 * and passes arguments, output and exit status through.
 */
class LauncherIT {
  @TempDir Path tmp;

  @Test
  void launcher_firstRunThenSecond_writesArchiveThenMapsItWithTheSameOutput() throws Exception {
    Path app = TestApps.write(tmp.resolve("app"), "1", tmp.resolve("hooks.log"));
    Map<String, String> env = machine(tmp.resolve("m"), Map.of());

    Result first = run(env, "label", app.toString());
    assertThat(first.exit()).as(first.toString()).isZero();
    assertThat(first.out()).isEqualTo("demo-app-1.0\n");
    assertThat(first.err()).as(first.toString()).isEmpty();
    Path archive = onlyArchive(env, "label");
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
    assertThat(onlyArchive(env, "label")).isEqualTo(archive);
    assertThat(Files.getLastModifiedTime(archive)).isEqualTo(written);
  }

  @Test
  void launcher_damagedArchive_isIgnoredSilently() throws Exception {
    Path app = TestApps.write(tmp.resolve("app"), "1", tmp.resolve("hooks.log"));
    Map<String, String> env = machine(tmp.resolve("m"), Map.of());
    Result first = run(env, "label", app.toString());
    assertThat(first.exit()).as(first.toString()).isZero();
    Path archive = onlyArchive(env, "label");
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
    archive = onlyArchive(env, "label");
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
    Path replaced = onlyArchive(env, "label");
    assertThat(Files.size(replaced)).isEqualTo(size);
    assertThat(run(env, "label", app.toString())).isEqualTo(first);
  }

  @Test
  void launcher_concurrentFirstRuns_bothSucceedAndLeaveOneArchive() throws Exception {
    Path app = TestApps.write(tmp.resolve("app"), "1", tmp.resolve("hooks.log"));
    Map<String, String> env = machine(tmp.resolve("m"), Map.of());

    Process a = start(env, "label", app.toString());
    Process b = start(env, "label", app.toString());
    Result ra = finish(a);
    Result rb = finish(b);

    assertThat(ra.exit()).as(ra.toString()).isZero();
    assertThat(rb).isEqualTo(ra);
    assertThat(ra.out()).isEqualTo("demo-app-1.0\n");
    onlyArchive(env, "label");
    try (Stream<Path> files = Files.list(cdsDir(env))) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .as("no temporary files left")
          .noneMatch(n -> n.startsWith("."));
    }
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

  /** The one archive of {@code command} in the default directory (HALCYON_BASE/cds). */
  private static Path onlyArchive(Map<String, String> env, String command) throws IOException {
    Path dir = cdsDir(env);
    assertThat(dir).isDirectory();
    List<Path> archives = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      files
          .filter(
              p ->
                  p.getFileName().toString().matches("halcyon-[0-9]+-" + command + "-[0-9]+\\.jsa"))
          .forEach(archives::add);
    }
    assertThat(archives).as("archives of " + command + " in " + dir).hasSize(1);
    Path archive = archives.get(0);
    String name = archive.getFileName().toString();
    assertThat(Files.size(archive))
        .as("the size in the name")
        .isEqualTo(Long.parseLong(name.substring(name.lastIndexOf('-') + 1, name.length() - 4)));
    return archive;
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
    penv.put("HALCYON_JAR", CliProcess.jar().toString());
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
