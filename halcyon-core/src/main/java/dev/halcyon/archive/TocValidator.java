package dev.halcyon.archive;

import dev.halcyon.layer.Digest;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Checks a parsed table of contents against every rule of the format and of extraction, so that
 * what a delta restore builds from it is what a full extraction of the archive would build, or
 * nothing. Each violation is one exception with one line naming the entry and the rule.
 */
final class TocValidator {
  static final long MIN_CHUNK_SIZE = 64 << 10;
  static final long MAX_CHUNK_SIZE = 64 << 20;
  private static final int RECORD = 512;

  /** The most tar bytes a member's headers may take: a PAX header of long names, a header. */
  static final long MAX_HEADER_TAR_BYTES = 1 << 20;

  /** The most tar bytes one frame may hold (what a reader may have to decompress for a chunk). */
  static final long MAX_FRAME_TAR_BYTES = 2 * MAX_CHUNK_SIZE;

  private TocValidator() {}

  static void validate(ArchiveToc toc, long framesEnd, ExtractLimits limits)
      throws CorruptArchiveException, UnsafeArchiveException {
    if (toc.chunkSize() < MIN_CHUNK_SIZE || toc.chunkSize() > MAX_CHUNK_SIZE) {
      throw corrupt(
          "has chunk size "
              + toc.chunkSize()
              + ", outside ["
              + MIN_CHUNK_SIZE
              + ", "
              + MAX_CHUNK_SIZE
              + "]");
    }
    if (toc.framesEnd() != framesEnd) {
      throw corrupt(
          "says the tar frames end at "
              + toc.framesEnd()
              + ", but the footer puts the table of contents at "
              + framesEnd);
    }
    if (toc.entries().size() > limits.maxEntries()) {
      throw new ArchiveLimitException(
          "the archive's table of contents lists more than "
              + limits.maxEntries()
              + " entries (ExtractLimits.maxEntries); refusing to extract");
    }
    Map<Long, TocFrame> frames = frames(toc);
    Map<String, MemberPaths.Node> tree = new HashMap<>();
    long content = 0;
    // Where the next member's header may start: exactly at a file's padded end, else within one
    // header's reach of the previous member's start.
    long earliest = 0;
    long latest = 0;
    for (TocEntry e : toc.entries()) {
      String name = "'" + TocJson.abbreviate(e.path()) + "'";
      path(e, name, tree);
      kind(e, name);
      if (e.size() > limits.maxEntryBytes()) {
        throw new ArchiveLimitException(
            "the archive's table of contents lists "
                + name
                + " of "
                + e.size()
                + " bytes, more than "
                + limits.maxEntryBytes()
                + " (ExtractLimits.maxEntryBytes); refusing to extract");
      }
      if (e.size() > limits.maxContentBytes() - content) {
        throw new ArchiveLimitException(
            "the archive's table of contents lists more than "
                + limits.maxContentBytes()
                + " content bytes (ExtractLimits.maxContentBytes); refusing to extract");
      }
      content += e.size();
      if (e.tarOffset() % RECORD != 0 || e.tarOffset() < earliest || e.tarOffset() > latest) {
        throw corrupt(
            "puts the tar header of "
                + name
                + " at tar offset "
                + e.tarOffset()
                + ", but after the previous member it must be "
                + (earliest == latest ? "at " + earliest : "in [" + earliest + ", " + latest + "]")
                + " on a 512-byte record");
      }
      long contentStart = -1;
      long fileOffset = 0;
      List<TocChunk> chunks = e.chunks();
      for (int i = 0; i < chunks.size(); i++) {
        TocChunk c = chunks.get(i);
        String chunk = "chunk " + i + " of " + name;
        TocFrame f = frames.get(c.offset());
        if (f == null || f.length() != c.length()) {
          throw corrupt(
              "puts "
                  + chunk
                  + " in the frame ["
                  + c.offset()
                  + ", +"
                  + c.length()
                  + "), which is not one of the archive's frames");
        }
        if (c.size() > f.tarLength() || c.innerOffset() > f.tarLength() - c.size()) {
          throw corrupt(
              "puts "
                  + chunk
                  + " at bytes ["
                  + c.innerOffset()
                  + ", +"
                  + c.size()
                  + ") of a frame that holds "
                  + f.tarLength());
        }
        long at = f.tarOffset() + c.innerOffset();
        if (i == 0) {
          contentStart = at;
          if (at % RECORD != 0
              || at < e.tarOffset() + RECORD
              || at > e.tarOffset() + MAX_HEADER_TAR_BYTES) {
            throw corrupt(
                "puts the content of "
                    + name
                    + " at tar offset "
                    + at
                    + ", which is not a record boundary within one header's reach of its header at "
                    + e.tarOffset());
          }
        }
        if (c.fileOffset() != fileOffset || at != contentStart + fileOffset) {
          throw corrupt(
              "puts "
                  + chunk
                  + " (file offset "
                  + c.fileOffset()
                  + ") at tar offset "
                  + at
                  + ", but it must follow the previous chunk at file offset "
                  + fileOffset
                  + ", tar offset "
                  + (contentStart + fileOffset));
        }
        boolean last = i == chunks.size() - 1;
        if (c.size() > toc.chunkSize() || (!last && c.size() != toc.chunkSize())) {
          throw corrupt(
              "gives "
                  + chunk
                  + " "
                  + c.size()
                  + " bytes; every chunk but the last has the chunk size "
                  + toc.chunkSize()
                  + ", the last at most that");
        }
        if (e.size() >= ArchiveToc.SMALL_FILE
            && (c.innerOffset() != 0 || c.size() != f.tarLength())) {
          throw corrupt(
              "puts " + chunk + " in a frame it shares, but chunks of large files have their own");
        }
        fileOffset += c.size();
      }
      if (fileOffset != e.size()) {
        throw corrupt(
            "lists chunks of "
                + name
                + " that add up to "
                + fileOffset
                + " bytes, but its size is "
                + e.size());
      }
      if (chunks.size() == 1 && !chunks.get(0).digest().equals(e.digest().orElseThrow())) {
        throw corrupt("gives " + name + " a digest that differs from its only chunk's");
      }
      if (e.size() == 0
          && e.type() == TocEntry.Type.FILE
          && !e.digest().orElseThrow().equals(Digest.sha256(new byte[0]))) {
        throw corrupt("gives the empty file " + name + " a digest that is not the empty one");
      }
      if (contentStart >= 0) {
        earliest = roundUp(contentStart + e.size());
        latest = earliest;
      } else {
        earliest = e.tarOffset() + RECORD;
        latest = e.tarOffset() + MAX_HEADER_TAR_BYTES;
      }
    }
    long endRecords = toc.tarSize() - 2 * RECORD;
    if (endRecords < earliest || endRecords > latest) {
      throw corrupt(
          "gives the tar stream "
              + toc.tarSize()
              + " bytes, but after the last member it ends with two 512-byte records at "
              + (earliest == latest ? earliest : "[" + earliest + ", " + latest + "]"));
    }
  }

