package dev.halcyon.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.halcyon.layer.Digest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TreeAssemblerTest {
  @TempDir Path tmp;

  @AfterEach
  void removeLinksLeavingTheTemporaryDirectory() throws IOException {
    Trees.deleteSymlinks(tmp); // else JUnit warns about the links to /etc when it deletes @TempDir
  }

  private byte[] archive;
  private ArchiveToc toc;

  private void writeArchive(Path src) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Archives.write(src, out, Compression.ZSTD);
    archive = out.toByteArray();
    byte[] tail = Arrays.copyOfRange(archive, archive.length - TocFooter.SIZE, archive.length);
    TocFooter footer = TocFooter.parse(tail);
    byte[] frame =
        Arrays.copyOfRange(
            archive, (int) footer.tocOffset(), (int) (footer.tocOffset() + footer.tocLength()));
    toc = ArchiveToc.parse(frame, footer, footer.tocDigest(), ExtractLimits.DEFAULT);
  }

  private Path sampleTree() throws IOException {
    Path src = tmp.resolve("src");
    Files.createDirectories(src.resolve("lib/deep/er"));
    Random r = new Random(7);
    for (int i = 0; i < 30; i++) {
      byte[] b = new byte[i * 997];
      r.nextBytes(b);
      Files.write(src.resolve("lib/small-" + i + ".bin"), b);
    }
    byte[] big = new byte[9 << 20]; // three chunks
    r.nextBytes(big);
    Files.write(src.resolve("lib/deep/er/big.jar"), big);
    Files.write(src.resolve("empty"), new byte[0]);
    Path run = src.resolve("bin/run");
    Files.createDirectories(run.getParent());
    Files.writeString(run, "#!/bin/sh\n");
    Files.setPosixFilePermissions(run, PosixFilePermissions.fromString("rwxr-x---"));
    Files.createSymbolicLink(src.resolve("lib/current"), Path.of("deep/er/big.jar"));
    Files.createSymbolicLink(src.resolve("top"), Path.of("lib"));
    // Links may point anywhere; they are restored as they are.
    Files.createSymbolicLink(src.resolve("lib/etc"), Path.of("/etc"));
    Files.createSymbolicLink(src.resolve("up"), Path.of("../../outside"));
    Files.createSymbolicLink(src.resolve("lib/out"), Path.of("../top/../.."));
    return src;
  }

  /** Fills every file of the staging tree from the archive's frames, as a delta fetch would. */
  private void fillFromFrames(TreeAssembler a) throws IOException {
    for (TocEntry e : toc.entries()) {
      for (TocChunk c : e.chunks()) {
        TocFrame f = toc.frameOf(c);
        byte[] content = TocChunks.decompressFrame(archive, (int) f.offset(), f);
        byte[] bytes = TocChunks.content(content, c);
        try (FileChannel ch = FileChannel.open(a.pathOf(e), StandardOpenOption.WRITE)) {
          ch.write(ByteBuffer.wrap(bytes), c.fileOffset());
        }
      }
    }
  }

  @Test
  void build_fromEveryFrame_equalsAFullExtractionByteModeAndLink() throws Exception {
    writeArchive(sampleTree());
    Path full = tmp.resolve("full");
    Archives.extract(
        new ByteArrayInputStream(archive), Compression.ZSTD, full, ExtractLimits.DEFAULT);
    Path target = tmp.resolve("assembled");

    try (TreeAssembler a = TreeAssembler.begin(target)) {
      a.build(toc, (e, p) -> Files.createFile(p));
      fillFromFrames(a);
      a.publish(Archives.TreeCheck.NONE, Archives.TreeCheck.NONE);
    }

    assertThat(Trees.tree(target)).isEqualTo(Trees.tree(full));
    assertThat(Files.readSymbolicLink(target.resolve("lib/etc"))).isEqualTo(Path.of("/etc"));
    assertThat(Files.readSymbolicLink(target.resolve("up"))).isEqualTo(Path.of("../../outside"));
    assertThat(tmp).isDirectoryNotContaining("glob:**/.assembled.extract-*");
  }

  @Test
  void publish_overAnExistingTree_handsTheOldTreeOverBeforeDeletingIt() throws Exception {
    writeArchive(sampleTree());
    Path target = oldInstall();
    List<String> seen = new ArrayList<>();

    try (TreeAssembler a = TreeAssembler.begin(target)) {
      a.build(toc, (e, p) -> Files.createFile(p));
      fillFromFrames(a);
      a.publish(
          Archives.TreeCheck.NONE, aside -> seen.add(Files.readString(aside.resolve("old.txt"))));
    }

    assertThat(seen).containsExactly("old");
    assertThat(target.resolve("old.txt")).doesNotExist();
    assertThat(target.resolve("lib/deep/er/big.jar")).exists();
    assertNoStagingLeft();
  }

  @Test
  void close_withoutPublish_removesTheStagingAndLeavesTheTarget() throws Exception {
    writeArchive(sampleTree());
    Path target = oldInstall();

    try (TreeAssembler a = TreeAssembler.begin(target)) {
      a.build(toc, (e, p) -> Files.createFile(p));
      assertThatThrownBy(
              () ->
                  a.publish(
                      staged -> {
                        throw new IOException("tag mismatch");
                      },
                      Archives.TreeCheck.NONE))
          .hasMessage("tag mismatch");
    }

    assertThat(Files.readString(target.resolve("old.txt"))).isEqualTo("old");
    assertNoStagingLeft();
  }

  @Test
  void build_placerMakingASymlink_isRefused() throws Exception {
    writeArchive(sampleTree());
    Path outside = tmp.resolve("outside.txt");
    Files.writeString(outside, "secret");

    try (TreeAssembler a = TreeAssembler.begin(tmp.resolve("app"))) {
      assertThatThrownBy(() -> a.build(toc, (e, p) -> Files.createSymbolicLink(p, outside)))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("made no regular file");
    }
  }

  @Test
  void build_memberThroughASymlink_isRefusedAndNothingLandsOutside() throws Exception {
    // A TOC that did not pass ArchiveToc.parse: the assembler applies the rules itself.
    Path outside = outsideDir();
    assertBuildRefused(
        List.of(
            TocEntry.symlink("etc", "/etc", 0),
            TocEntry.file("etc/passwd", 0644, 1, Digest.sha256("x"), 512, List.of())),
        "table-of-contents entry 'etc/passwd' would be written through the symlink 'etc';"
            + " refusing to install");
    assertBuildRefused(
        List.of(
            TocEntry.symlink("out", outside.toString(), 0),
            TocEntry.directory("out/d", 512),
            TocEntry.file("out/d/payload", 0644, 1, Digest.sha256("x"), 1024, List.of())),
        "table-of-contents entry 'out/d' would be written through the symlink 'out'");
    assertThat(Trees.list(outside)).containsExactly("secret.txt");
  }

  @Test
  void build_nodeReplacedMidToc_isRefused() throws Exception {
    Path outside = outsideDir();
    assertBuildRefused(
        List.of(
            TocEntry.directory("d", 0),
            TocEntry.symlink("d", outside.toString(), 512),
            TocEntry.file("d/payload", 0644, 1, Digest.sha256("x"), 1024, List.of())),
        "table-of-contents entry 'd' appears more than once in the table of contents (a"
            + " directory, then a symlink); refusing to install");
    assertBuildRefused(
        List.of(
            TocEntry.symlink("x", outside.resolve("secret.txt").toString(), 0),
            TocEntry.file("x", 0644, 1, Digest.sha256("x"), 512, List.of())),
        "table-of-contents entry 'x' appears more than once in the table of contents (a symlink,"
            + " then a file)");
    assertThat(Files.readString(outside.resolve("secret.txt"))).isEqualTo("secret");
  }

  /** {@code outside}, beside the targets, holding {@code secret.txt}. */
  private Path outsideDir() throws IOException {
    Path outside = tmp.resolve("outside");
    Files.createDirectories(outside);
    Files.writeString(outside.resolve("secret.txt"), "secret");
    return outside;
  }

  /**
   * Building {@code entries} fails with {@code message}, placing no file and leaving no staging.
   */
  private void assertBuildRefused(List<TocEntry> entries, String message) throws IOException {
    ArchiveToc hostile = new ArchiveToc(64 << 10, 10240, 100, List.of(), entries);
    List<TocEntry> placed = new ArrayList<>();
    try (TreeAssembler a = TreeAssembler.begin(tmp.resolve("app"))) {
      assertThatThrownBy(() -> a.build(hostile, (e, p) -> placed.add(e)))
          .isInstanceOf(UnsafeArchiveException.class)
          .hasMessageContaining(message);
    }
    assertThat(placed).isEmpty();
    assertThat(tmp.resolve("app")).doesNotExist();
    assertNoStagingLeft();
  }

  /** {@code app} below the temporary directory, installed with one file, {@code old.txt}. */
  private Path oldInstall() throws IOException {
    Path target = tmp.resolve("app");
    Files.createDirectories(target);
    Files.writeString(target.resolve("old.txt"), "old");
    return target;
  }

  /** Nothing of an assembly's staging directory ({@code .app.*}) is left beside the target. */
  private void assertNoStagingLeft() throws IOException {
    try (Stream<Path> s = Files.list(tmp)) {
      assertThat(s.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith(".app."));
    }
  }
}
