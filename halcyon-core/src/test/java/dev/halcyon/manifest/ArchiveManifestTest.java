package dev.halcyon.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.halcyon.layer.Digest;
import dev.halcyon.layer.LayerKind;
import dev.halcyon.layer.LayerTag;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ArchiveManifestTest {
  private static final String KEY =
      "linux-debian-12-x86_64/jdk-17.0.15/halcyon-install-b90bb47-shop-1.4.2.tar.zst";
  private static final LayerTag TAG =
      LayerTag.of(LayerKind.INSTALL, "linux-debian-12-x86_64", "jdk-17.0.15", "shop-1.4.2")
          .with(LayerTag.SOURCE_HASH, "sha256:" + "b".repeat(64))
          .with(LayerTag.PREFIX, "/app");
  private static final ArchiveManifest MANIFEST =
      new ArchiveManifest(
          KEY,
          Digest.sha256("archive bytes"),
          2_048_000,
          Instant.parse("2026-11-25T10:15:30.123456789Z"),
          TAG,
          List.of(
              "linux-debian-12-x86_64/halcyon-toolchain-jdk-17.0.15.tar.zst",
              "linux-debian-12-x86_64/jdk-17.0.15/halcyon-dependencies-f458aa8-shop-1.4.2.tar.zst"));

  @Test
  void parse_formatOfRandomManifests_roundTrips() {
    Random random = new Random(7);
    for (int i = 0; i < 500; i++) {
      LayerKind kind = LayerKind.values()[random.nextInt(4)];
      LayerTag tag =
          LayerTag.of(
              kind,
              "linux-x" + random.nextInt(9),
              "jdk-" + random.nextInt(30),
              kind == LayerKind.TOOLCHAIN ? "" : "app-" + random.nextInt(9));
      for (int j = random.nextInt(4); j > 0; j--) {
        tag =
            tag.with("in" + random.nextInt(20), "v=" + random.nextInt() + " with spaces\tand tab");
      }
      LinkedHashSet<String> builtOn = new LinkedHashSet<>();
      for (int j = random.nextInt(5); j > 0; j--) {
        builtOn.add("p/t/halcyon-x-" + random.nextInt(100) + " ü=.tar.zst");
      }
      ArchiveManifest manifest =
          new ArchiveManifest(
              "k/" + random.nextInt(1000) + "=x.tar.gz",
              Digest.sha256(Integer.toString(random.nextInt())),
              Math.abs(random.nextLong()),
              Instant.ofEpochSecond(random.nextInt(2_000_000_000), random.nextInt(1_000_000_000)),
              tag,
              new ArrayList<>(builtOn),
              random.nextBoolean()
                  ? Optional.of(Digest.sha256("toc " + random.nextInt()))
                  : Optional.empty(),
              Optional.empty());
      if (random.nextBoolean()) {
        manifest = manifest.withTool("halcyon-jvm 0." + random.nextInt(20) + ".0 (ü=x)");
      }
      assertThat(ArchiveManifest.parse(manifest.format())).isEqualTo(manifest);
    }
  }

  @Test
  void format_withConstraintsAndExtendedFrom_writesLinesThatParseBack() {
    ArchiveManifest extended =
        MANIFEST
            .withConstraints(
                Optional.of(dev.halcyon.layer.Constraints.parse("guava 33\nslf4j-api 2.0\n")))
            .withExtendedFrom(Optional.of("linux/jdk-17/halcyon-dependencies-older.tar.zst"));

    String text = extended.format();

    assertThat(text)
        .contains("\nconstraint=guava 33\nconstraint=slf4j-api 2.0\n")
        .contains("\nextended-from=linux/jdk-17/halcyon-dependencies-older.tar.zst\n");
    assertThat(ArchiveManifest.parse(text)).isEqualTo(extended);
    assertThat(ArchiveManifest.parse(MANIFEST.format()).constraints()).isEmpty();
  }

  @Test
  void parse_constraintLineWithoutVersion_failsNamingTheLine() {
    String bad = MANIFEST.format().replace("\ntag.", "\nconstraint=guava\ntag.");

    assertThatThrownBy(() -> ArchiveManifest.parse(bad)).hasMessageContaining("manifest line");
  }

  @Test
  void parse_manifestWithoutToolLine_parsesWithToolEmpty() {
    String older = MANIFEST.format();
    assertThat(older).doesNotContain("tool=");

    assertThat(ArchiveManifest.parse(older).tool()).isEmpty();
    assertThat(ArchiveManifest.parse(older)).isEqualTo(MANIFEST);
  }

  @Test
  void format_withTool_writesAToolLineThatParsesBack() {
    ArchiveManifest withTool = MANIFEST.withTool("halcyon-jvm 0.1.0");

    assertThat(withTool.format())
        .contains("\ncreated=2026-11-25T10:15:30.123456789Z\ntool=halcyon-jvm 0.1.0\n");
    assertThat(ArchiveManifest.parse(withTool.format()).tool()).contains("halcyon-jvm 0.1.0");
    assertThatThrownBy(() -> MANIFEST.withTool("two\nlines"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tool must be one line");
  }

  @Test
  void format_example_isVersionedKeyValueLinesWithTheTagPrefixed() {
    assertThat(MANIFEST.format())
        .startsWith("halcyon-manifest=1\narchive=" + KEY + "\n")
        .contains("\nbuilt-on=linux-debian-12-x86_64/halcyon-toolchain-jdk-17.0.15.tar.zst\n")
        .contains("\ntag.halcyon-tag=1\ntag.kind=install\n")
        .contains("\ntag.input.prefix=/app\n");
  }

  @Test
  void tocDigest_roundTripsAsItsOwnLine() {
    Digest toc = Digest.sha256("toc frame");
    ArchiveManifest withToc = MANIFEST.withTocDigest(Optional.of(toc));

    assertThat(withToc.format()).contains("\ntoc-sha256=" + toc + "\n");
    assertThat(ArchiveManifest.parse(withToc.format())).isEqualTo(withToc);
    assertThat(ArchiveManifest.parse(withToc.format()).tocDigest()).contains(toc);
  }

  @Test
  void parse_olderManifestWithoutToc_hasNoTocDigest() {
    assertThat(MANIFEST.format()).doesNotContain("toc-sha256");
    assertThat(ArchiveManifest.parse(MANIFEST.format()).tocDigest()).isEmpty();
  }

  @Test
  void parse_badTocDigest_namesTheLine() {
    String text = MANIFEST.format().replace("\nsize=", "\ntoc-sha256=sha256:xyz\nsize=");
    assertThatThrownBy(() -> ArchiveManifest.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("manifest line 4 is invalid:");
  }

  @Test
  void parse_crlfAndUnknownKeys_areAccepted() {
    String text = MANIFEST.format().replace("\n", "\r\n") + "added-later=yes\r\n";
    assertThat(ArchiveManifest.parse(text)).isEqualTo(MANIFEST);
  }

  @Test
  void parse_wrongHeader_namesLineOne() {
    assertThatThrownBy(() -> ArchiveManifest.parse("halcyon-manifest=2\n"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "not a halcyon manifest of format 1: line 1 must be 'halcyon-manifest=1', found"
                + " 'halcyon-manifest=2'");
  }

  @Test
  void parse_lineWithoutEquals_namesTheLine() {
    String text = MANIFEST.format().replace("size=2048000\n", "size 2048000\n");
    assertThatThrownBy(() -> ArchiveManifest.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("manifest line 4 is not key=value: 'size 2048000'");
  }

  @Test
  void parse_badSize_namesTheLineAndValue() {
    String text = MANIFEST.format().replace("size=2048000\n", "size=2MB\n");
    assertThatThrownBy(() -> ArchiveManifest.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("manifest line 4 has a bad size: '2MB'");
  }

  @Test
  void parse_badDigest_namesTheLine() {
    String text = MANIFEST.format().replace("digest=sha256:", "digest=md5:");
    assertThatThrownBy(() -> ArchiveManifest.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("manifest line 3 is invalid: not a sha256 digest");
  }

  @Test
  void parse_repeatedKey_namesTheLine() {
    String text = MANIFEST.format().replace("size=2048000\n", "size=2048000\nsize=1\n");
    assertThatThrownBy(() -> ArchiveManifest.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("manifest line 5 repeats 'size'");
  }

  @Test
  void parse_missingCreated_saysWhichLineIsMissing() {
    String text = MANIFEST.format().replaceAll("created=[^\n]*\n", "");
    assertThatThrownBy(() -> ArchiveManifest.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("manifest of " + KEY + " has no 'created=' line");
  }

  @Test
  void parse_badTag_saysTheTagLinesAreWrong() {
    String text = MANIFEST.format().replace("tag.kind=install", "tag.kind=cabal");
    assertThatThrownBy(() -> ArchiveManifest.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(
            "manifest of " + KEY + " has a bad tag (the 'tag.' lines): unknown layer kind 'cabal'");
  }

  @Test
  void new_builtOnItself_isRejected() {
    assertThatThrownBy(
            () ->
                new ArchiveManifest(
                    KEY, MANIFEST.digest(), 1, MANIFEST.created(), TAG, List.of(KEY)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("archive " + KEY + " cannot be built on itself");
  }

  @Test
  void new_multiLineKey_isRejected() {
    assertThatThrownBy(
            () -> ArchiveManifest.of("a\nb", MANIFEST.digest(), 1, MANIFEST.created(), TAG))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("archiveKey must be one line: 'a\nb'");
  }
}