  private static void path(TocEntry e, String name, Map<String, MemberPaths.Node> tree)
      throws UnsafeArchiveException {
    Optional<String> bad = MemberPaths.unsafeReason(e.path());
    if (bad.isPresent()) {
      throw unsafe(name, bad.get());
    }
    List<String> parts = MemberPaths.components(e.path()).orElseThrow();
    if (parts.isEmpty() || !String.join("/", parts).equals(e.path())) {
      throw unsafe(name, "is not a canonical relative path (no empty, '.' or trailing components)");
    }
    MemberPaths.Node earlier = tree.get(e.path());
    if (earlier != null) {
      // A directory turned into a symlink (or the reverse) before members are placed "into" it.
      throw unsafe(
          name,
          "appears more than once (a "
              + earlier.kind().name().toLowerCase(Locale.ROOT)
              + ", then a "
              + e.type().name().toLowerCase(Locale.ROOT)
              + ")");
    }
    for (int slash = e.path().indexOf('/'); slash >= 0; slash = e.path().indexOf('/', slash + 1)) {
      String parent = e.path().substring(0, slash);
      MemberPaths.Node node = tree.get(parent);
      if (node != null && node.kind() == MemberPaths.Kind.SYMLINK) {
        throw unsafe(
            name, "would be placed through the symlink '" + TocJson.abbreviate(parent) + "'");
      }
      if (node == null || node.kind() != MemberPaths.Kind.DIRECTORY) {
        throw unsafe(
            name,
            "lies below '"
                + TocJson.abbreviate(parent)
                + "', which is not a directory listed before it");
      }
    }
    MemberPaths.Kind kind =
        switch (e.type()) {
          case DIRECTORY -> MemberPaths.Kind.DIRECTORY;
          case FILE -> MemberPaths.Kind.FILE;
          case SYMLINK -> MemberPaths.Kind.SYMLINK;
        };
    tree.put(e.path(), new MemberPaths.Node(kind, e.linkTarget().orElse(null)));
    if (e.type() == TocEntry.Type.SYMLINK && e.linkTarget().isPresent()) {
      // Where it points is not checked: a symlink may point anywhere, nothing is placed through it.
      Optional<String> badTarget = MemberPaths.linkTargetReason(e.linkTarget().get());
      if (badTarget.isPresent()) {
        throw unsafe(name, "is a symlink that " + badTarget.get());
      }
    }
  }

