package dev.halcyon.archive;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.luben.zstd.Zstd;
import dev.halcyon.layer.Digest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** zstd archives with a table of contents: the TOC describes the archive exactly. */
class TocArchiveTest {
  @TempDir Path tmp;

  private Path sampleWithBigFile() throws IOException {
    Path src = tmp.resolve("src");
    Trees.sample(src);
    // Three chunks: two full, one partial, and not a multiple of a tar record.
    Trees.bigFile(src.resolve("lib/big.bin"), 2L * FramedTarWriter.CHUNK_SIZE + 12_345, 3);
    return src;
  }

  @Test
  void write_zstd_extractsWithOurExtractor() throws IOException {
    Path src = sampleWithBigFile();
    byte[] archive = Tocs.archive(src);

    Archives.extract(
        new ByteArrayInputStream(archive),
        Compression.ZSTD,
        tmp.resolve("out"),
        ExtractLimits.DEFAULT);

    assertThat(Trees.describe(tmp.resolve("out"))).isEqualTo(Trees.describe(src));
  }

  @Test
  void toc_everyChunkDecompressesAloneToTheFilesBytes() throws IOException {
    Path src = sampleWithBigFile();
    byte[] archive = Tocs.archive(src);

    ArchiveToc toc = Tocs.toc(archive);

    Map<String, String> tree = Trees.describe(src);
    assertThat(toc.entries())
        .extracting(TocEntry::path)
        .containsExactlyInAnyOrderElementsOf(tree.keySet());
    for (TocEntry e : toc.entries()) {
      Path file = src.resolve(e.path());
      switch (e.type()) {
        case DIRECTORY -> assertThat(tree.get(e.path())).isEqualTo("dir");
        case SYMLINK ->
            assertThat(e.linkTarget()).contains(Files.readSymbolicLink(file).toString());
        case FILE -> {
          ByteArrayOutputStream content = new ByteArrayOutputStream();
          for (TocChunk c : e.chunks()) {
            content.write(TocChunks.decompress(Tocs.range(archive, c.offset(), c.length()), c));
          }
          assertThat(content.toByteArray()).as(e.path()).isEqualTo(Files.readAllBytes(file));
          assertThat(e.digest()).contains(Digest.sha256(Files.readAllBytes(file)));
          assertThat(e.mode()).isEqualTo(Files.isExecutable(file) ? 0755 : 0644);
        }
      }
    }
    TocEntry big =
        toc.entries().stream()
            .filter(e -> e.path().equals("lib/big.bin"))
            .findFirst()
            .orElseThrow();
    assertThat(big.chunks()).hasSize(3);
    assertThat(big.chunks().get(0).size()).isEqualTo(FramedTarWriter.CHUNK_SIZE);
    assertThat(big.chunks().get(2).size()).isEqualTo(12_345);
  }

  @Test
  void toc_headersAtTheEntriesTarOffsetsAgreeWithTheEntries() throws IOException {
    Path src = sampleWithBigFile();
    byte[] archive = Tocs.archive(src);
    ArchiveToc toc = Tocs.toc(archive);
    byte[] tar = Zstd.decompress(archive, (int) toc.tarSize());

    for (TocEntry e : toc.entries()) {
      byte[] rest = Arrays.copyOfRange(tar, (int) e.tarOffset(), tar.length);
      try (TarArchiveInputStream in =
          new TarArchiveInputStream(new ByteArrayInputStream(rest), "UTF-8")) {
        TarArchiveEntry t = in.getNextEntry();
        String name =
            t.getName().endsWith("/")
                ? t.getName().substring(0, t.getName().length() - 1)
                : t.getName();
        assertThat(name).isEqualTo(e.path());
        assertThat(t.getSize()).isEqualTo(e.size());
        assertThat(t.getMode() & 07777).isEqualTo(e.mode());
      }
    }
  }

  @Test
  void toc_framesTileTheArchiveAndLargeFilesHaveTheirOwn() throws IOException {
    Path src = sampleWithBigFile();
    Trees.bigFile(src.resolve("lib/medium.bin"), ArchiveToc.SMALL_FILE, 4);
    byte[] archive = Tocs.archive(src);
    TocFooter footer = Tocs.footer(archive);
    ArchiveToc toc = Tocs.toc(archive);

    long at = 0;
    long tarAt = 0;
    for (TocFrame f : toc.frames()) {
      assertThat(f.offset()).isEqualTo(at);
      assertThat(f.tarOffset()).isEqualTo(tarAt);
      at += f.length();
      tarAt += f.tarLength();
    }
    assertThat(at).isEqualTo(toc.framesEnd()).isEqualTo(footer.tocOffset());
    assertThat(tarAt).isEqualTo(toc.tarSize());
    assertThat(footer.archiveSize()).isEqualTo(archive.length);
    for (TocEntry e : toc.entries()) {
      for (TocChunk c : e.chunks()) {
        TocFrame f = toc.frameOf(c);
        if (e.size() >= ArchiveToc.SMALL_FILE) {
          assertThat(c.innerOffset()).as(e.path()).isZero();
          assertThat(c.size()).as(e.path()).isEqualTo(f.tarLength());
        }
        byte[] frameContent =
            TocChunks.decompressFrame(Tocs.range(archive, f.offset(), f.length()), 0, f);
        assertThat(TocChunks.content(frameContent, c)).hasSize((int) c.size());
      }
    }
    // All frames together are the whole tar stream; the decoder skips the TOC and the footer.
    byte[] tar = Zstd.decompress(archive, (int) toc.tarSize() + 1);
    assertThat(tar).hasSize((int) toc.tarSize());
  }

  @Test
  void summary_carriesTheTocDigest() throws IOException {
    Path src = sampleWithBigFile();
    ByteArrayOutputStream out = new ByteArrayOutputStream();

    ArchiveSummary s = Archives.write(src, out, Compression.ZSTD);

    assertThat(s.tocDigest()).contains(Tocs.footer(out.toByteArray()).tocDigest());
    assertThat(s.tocDigest()).contains(Digest.sha256(Tocs.tocFrame(out.toByteArray())));
    assertThat(Archives.write(src, new ByteArrayOutputStream(), Compression.GZIP).tocDigest())
        .isEmpty();
  }

  @Test
  void write_sameTreeTwice_sameTocAndBytes() throws IOException {
    Path src = sampleWithBigFile();
    byte[] first = Tocs.archive(src);
    byte[] second = Tocs.archive(src);

    assertThat(second).isEqualTo(first);
    assertThat(Tocs.toc(second)).isEqualTo(Tocs.toc(first));
  }
}
