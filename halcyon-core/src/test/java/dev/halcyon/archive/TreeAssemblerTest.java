package dev.halcyon.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TreeAssemblerTest {
  @TempDir Path tmp;

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