  private static void kind(TocEntry e, String name) throws CorruptArchiveException {
    boolean ok =
        switch (e.type()) {
          case DIRECTORY ->
              e.mode() == 0755
                  && e.linkTarget().isEmpty()
                  && e.digest().isEmpty()
                  && e.chunks().isEmpty();
          case SYMLINK ->
              e.mode() == 0777
                  && e.linkTarget().isPresent()
                  && e.digest().isEmpty()
                  && e.chunks().isEmpty();
          case FILE ->
              (e.mode() == 0644 || e.mode() == 0755)
                  && e.linkTarget().isEmpty()
                  && e.digest().isPresent();
        };
    if (!ok) {
      throw corrupt(
          "lists "
              + name
              + " as a "
              + e.type().name().toLowerCase(Locale.ROOT)
              + " with mode "
              + Integer.toOctalString(e.mode())
              + (e.linkTarget().isPresent() ? ", a link target" : "")
              + (e.digest().isPresent() ? ", a digest" : "")
              + (e.chunks().isEmpty() ? "" : ", chunks")
              + "; directories are 755, files 644 or 755 with a digest, symlinks 777 with a target");
    }
  }

  /** Checks that the frames tile the tar part and the tar stream; returns them by offset. */
  private static Map<Long, TocFrame> frames(ArchiveToc toc) throws CorruptArchiveException {
    Map<Long, TocFrame> byOffset = new HashMap<>();
    long offset = 0;
    long tar = 0;
    for (int i = 0; i < toc.frames().size(); i++) {
      TocFrame f = toc.frames().get(i);
      String what = "frame " + i;
      if (f.offset() != offset || f.tarOffset() != tar) {
        throw corrupt(
            "puts "
                + what
                + " at archive offset "
                + f.offset()
                + " (tar offset "
                + f.tarOffset()
                + "), but the previous frame ends at "
                + offset
                + " ("
                + tar
                + "): frames must follow each other without gap or overlap");
      }
      if (f.tarLength() > MAX_FRAME_TAR_BYTES) {
        throw corrupt(
            "gives " + what + " " + f.tarLength() + " tar bytes, more than " + MAX_FRAME_TAR_BYTES);
      }
      bounded(what, f.length(), f.tarLength());
      offset = f.endOffset();
      tar += f.tarLength();
      byOffset.put(f.offset(), f);
    }
    if (offset != toc.framesEnd() || tar != toc.tarSize() || tar % RECORD != 0) {
      throw corrupt(
          "lists frames that end at archive offset "
              + offset
              + " and tar offset "
              + tar
              + ", not at framesEnd "
              + toc.framesEnd()
              + " and tarSize "
              + toc.tarSize()
              + " (a multiple of 512)");
    }
    return byOffset;
  }

  /**
   * A frame of {@code length} compressed bytes cannot hold {@code raw} bytes compressed by zstd.
   */
  private static void bounded(String what, long length, long raw) throws CorruptArchiveException {
    if (length > compressBound(raw)) {
      throw corrupt(
          "gives "
              + what
              + " "
              + length
              + " compressed bytes, more than zstd needs for "
              + raw
              + " bytes");
    }
  }

  /** zstd's ZSTD_COMPRESSBOUND, plus the largest frame header and the checksum. */
  static long compressBound(long n) {
    long margin = n < (128 << 10) ? ((128 << 10) - n) >> 11 : 0;
    return n + (n >> 8) + margin + 18 + 4;
  }

  private static long roundUp(long tarOffset) {
    return (tarOffset + RECORD - 1) / RECORD * RECORD;
  }

  private static CorruptArchiveException corrupt(String why) {
    return new CorruptArchiveException("the archive's table of contents " + why, null);
  }

  private static UnsafeArchiveException unsafe(String name, String rule) {
    return new UnsafeArchiveException(
        "the archive's table of contents lists " + name + ", which " + rule + "; refusing it");
  }
}
