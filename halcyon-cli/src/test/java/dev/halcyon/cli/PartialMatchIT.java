package dev.halcyon.cli;

import static dev.halcyon.cli.Machines.machine;
import static dev.halcyon.cli.Machines.with;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * {@code examples/hello-maven} with one dependency bumped, with the real jar, the real hooks and
 * Maven Central: the second build machine extends the first one's dependencies layer. Downloads
 * from Maven Central (the toolchain once, the dependencies, the constraints hook's resolution); the
 * constraints hook's repository is kept under {@code target/} between runs. Skipped, saying why,
 * when Central cannot be reached or there is no {@code mvn} on the PATH.
 */
@Execution(ExecutionMode.CONCURRENT) // waits more than it computes: beside the others
class PartialMatchIT {
  private static final String CENTRAL = "https://repo.maven.apache.org/maven2/";
  private static final Path EXAMPLE = Path.of("../examples/hello-maven").toAbsolutePath();

  @TempDir Path tmp;

  @BeforeAll
  static void needsCentralAndMaven() {
    assumeTrue(
        onPath("mvn"), "skipped: no mvn on the PATH (the example's toolchain-build needs one)");
    assumeTrue(reachable(), "skipped: Maven Central (" + CENTRAL + ") is unreachable from here");
  }

  @Test
  void build_dependencyBumped_extendsThePreviousLayer_andExplainShowsTheCandidate()
      throws Exception {
    Path app = copy(EXAMPLE, tmp.resolve("app"));
    Map<String, String> store =
        Map.of(
            "HALCYON_STORAGE_DIR",
            tmp.resolve("bucket").toString(),
            "HALCYON_CONSTRAINTS_REPO",
            Path.of("target/partial-match-it-repo").toAbsolutePath().toString(),
            "JAVA_HOME",
            System.getProperty("java.home"),
            // The example's hooks run Maven five times; C1 and the serial collector suit such
            // short JVMs (the build and its layers are the same).
            "MAVEN_OPTS",
            "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC");
    CliProcess.Result first =
        CliProcess.run(machine(tmp.resolve("first"), store), tmp, "build", app.toString());
    assertThat(first.exit()).as(first.toString()).isZero();
    assertThat(first.err()).containsPattern("dependencies\\s+built");

    bump(app, "3.17.0", "3.18.0");
    Map<String, String> second = machine(tmp.resolve("second"), store);
    CliProcess.Result extended =
        CliProcess.run(with(second, "HALCYON_NO_CLEAN_CACHE", "1"), tmp, "build", app.toString());

    assertThat(extended.exit()).as(extended.toString()).isZero();
    assertThat(extended.err())
        .containsPattern(
            "dependencies\\s+extended .*halcyon-dependencies-.*-hello-maven-1\\.0\\.tar\\.zst"
                + "  from .*halcyon-dependencies-.*-hello-maven-1\\.0\\.tar\\.zst \\(\\d+ of \\d+\\)");
    try (Stream<Path> files = Files.walk(tmp.resolve("bucket"))) {
      assertThat(files.map(Path::toString).filter(f -> f.endsWith(".manifest")))
          .anyMatch(f -> read(f).contains("\nextended-from="));
    }

    // explain on the second machine (its toolchain is in place) for a further bump.
    bump(app, "3.18.0", "3.19.0");
    CliProcess.Result explained = CliProcess.run(second, tmp, "explain", app.toString());
    assertThat(explained.exit()).as(explained.toString()).isZero();
    assertThat(explained.out())
        .contains("a build extends ")
        .containsPattern("\\(\\d+ of \\d+, superset rule\\); it lacks:")
        .contains("org.apache.commons:commons-lang3 3.19.0");
  }

  private static void bump(Path app, String from, String to) throws IOException {
    Path pom = app.resolve("pom.xml");
    String text = Files.readString(pom);
    String bumped =
        text.replace("<version>" + from + "</version>", "<version>" + to + "</version>");
    assertThat(bumped).isNotEqualTo(text);
    Files.writeString(pom, bumped);
  }

  private static String read(String file) {
    try {
      return Files.readString(Path.of(file));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Path copy(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        Path target = to.resolve(from.relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(target);
        } else if (!f.toString().contains("/target/")) {
          Files.copy(f, target, StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
    }
    return to;
  }

  private static boolean onPath(String command) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, command))) {
        return true;
      }
    }
    return false;
  }

  private static boolean reachable() {
    try {
      HttpURLConnection c = (HttpURLConnection) URI.create(CENTRAL).toURL().openConnection();
      c.setConnectTimeout(5000);
      c.setReadTimeout(5000);
      c.setRequestMethod("HEAD");
      int status = c.getResponseCode();
      c.disconnect();
      return status > 0;
    } catch (IOException e) {
      return false;
    }
  }
}
