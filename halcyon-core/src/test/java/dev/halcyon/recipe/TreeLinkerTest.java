package dev.halcyon.recipe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.halcyon.archive.ArchiveSummary;
import dev.halcyon.archive.Archives;
import dev.halcyon.archive.Compression;
import dev.halcyon.layer.LayerTag;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Linking a tree into a layer directory: same inodes, same archive as a copy, nothing written back.
 */
class TreeLinkerTest {
  @TempDir Path tmp;

  private Path tree() throws Exception {
    Path tree = tmp.resolve("tree");
    write(tree.resolve("lib/a/guava-33.0.jar"), "jar bytes");
    write(tree.resolve("lib/b/empty.txt"), "");
    write(tree.resolve("classes/com/acme/Main.class"), "cafebabe");
    Path script = write(tree.resolve("bin/run"), "#!/bin/sh\necho run\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.createDirectories(tree.resolve("empty-dir"));
    Files.createSymbolicLink(tree.resolve("bin/start"), Path.of("run"));
    write(tree.resolve(LayerTag.FILE_NAME), "the build layer's own tag");
    write(tree.resolve("nested/" + LayerTag.FILE_NAME), "an ordinary file deeper down");
    return tree;
  }

  @Test
  void link_tree_filesShareInodesSymlinksRecreatedTopTagLeftOut() throws Exception {
    Path tree = tree();
    Path layer = Files.createDirectories(tmp.resolve("layer"));

    TreeLinker.Result result = TreeLinker.link(tree, layer);

    assertThat(result).isEqualTo(new TreeLinker.Result(5, 0));
    assertThat(inode(layer.resolve("lib/a/guava-33.0.jar")))
        .isEqualTo(inode(tree.resolve("lib/a/guava-33.0.jar")));
    assertThat(Files.readSymbolicLink(layer.resolve("bin/start"))).isEqualTo(Path.of("run"));
    assertThat(Files.isExecutable(layer.resolve("bin/run"))).isTrue();
    assertThat(layer.resolve("empty-dir")).isDirectory();
    assertThat(layer.resolve(LayerTag.FILE_NAME)).doesNotExist();
    assertThat(layer.resolve("nested/" + LayerTag.FILE_NAME))
        .hasContent("an ordinary file deeper down");
  }

  @Test
  void link_thenArchived_sameBytesAsTheArchiveOfACopy() throws Exception {
    Path tree = tree();
    Files.delete(tree.resolve(LayerTag.FILE_NAME));
    Path linked = Files.createDirectories(tmp.resolve("linked"));
    TreeLinker.link(tree, linked);
    Path copied = Files.createDirectories(tmp.resolve("copied"));
    new ProcessBuilder("cp", "-a", tree + "/.", copied.toString()).inheritIO().start().waitFor();

    for (Compression c : new Compression[] {Compression.ZSTD, Compression.GZIP}) {
      ArchiveSummary fromLinks = Archives.write(linked, tmp.resolve("l." + c.extension()), c);
      ArchiveSummary fromCopy = Archives.write(copied, tmp.resolve("c." + c.extension()), c);
      ArchiveSummary fromTree = Archives.write(tree, tmp.resolve("t." + c.extension()), c);
      assertThat(fromLinks.digest()).isEqualTo(fromCopy.digest()).isEqualTo(fromTree.digest());
    }
  }

  @Test
  void link_fifoInTheTree_refusedWithThePath() throws Exception {
    Path tree = tree();
    Path fifo = tree.resolve("lib/pipe");
    assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
    Path layer = Files.createDirectories(tmp.resolve("layer"));

    assertThatThrownBy(() -> TreeLinker.link(tree, layer))
        .hasMessageContaining("cannot install " + fifo.toRealPath())
        .hasMessageContaining("neither a file, a directory nor a symbolic link");
  }

  @Test
  void linking_missingDirectory_failsSayingWhatToDo() throws Exception {
    Path build = Files.createDirectories(tmp.resolve("build"));
    Path layer = Files.createDirectories(tmp.resolve("layer"));
    BuildContext context =
        new BuildContext(
            LayerTag.of(
                dev.halcyon.layer.LayerKind.INSTALL, "linux-test-1.0-x86_64", "jdk-17", "app-1.0"),
            layer,
            tmp,
            java.util.Map.of(dev.halcyon.layer.LayerKind.BUILD, build));

    assertThatThrownBy(() -> LayerBuilder.linking("target/app").build(context))
        .isInstanceOf(HookFailedException.class)
        .hasMessage(
            "cannot fill the install layer from "
                + build.resolve("target/app")
                + ": it is not a directory; build it first (.halcyon/build) or fix the path in"
                + " .halcyon/install-from");
  }

  private static Object inode(Path p) throws Exception {
    return Files.getAttribute(p, "unix:ino", LinkOption.NOFOLLOW_LINKS);
  }

  private static Path write(Path file, String text) throws Exception {
    Files.createDirectories(file.getParent());
    return Files.writeString(file, text, StandardCharsets.UTF_8);
  }
}
