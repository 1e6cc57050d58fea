package dev.halcyon.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.halcyon.layer.Digest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A corpus of hostile or broken tables of contents and footers: each is refused by {@link
 * ArchiveToc#parse} or {@link TocFooter#parse} with the right exception and one line saying why.
 * The TOCs are re-framed with a matching digest, so the rule under test is the one that refuses.
 */
class HostileTocTest {
  @TempDir Path tmp;

  private byte[] archive;
  private ArchiveToc toc;

  @BeforeEach
  void writeSample() throws IOException {
    Path src = tmp.resolve("src");
    Trees.sample(src);
    archive = Tocs.archive(src);
    toc = Tocs.toc(archive);
  }

  // ---- ranges

  @Test
  void chunkOutsideTheObject_isRefused() {
    assertRefused(
        withChunk("lib/deep/deeper/data.txt", c -> chunk(c, toc.framesEnd() + 100, c.length())),
        CorruptArchiveException.class,
        "which is not one of the archive's frames");
  }

  @Test
  void overlappingFrames_areRefused() {
    List<TocFrame> frames = new ArrayList<>(toc.frames());
    frames.add(0, frames.get(0));
    assertRefused(
        new ArchiveToc(toc.chunkSize(), toc.tarSize(), toc.framesEnd(), frames, toc.entries()),
        CorruptArchiveException.class,
        "frames must follow each other without gap or overlap");
  }

  @Test
  void framesEndingBeforeTheFootersTocOffset_areRefused() {
    ArchiveToc t =
        new ArchiveToc(
            toc.chunkSize(), toc.tarSize(), toc.framesEnd() - 1, toc.frames(), toc.entries());
    assertRefused(t, CorruptArchiveException.class, "but the footer puts the table of contents at");
  }

  @Test
  void chunkBeyondItsFrame_isRefused() {
    assertRefused(
        withChunk(
            "lib/a/x",
            c ->
                new TocChunk(
                    c.offset(), c.length(), 1 << 20, c.fileOffset(), c.size(), c.digest())),
        CorruptArchiveException.class,
        "of a frame that holds");
  }

  @Test
  void chunkLengthsDisagreeingWithTheSize_areRefused() {
    assertRefused(
        withEntry("lib/a/x", e -> file(e, e.size() + 1, e.chunks())),
        CorruptArchiveException.class,
        "that add up to 1 bytes, but its size is 2");
  }

  @Test
  void headerOffsetsOutOfOrder_areRefused() {
    assertRefused(
        withEntry(
            "lib/a/x",
            e ->
                new TocEntry(
                    e.path(),
                    e.type(),
                    e.mode(),
                    e.size(),
                    e.linkTarget(),
                    e.digest(),
                    0,
                    e.chunks())),
        CorruptArchiveException.class,
        "on a 512-byte record");
  }

  // ---- paths and links

  @Test
  void dotDotPath_isRefused() {
    assertRefused(
        withEntry("lib/a/x", e -> renamed(e, "lib/../x")),
        UnsafeArchiveException.class,
        "'lib/../x', which has a '..' component");
  }

  @Test
  void absolutePath_isRefused() {
    assertRefused(
        withEntry("empty-file", e -> renamed(e, "/etc/passwd")),
        UnsafeArchiveException.class,
        "which is an absolute path");
  }

  @Test
  void nonCanonicalPath_isRefused() {
    assertRefused(
        withEntry("empty-file", e -> renamed(e, "./empty-file")),
        UnsafeArchiveException.class,
        "is not a canonical relative path");
  }

  @Test
  void symlinksPointingAnywhere_areAccepted() throws IOException {
    // Absolute, climbing out, out through another link (lib/deep/up -> ../a-b.txt): restored as
    // they are, as a full extraction restores them.
    for (String target : List.of("/etc", "../../etc/passwd", "lib/deep/up/../../..")) {
      ArchiveToc t = withEntry("dangling", e -> TocEntry.symlink(e.path(), target, e.tarOffset()));
      assertThat(parse(t, ExtractLimits.DEFAULT).entries()).isEqualTo(t.entries());
    }
  }

  @Test
  void symlinkWithAnUnusableTarget_isRefused() {
    assertRefused(
        withEntry("dangling", e -> TocEntry.symlink(e.path(), "", e.tarOffset())),
        UnsafeArchiveException.class,
        "'dangling', which is a symlink that has an empty link target");
    assertRefused(
        withEntry("dangling", e -> TocEntry.symlink(e.path(), "a\0b", e.tarOffset())),
        UnsafeArchiveException.class,
        "which is a symlink that has a link target containing a NUL character");
  }

  @Test
  void memberThroughASymlinkToEtc_isRefused() {
    // The directory lib/a becomes a link to /etc; lib/a/x, listed after it, would land in /etc.
    assertRefused(
        withEntry("lib/a", e -> TocEntry.symlink(e.path(), "/etc", e.tarOffset())),
        UnsafeArchiveException.class,
        "lists 'lib/a/x', which would be placed through the symlink 'lib/a'; refusing it");
  }

  @Test
  void directoryReplacedBySymlink_isRefused() {
    // lib/deep/up (a symlink) renamed to lib/deep, a directory listed before it.
    assertRefused(
        withEntry("lib/deep/up", e -> renamed(e, "lib/deep")),
        UnsafeArchiveException.class,
        "'lib/deep', which appears more than once (a directory, then a symlink)");
  }

  @Test
  void symlinkReplacedByFile_isRefused() {
    // The first file listed after some symlink takes that symlink's name.
    TocEntry link = null;
    TocEntry file = null;
    for (TocEntry e : toc.entries()) {
      if (link == null && e.type() == TocEntry.Type.SYMLINK) {
        link = e;
      } else if (link != null && e.type() == TocEntry.Type.FILE) {
        file = e;
        break;
      }
    }
    assertThat(file).as("a file after a symlink in the sample").isNotNull();
    String name = link.path();
    assertRefused(
        withEntry(file.path(), e -> renamed(e, name)),
        UnsafeArchiveException.class,
        "'" + name + "', which appears more than once (a symlink, then a file)");
  }

  @Test
  void memberBelowAFile_isRefused() {
    assertRefused(
        withEntry("lib/a/x", e -> renamed(e, "empty-file/x")),
        UnsafeArchiveException.class,
        "lies below 'empty-file', which is not a directory listed before it");
  }

  @Test
  void duplicatePath_isRefused() {
    assertRefused(
        withEntry("lib/a/x", e -> renamed(e, "lib/a-b.txt")),
        UnsafeArchiveException.class,
        "'lib/a-b.txt', which appears more than once");
  }

  @Test
  void setuidMode_isRefused() {
    assertRefused(
        withEntry(
            "bin/app",
            e ->
                new TocEntry(
                    e.path(),
                    e.type(),
                    04755,
                    e.size(),
                    e.linkTarget(),
                    e.digest(),
                    e.tarOffset(),
                    e.chunks())),
        CorruptArchiveException.class,
        "with mode 4755");
  }

  // ---- limits

  @Test
  void fileBeyondTheLimits_isRefused() {
    ArchiveToc t = toc;
    assertThatThrownBy(() -> parse(t, new ExtractLimits(1000, 1 << 20, 4000)))
        .isInstanceOf(ArchiveLimitException.class)
        .hasMessageContaining("'lib/deep/deeper/data.txt' of 5000 bytes, more than 4000")
        .hasMessageNotContaining("\n");
  }

  @Test
  void tooManyEntries_areRefused() {
    assertThatThrownBy(() -> parse(toc, new ExtractLimits(3, 1 << 20, 1 << 20)))
        .isInstanceOf(ArchiveLimitException.class)
        .hasMessageContaining("more than 3 entries (ExtractLimits.maxEntries)");
  }

  @Test
  void hugeSize_isRefusedByTheLimitsBeforeAnythingIsFetched() {
    assertRefused(
        withEntry("lib/a/x", e -> file(e, Long.MAX_VALUE, e.chunks())),
        ArchiveLimitException.class,
        "(ExtractLimits.maxEntryBytes)");
  }

  // ---- the TOC's own bytes

  @Test
  void tocDigestMismatch_isRefusedBeforeParsing() throws IOException {
    TocFooter footer = Tocs.footer(archive);
    byte[] frame = Tocs.tocFrame(archive);
    frame[frame.length - 1] ^= 1;

    assertThatThrownBy(
            () -> ArchiveToc.parse(frame, footer, footer.tocDigest(), ExtractLimits.DEFAULT))
        .isInstanceOf(CorruptArchiveException.class)
        .hasMessageContaining("has digest sha256:")
        .hasMessageContaining("was recorded for it");
  }

  @Test
  void footerDigestDisagreeingWithTheManifests_isRefused() throws IOException {
    TocFooter footer = Tocs.footer(archive);
    Digest other = Digest.sha256("another toc");
    TocFooter forged = new TocFooter(footer.tocOffset(), footer.tocLength(), other);

    assertThatThrownBy(
            () ->
                ArchiveToc.parse(
                    Tocs.tocFrame(archive), forged, footer.tocDigest(), ExtractLimits.DEFAULT))
        .isInstanceOf(CorruptArchiveException.class)
        .hasMessageContaining("but the archive's footer says " + other);
  }

  @Test
  void malformedJson_isRefused() {
    assertJsonRefused("{\"version\":1,\"chunkSize\":", "malformed");
  }

  @Test
  void unknownKey_isRefused() {
    String json =
        new String(TocJson.format(toc), StandardCharsets.UTF_8)
            .replaceFirst("\\{", "{\"extra\":1,");
    assertJsonRefused(json, "unknown key 'extra' at $.extra");
  }

  @Test
  void repeatedKey_isRefused() {
    String json =
        new String(TocJson.format(toc), StandardCharsets.UTF_8)
            .replaceFirst("\\{", "{\"tarSize\":1,");
    assertJsonRefused(json, "repeats the key 'tarSize'");
  }

  @Test
  void numberAsString_isRefused() {
    String json =
        new String(TocJson.format(toc), StandardCharsets.UTF_8)
            .replaceFirst("\"chunkSize\":(\\d+)", "\"chunkSize\":\"$1\"");
    assertJsonRefused(json, "expected a number but found STRING at $.chunkSize");
  }

  @Test
  void newerTocVersion_isRefused() {
    String json =
        new String(TocJson.format(toc), StandardCharsets.UTF_8)
            .replace("\"version\":1", "\"version\":2");
    assertJsonRefused(json, "format version 2, but this halcyon reads version 1");
  }

  @Test
  void notATocFrame_isRefused() throws IOException {
    byte[] frame =
        SkippableFrames.wrap(
            SkippableFrames.FOOTER_MAGIC, FrameCompressor.compressOnce(TocJson.format(toc)));
    assertFrameRefused(frame, "not a table-of-contents frame: it starts with 0x184D2A51");
  }

  // ---- footers

  @Test
  void footerWithWrongMagic_isNotPresentAndRefused() throws IOException {
    byte[] tail = tail();
    tail[TocFooter.SIZE - 1] = 'x';

    assertThat(TocFooter.present(tail)).isFalse();
    assertThatThrownBy(() -> TocFooter.parse(tail))
        .isInstanceOf(CorruptArchiveException.class)
        .hasMessage(
            "the archive does not end in a halcyon table-of-contents footer (wrong magic); it has"
                + " no table of contents");
  }

  @Test
  void footerWithAnotherVersion_isRefused() throws IOException {
    byte[] tail = tail();
    tail[8] = 2;

    assertThat(TocFooter.present(tail)).isTrue();
    assertThatThrownBy(() -> TocFooter.parse(tail))
        .isInstanceOf(CorruptArchiveException.class)
        .hasMessage(
            "the table-of-contents footer has format version 2, but this halcyon reads version 1");
  }

  @Test
  void truncatedFooter_isRefused() throws IOException {
    byte[] tail = Arrays.copyOfRange(tail(), 1, TocFooter.SIZE);

    assertThat(TocFooter.present(tail)).isFalse();
    assertThatThrownBy(() -> TocFooter.parse(tail))
        .isInstanceOf(CorruptArchiveException.class)
        .hasMessageContaining("the archive's last 63 bytes are shorter than a footer (64)");
  }

  @Test
  void footerWithAnOutOfRangeLength_isRefused() throws IOException {
    byte[] tail = tail();
    tail[12] = 0;
    tail[13] = 0;
    tail[14] = 0;
    tail[15] = 0;

    assertThatThrownBy(() -> TocFooter.parse(tail))
        .isInstanceOf(CorruptArchiveException.class)
        .hasMessageContaining("footer is out of range: tocLength must be in (8,");
  }

  @Test
  void archiveWithoutToc_hasNoFooter() throws IOException {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    Archives.write(tmp.resolve("src"), out, Compression.GZIP);
    byte[] gz = out.toByteArray();

    assertThat(TocFooter.present(Arrays.copyOfRange(gz, gz.length - TocFooter.SIZE, gz.length)))
        .isFalse();
  }

  @Test
  void tocFrameOfAnotherLength_isRefused() throws IOException {
    TocFooter footer = Tocs.footer(archive);
    byte[] frame = Arrays.copyOf(Tocs.tocFrame(archive), (int) footer.tocLength() - 1);

    assertThatThrownBy(
            () -> ArchiveToc.parse(frame, footer, footer.tocDigest(), ExtractLimits.DEFAULT))
        .isInstanceOf(CorruptArchiveException.class)
        .hasMessageContaining("but the footer says " + footer.tocLength());
  }

  // ---- helpers

  private byte[] tail() {
    return Arrays.copyOfRange(archive, archive.length - TocFooter.SIZE, archive.length);
  }

  private ArchiveToc withEntry(String path, UnaryOperator<TocEntry> change) {
    List<TocEntry> entries = new ArrayList<>();
    boolean found = false;
    for (TocEntry e : toc.entries()) {
      if (e.path().equals(path)) {
        entries.add(change.apply(e));
        found = true;
      } else {
        entries.add(e);
      }
    }
    assertThat(found).as(path).isTrue();
    return new ArchiveToc(toc.chunkSize(), toc.tarSize(), toc.framesEnd(), toc.frames(), entries);
  }

  private ArchiveToc withChunk(String path, UnaryOperator<TocChunk> change) {
    return withEntry(path, e -> file(e, e.size(), List.of(change.apply(e.chunks().get(0)))));
  }

  private static TocChunk chunk(TocChunk c, long offset, long length) {
    return new TocChunk(offset, length, c.innerOffset(), c.fileOffset(), c.size(), c.digest());
  }

  private static TocEntry file(TocEntry e, long size, List<TocChunk> chunks) {
    return new TocEntry(
        e.path(), e.type(), e.mode(), size, e.linkTarget(), e.digest(), e.tarOffset(), chunks);
  }

  private static TocEntry renamed(TocEntry e, String path) {
    return new TocEntry(
        path, e.type(), e.mode(), e.size(), e.linkTarget(), e.digest(), e.tarOffset(), e.chunks());
  }

  private ArchiveToc parse(ArchiveToc t, ExtractLimits limits) throws IOException {
    byte[] frame = t.toFrame();
    TocFooter footer = new TocFooter(toc.framesEnd(), frame.length, Digest.sha256(frame));
    return ArchiveToc.parse(frame, footer, footer.tocDigest(), limits);
  }

  private void assertRefused(ArchiveToc t, Class<? extends IOException> type, String why) {
    assertThatThrownBy(() -> parse(t, ExtractLimits.DEFAULT))
        .isInstanceOf(type)
        .hasMessageContaining(why)
        .hasMessageNotContaining("\n");
  }

  private void assertJsonRefused(String json, String why) {
    byte[] frame =
        SkippableFrames.wrap(
            SkippableFrames.TOC_MAGIC,
            FrameCompressor.compressOnce(json.getBytes(StandardCharsets.UTF_8)));
    assertFrameRefused(frame, why);
  }

  private void assertFrameRefused(byte[] frame, String why) {
    TocFooter footer = new TocFooter(toc.framesEnd(), frame.length, Digest.sha256(frame));
    assertThatThrownBy(
            () -> ArchiveToc.parse(frame, footer, footer.tocDigest(), ExtractLimits.DEFAULT))
        .isInstanceOf(CorruptArchiveException.class)
        .hasMessageContaining(why)
        .hasMessageNotContaining("\n");
  }
}
