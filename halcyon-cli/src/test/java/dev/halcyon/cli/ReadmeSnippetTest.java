package dev.halcyon.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's embedding example compiles, as written, against the library. */
class ReadmeSnippetTest {
  @TempDir Path tmp;

  /** The first {@code java} block after {@code heading} in the README. */
  static String javaBlockAfter(String readme, String heading) {
    int section = readme.indexOf(heading);
    assertThat(section).as("README has '%s'", heading).isNotNegative();
    int start = readme.indexOf("```java\n", section);
    assertThat(start).as("a java block after '%s'", heading).isNotNegative();
    int end = readme.indexOf("\n```", start + 8);
    return readme.substring(start + 8, end + 1);
  }

  @Test
  void embeddingExample_compiles() throws Exception {
    String readme =
        Files.readString(Path.of("..", "README.md").toAbsolutePath(), StandardCharsets.UTF_8);
    String snippet = javaBlockAfter(readme, "## Embedding the library");
    assertThat(snippet).contains("AppRecipe.builder(").contains("engine.plan(");
    Path source = tmp.resolve("src/Deploy.java");
    Files.createDirectories(source.getParent());
    Files.writeString(source, snippet, StandardCharsets.UTF_8);

    JavaSnippets.compile(List.of(source), tmp.resolve("classes"));

    assertThat(tmp.resolve("classes/Deploy.class")).exists();
  }
}
