package dev.halcyon.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/** Compiles Java sources with javax.tools against the test's class path (the library's jars). */
final class JavaSnippets {
  private JavaSnippets() {}

  /** Compiles {@code sources} into {@code out}; fails the test with javac's output otherwise. */
  static void compile(List<Path> sources, Path out) throws IOException {
    Files.createDirectories(out);
    // Surefire may hand the JVM a manifest-only jar; it names the real class path here.
    String classPath =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<String> args =
        new ArrayList<>(List.of("-classpath", classPath, "-d", out.toString(), "-Xlint:none"));
    sources.forEach(s -> args.add(s.toString()));
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    ByteArrayOutputStream errors = new ByteArrayOutputStream();
    int status = javac.run(null, errors, errors, args.toArray(String[]::new));
    assertThat(status).as("javac output:%n%s", errors.toString(StandardCharsets.UTF_8)).isZero();
  }
}
