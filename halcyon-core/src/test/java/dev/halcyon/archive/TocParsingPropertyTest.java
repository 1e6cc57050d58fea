package dev.halcyon.archive;

import static org.assertj.core.api.Assertions.assertThat;

import dev.halcyon.layer.Digest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** format → parse is the identity, for footers, TOC JSON and whole archives of random trees. */
class TocParsingPropertyTest {
  private static final int RUNS = 200;

  @TempDir Path tmp;

  @Test
  void footer_formatThenParse_givesTheSameFooter() throws IOException {
    Random random = new Random(12);
    for (int i = 0; i < RUNS; i++) {
      long length = 9 + (long) (random.nextDouble() * (TocFooter.MAX_TOC_LENGTH - 9));
      long offset = random.nextBoolean() ? random.nextInt(1 << 20) : random.nextLong() >>> 3;
      TocFooter f = new TocFooter(offset, length, randomDigest(random));

      byte[] bytes = f.format();

      assertThat(bytes).hasSize(TocFooter.SIZE);
      assertThat(TocFooter.present(bytes)).isTrue();
      assertThat(TocFooter.parse(bytes)).isEqualTo(f);
      byte[] longer = new byte[bytes.length + random.nextInt(100)];
      System.arraycopy(bytes, 0, longer, longer.length - bytes.length, bytes.length);
      assertThat(TocFooter.parse(longer)).as("a longer tail").isEqualTo(f);
    }
  }

  @Test
  void json_formatThenParse_givesTheSameToc() throws IOException {
    Random random = new Random(13);
    for (int i = 0; i < RUNS; i++) {
      ArchiveToc toc = randomToc(random);

      assertThat(TocJson.parse(new String(TocJson.format(toc), "UTF-8"))).isEqualTo(toc);
      assertThat(TocJson.format(toc)).as("deterministic").isEqualTo(TocJson.format(toc));
    }
  }

  @Test
  void archive_ofRandomTrees_parsesBackAndEveryChunkMatchesItsFile() throws IOException {
    Random random = new Random(14);
    for (int run = 0; run < 12; run++) {
      Path src = tmp.resolve("src" + run);
      randomTree(src, random);
      byte[] archive = Tocs.archive(src);

      ArchiveToc toc = Tocs.toc(archive);

      assertThat(TocJson.parse(new String(TocJson.format(toc), "UTF-8"))).isEqualTo(toc);
      assertThat(toc.entries()).hasSize(Trees.describe(src).size());
      for (TocEntry e : toc.entries()) {
        if (e.type() == TocEntry.Type.FILE) {
          byte[] expected = Files.readAllBytes(src.resolve(e.path()));
          java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
          for (TocChunk c : e.chunks()) {
            got.write(TocChunks.decompress(Tocs.range(archive, c.offset(), c.length()), c));
          }
          assertThat(got.toByteArray()).as(e.path()).isEqualTo(expected);
        }
      }
    }
  }

  private static void randomTree(Path root, Random random) throws IOException {
    Files.createDirectories(root);
    List<Path> dirs = new ArrayList<>(List.of(root));
    int members = 1 + random.nextInt(60);
    for (int i = 0; i < members; i++) {
      Path dir = dirs.get(random.nextInt(dirs.size()));
      String name = randomName(random) + i;
      switch (random.nextInt(10)) {
        case 0, 1 -> dirs.add(Files.createDirectories(dir.resolve(name)));
        case 2 -> Files.createSymbolicLink(dir.resolve(name), Path.of("x" + i));
        default -> {
          int size =
              switch (random.nextInt(6)) {
                case 0 -> 0;
                case 1 -> ArchiveToc.SMALL_FILE + random.nextInt(1 << 16);
                case 2 -> random.nextInt(3) == 0 ? FramedTarWriter.CHUNK_SIZE + 1 : 700;
                default -> random.nextInt(20_000);
              };
          byte[] bytes = new byte[size];
          for (int b = 0; b < size; b++) {
            bytes[b] = (byte) (random.nextInt(4) == 0 ? random.nextInt() : 'a' + b % 7);
          }
          Files.write(dir.resolve(name + (random.nextBoolean() ? ".class" : "-1.0.jar")), bytes);
        }
      }
    }
  }

  private static String randomName(Random random) {
    String[] parts = {"a", "ü", "名", "lib", "x y", "\"q\"", "back\\slash", "l".repeat(120)};
    return parts[random.nextInt(parts.length)];
  }

  /** Any TOC the records allow, not necessarily a valid one: the JSON layer must keep it all. */
  private static ArchiveToc randomToc(Random random) {
    List<TocFrame> frames = new ArrayList<>();
    for (int i = random.nextInt(5); i >= 0; i--) {
      frames.add(
          new TocFrame(
              positive(random) - 1, positive(random), positive(random) - 1, positive(random)));
    }
    List<TocEntry> entries = new ArrayList<>();
    for (int i = random.nextInt(8); i >= 0; i--) {
      String path = randomString(random);
      TocEntry.Type type = TocEntry.Type.values()[random.nextInt(3)];
      List<TocChunk> chunks = new ArrayList<>();
      if (type == TocEntry.Type.FILE) {
        for (int c = random.nextInt(3); c > 0; c--) {
          chunks.add(
              new TocChunk(
                  positive(random) - 1,
                  positive(random),
                  positive(random) - 1,
                  positive(random) - 1,
                  positive(random),
                  randomDigest(random)));
        }
      }
      entries.add(
          new TocEntry(
              path,
              type,
              random.nextInt(07777),
              type == TocEntry.Type.FILE ? positive(random) - 1 : 0,
              random.nextBoolean() ? Optional.of(randomString(random)) : Optional.empty(),
              type == TocEntry.Type.FILE ? Optional.of(randomDigest(random)) : Optional.empty(),
              positive(random) - 1,
              chunks));
    }
    return new ArchiveToc(positive(random), positive(random), positive(random), frames, entries);
  }

  private static long positive(Random random) {
    return random.nextBoolean() ? 1 + random.nextInt(1 << 20) : 1 + (random.nextLong() >>> 1) - 1;
  }

  private static String randomString(Random random) {
    StringBuilder s = new StringBuilder();
    for (int i = random.nextInt(30); i >= 0; i--) {
      s.appendCodePoint(
          switch (random.nextInt(5)) {
            case 0 -> random.nextInt(0x20); // control characters
            case 1 -> 0x1F680; // outside the BMP
            case 2 -> "\"\\/\u2028".charAt(random.nextInt(4));
            default -> 'a' + random.nextInt(26);
          });
    }
    return s.toString();
  }

  private static Digest randomDigest(Random random) {
    byte[] sha = new byte[32];
    random.nextBytes(sha);
    return Digest.of(sha);
  }
}
