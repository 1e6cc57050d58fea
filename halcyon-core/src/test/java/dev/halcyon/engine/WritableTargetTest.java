package dev.halcyon.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WritableTargetTest {
  @TempDir Path root;

  @Test
  void check_writableParent_leavesNothingBehind() throws IOException {
    WritableTarget.check(root.resolve("app"));

    assertThat(names(root)).isEmpty();
  }

  @Test
  void check_probesLeftByKilledRuns_areRemoved() throws IOException {
    Files.createDirectory(root.resolve(".halcyon-write-check-111"));
    Files.createDirectory(root.resolve(".halcyon-write-check-222"));

    WritableTarget.check(root.resolve("app"));

    assertThat(names(root)).isEmpty();
  }

  @Test
  void check_probeNameHoldingSomething_isLeftAlone() throws IOException {
    Path foreign = Files.createDirectory(root.resolve(".halcyon-write-check-kept"));
    Files.writeString(foreign.resolve("note"), "not a probe");

    WritableTarget.check(root.resolve("app"));

    assertThat(names(root)).containsExactly(".halcyon-write-check-kept");
  }

  @Test
  void check_parentIsAFile_failsNamingIt() throws IOException {
    Path file = Files.writeString(root.resolve("plain"), "x");

    assertThatThrownBy(() -> WritableTarget.check(file.resolve("app")))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(file + " is not a directory")
        .hasMessageContaining("--root DIR");
  }

  private static List<String> names(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).toList();
    }
  }
}
