package dev.halcyon.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.halcyon.engine.RunReport;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Constructor;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * examples/embedding: a build tool using the public API only compiles a project, publishes it and
 * deploys it on a machine that may not build, with no {@code .halcyon} files; each run prints its
 * plan first and shows progress.
 */
class EmbeddingExampleTest {
  private static final Path EXAMPLE =
      Path.of("..", "examples", "embedding", "src", "main", "java", "example", "TaskRunner.java")
          .toAbsolutePath()
          .normalize();

  @TempDir Path tmp;

  private Object runner;
  private ByteArrayOutputStream out;

  private RunReport run(String... args) throws Exception {
    out = new ByteArrayOutputStream();
    return (RunReport)
        runner.getClass().getMethod("run", String[].class).invoke(runner, (Object) args);
  }

  private void loadRunner() throws Exception {
    Path classes = tmp.resolve("classes");
    JavaSnippets.compile(List.of(EXAMPLE), classes);
    URLClassLoader loader =
        new URLClassLoader(new URL[] {classes.toUri().toURL()}, getClass().getClassLoader());
    Class<?> type = loader.loadClass("example.TaskRunner");
    Constructor<?> make = type.getDeclaredConstructor(PrintStream.class);
    make.setAccessible(true);
    out = new ByteArrayOutputStream();
    runner = make.newInstance(new PrintStream(new TeeOut(), true, StandardCharsets.UTF_8));
  }

  /** Writes to whatever {@link #out} is now. */
  private final class TeeOut extends java.io.OutputStream {
    @Override
    public void write(int b) {
      out.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) {
      out.write(b, off, len);
    }
  }

  private String[] args(String task, Path project, String machine) {
    return new String[] {
      task,
      project.toString(),
      "HOME=" + tmp.resolve(machine + "/home"),
      "HALCYON_STORAGE_DIR=" + tmp.resolve("bucket"),
      "HALCYON_CACHE=" + tmp.resolve(machine + "/cache"),
      "HALCYON_BASE=" + tmp.resolve(machine + "/base"),
      "HALCYON_ROOT=" + tmp.resolve(machine + "/root"),
      "HALCYON_PLATFORM=linux-test-1.0-x86_64"
    };
  }

  @Test
  void publishThenDeploy_withoutHalcyonFiles() throws Exception {
    Path project = tmp.resolve("shop");
    Files.createDirectories(project.resolve("src/shop"));
    Files.writeString(
        project.resolve("project.properties"),
        "name=shop\nversion=1.0\ndependencies=org.slf4j:slf4j-api@2.0.16\n");
    Files.writeString(
        project.resolve("src/shop/Main.java"),
        "package shop; public class Main { public static void main(String[] a) {} }");
    Files.createDirectories(project.resolve("out"));
    Files.writeString(project.resolve("out/stale.class"), "not from these sources");
    loadRunner();

    RunReport published = run(args("publish", project, "ci"));
    String publishOut = out.toString(StandardCharsets.UTF_8);

    assertThat(publishOut).startsWith("plan for shop-1.0:\n").contains("would build");
    assertThat(publishOut.indexOf("would build")).isLessThan(publishOut.indexOf("archiving"));
    assertThat(publishOut).contains("uploading").contains("publish done: restored 0, built 2");
    assertThat(published.uploaded()).hasSize(2);
    assertThat(project.resolve(".halcyon")).doesNotExist();

    RunReport deployed = run(args("deploy", project, "prod"));
    String deployOut = out.toString(StandardCharsets.UTF_8);

    assertThat(deployOut).startsWith("plan for shop-1.0:\n").contains("install      private");
    assertThat(deployOut).contains("downloading").contains("deploy done: restored 1, built 0");
    assertThat(deployed.installedAt()).isPresent();
    Path installed = tmp.resolve("prod/root/srv/shop-1.0");
    assertThat(installed.resolve("classes/shop/Main.class")).exists();
    assertThat(installed.resolve("classes/stale.class"))
        .as("ignored output never reaches the build")
        .doesNotExist();
  }
}
