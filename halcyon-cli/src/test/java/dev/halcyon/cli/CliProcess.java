package dev.halcyon.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs the real CLI jar as a separate process, as a person or a CI job would. */
final class CliProcess {
  private CliProcess() {}

  /** The outcome of one run. */
  record Result(int exit, String out, String err) {
    @Override
    public String toString() {
      return "exit " + exit + "\n--- stdout\n" + out + "\n--- stderr\n" + err;
    }
  }

  static Path jar() {
    Path jar =
        Path.of(System.getProperty("halcyon.cli.jar", "target/halcyon-cli.jar")).toAbsolutePath();
    assertThat(jar).as("the shaded CLI jar (mvn package builds it)").exists();
    return jar;
  }

  /**
   * Starts {@code java -jar halcyon-cli.jar args} without waiting, output discarded; the caller
   * waits for or kills the process.
   */
  static Process start(Map<String, String> env, Path workDir, String... args) throws IOException {
    ProcessBuilder pb = command(env, workDir, CliClassData.plan(env, false, args), args);
    pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
    pb.redirectError(ProcessBuilder.Redirect.DISCARD);
    pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    return pb.start();
  }

  /** Runs {@code java -jar halcyon-cli.jar args} with exactly {@code env} plus PATH and HOME. */
  static Result run(Map<String, String> env, Path workDir, String... args)
      throws IOException, InterruptedException {
    CliClassData.Plan plan = CliClassData.plan(env, true, args);
    ProcessBuilder pb = command(env, workDir, plan, args);
    Path out = Files.createTempFile("halcyon-out", ".txt");
    Path err = Files.createTempFile("halcyon-err", ".txt");
    pb.redirectOutput(out.toFile());
    pb.redirectError(err.toFile());
    pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    Process p = pb.start();
    if (!p.waitFor(5, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError(
          "halcyon " + String.join(" ", args) + " did not finish in 5 minutes");
    }
    Result r =
        new Result(
            p.exitValue(),
            Files.readString(out, StandardCharsets.UTF_8),
            Files.readString(err, StandardCharsets.UTF_8));
    Files.delete(out);
    Files.delete(err);
    plan.finished(jar());
    return r;
  }

  /**
   * {@code java -jar halcyon-cli.jar args} in {@code workDir}, with the caller's {@code HALCYON_*}
   * and {@code AWS_*} variables replaced by exactly {@code env}.
   */
  private static ProcessBuilder command(
      Map<String, String> env, Path workDir, CliClassData.Plan plan, String... args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-XX:TieredStopAtLevel=1");
    command.addAll(plan.jvmOptions());
    command.add("-jar");
    command.add(jar().toString());
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("HALCYON_") || k.startsWith("AWS_"));
    pb.environment().putAll(env);
    return pb;
  }
}
