package dev.halcyon.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectoriesTest {
  @TempDir Path tmp;

  @Test
  void recover_killedBetweenTheTwoRenames_putsTheOldCopyBack() throws Exception {
    Path target = tmp.resolve("app");
    Path aside = tmp.resolve(".app.old-1234");
    Files.createDirectories(aside);
    Files.writeString(aside.resolve("v"), "old");
    Files.createDirectories(tmp.resolve(".app.extract-5678/bin"));

    Directories.recover(target);

    assertThat(Files.readString(target.resolve("v"))).isEqualTo("old");
    try (var left = Files.list(tmp)) {
      assertThat(left.map(p -> p.getFileName().toString())).containsExactly("app");
    }
  }

  @Test
  void recover_targetPresent_removesLeftoversOnly() throws Exception {
    Path target = tmp.resolve("app");
    Files.createDirectories(target);
    Files.writeString(target.resolve("v"), "new");
    Files.createDirectories(tmp.resolve(".app.old-1234"));
    Files.createDirectories(tmp.resolve(".other.old-1"));

    Directories.recover(target);

    assertThat(Files.readString(target.resolve("v"))).isEqualTo("new");
    try (var left = Files.list(tmp)) {
      assertThat(left.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("app", ".other.old-1");
    }
  }

  @Test
  void copyOver_replacesFilesAndSkipsIgnoredNames() throws Exception {
    Path from = tmp.resolve("src");
    Files.createDirectories(from.resolve(".git"));
    Files.writeString(from.resolve(".git/HEAD"), "ref");
    Files.writeString(from.resolve("a.txt"), "new");
    Path to = tmp.resolve("build");
    Files.createDirectories(to);
    Files.writeString(to.resolve("a.txt"), "old");
    Files.writeString(to.resolve("out.bin"), "kept");

    Directories.copyOver(from, to, dev.halcyon.layer.IgnoreRules.DEFAULT.asFilter());

    assertThat(Files.readString(to.resolve("a.txt"))).isEqualTo("new");
    assertThat(Files.readString(to.resolve("out.bin"))).isEqualTo("kept");
    assertThat(to.resolve(".git")).doesNotExist();
  }
}
