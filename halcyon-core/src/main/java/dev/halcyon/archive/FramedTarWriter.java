package dev.halcyon.archive;

import dev.halcyon.hash.DigestingOutputStream;
import dev.halcyon.layer.Digest;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Writes a zstd archive with a table of contents (see {@code docs/archive-format.md}): the same tar
 * stream {@link TarWriter} would write, cut into independent zstd frames (one per member header,
 * one per content chunk of at most {@link #CHUNK_SIZE}, one for the end records), followed by the
 * TOC in a skippable frame and the {@link TocFooter}.
 */
final class FramedTarWriter {
  /**
   * Content chunk size: large enough that splitting costs nothing measurable in size (zstd at level
   * 3 uses a 1 MiB window, so a 4 MiB frame loses context only at three boundaries per 16 MiB) and
   * that few files are split at all, small enough that a changed chunk of a large file is a small
   * fetch and that decompressing one needs little memory.
   */
  static final int CHUNK_SIZE = 4 << 20;

  private static final int RECORD = 512;

  private FramedTarWriter() {}

  /**
   * What a segment of the tar stream is: the header frame of member {@code entry} ({@code chunk}
   * -1), chunk {@code chunk} of its content, or the end frame ({@code entry} -1).
   */
  record Piece(int entry, int chunk) {
    static final Piece END = new Piece(-1, -1);

    boolean isContent() {
      return chunk >= 0;
    }
  }

  static ArchiveSummary write(List<TarWriter.Member> members, OutputStream out) throws IOException {
    DigestingOutputStream digesting =
        new DigestingOutputStream(
            new BufferedOutputStream(Codecs.nonClosing(out), Codecs.BUFFER_SIZE));
    Assembly toc = new Assembly(members, digesting);
    long contentBytes = 0;
    try (FrameCompressor compressor = new FrameCompressor(Codecs.ZSTD_WORKERS, toc::accept)) {
      FrameSink sink = new FrameSink(compressor::submit);
      // One 512-byte record per block: every header reaches the sink as soon as it is written,
      // so the sink's position right after putArchiveEntry is where the content starts.
      TarArchiveOutputStream tar =
          new TarArchiveOutputStream(sink, RECORD, StandardCharsets.UTF_8.name());
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
      tar.setAddPaxHeadersForNonAsciiNames(true);
      byte[] buffer = new byte[Codecs.BUFFER_SIZE];
      for (int i = 0; i < members.size(); i++) {
        TarWriter.Member m = members.get(i);
        tar.putArchiveEntry(TarWriter.entry(m));
        long start = sink.position();
        if (start % RECORD != 0 || !sink.noPendingCuts()) {
          throw new IllegalStateException("tar header of " + m.name() + " ends mid-record");
        }
        sink.cutAt(start, new Piece(i, -1));
        if (m.kind() == MemberPaths.Kind.FILE) {
          int chunks = (int) ((m.size() + CHUNK_SIZE - 1) / CHUNK_SIZE);
          for (int k = 0; k < chunks; k++) {
            sink.cutAt(start + Math.min((long) (k + 1) * CHUNK_SIZE, m.size()), new Piece(i, k));
          }
          MessageDigest whole = chunks > 1 ? Digest.newSha256() : null;
          TarWriter.copy(m, tar, buffer, whole);
          if (whole != null) {
            toc.wholeDigest(i, Digest.of(whole.digest()));
          }
          contentBytes += m.size();
        }
        tar.closeArchiveEntry();
      }
      tar.finish();
      tar.close();
      sink.cutAt(sink.position(), Piece.END);
      compressor.drain();
    }
    ArchiveToc built = toc.toc();
    byte[] frame = built.toFrame();
    TocFooter footer = new TocFooter(digesting.count(), frame.length, Digest.sha256(frame));
    digesting.write(frame);
    digesting.write(footer.format());
    digesting.flush();
    return new ArchiveSummary(
        digesting.digest(),
        digesting.count(),
        members.size(),
        contentBytes,
        Optional.of(footer.tocDigest()));
  }

  /** Writes frames out in order and collects the table of contents from where they landed. */
  private static final class Assembly {
    private final List<TarWriter.Member> members;
    private final OutputStream out;
    private final TocFrame[] headers;
    private final List<List<TocChunk>> chunks = new ArrayList<>();
    private final Digest[] whole;
    private long offset;
    private long tar;
    private TocFrame end;

    Assembly(List<TarWriter.Member> members, OutputStream out) {
      this.members = members;
      this.out = out;
      this.headers = new TocFrame[members.size()];
      this.whole = new Digest[members.size()];
      for (int i = 0; i < members.size(); i++) {
        chunks.add(new ArrayList<>());
      }
    }

    void wholeDigest(int entry, Digest digest) {
      whole[entry] = digest;
    }

    void accept(FrameCompressor.Frame f) throws IOException {
      out.write(f.bytes());
      Piece p = f.piece();
      if (p.isContent()) {
        long fileOffset = (long) p.chunk() * CHUNK_SIZE;
        chunks
            .get(p.entry())
            .add(
                new TocChunk(
                    offset, f.bytes().length, fileOffset, f.rawLength(), f.contentDigest()));
      } else {
        TocFrame frame = new TocFrame(offset, f.bytes().length, tar, f.rawLength());
        if (p.equals(Piece.END)) {
          end = frame;
        } else {
          headers[p.entry()] = frame;
        }
      }
      offset += f.bytes().length;
      tar += f.rawLength();
    }

    ArchiveToc toc() {
      List<TocEntry> entries = new ArrayList<>(members.size());
      for (int i = 0; i < members.size(); i++) {
        TarWriter.Member m = members.get(i);
        String path = TarWriter.pathOf(m);
        entries.add(
            switch (m.kind()) {
              case DIRECTORY -> TocEntry.directory(path, headers[i]);
              case SYMLINK -> TocEntry.symlink(path, m.linkTarget(), headers[i]);
              case FILE -> {
                List<TocChunk> cs = chunks.get(i);
                Digest digest =
                    whole[i] != null
                        ? whole[i]
                        : cs.isEmpty() ? Digest.sha256(new byte[0]) : cs.get(0).digest();
                yield TocEntry.file(
                    path, m.executable() ? 0755 : 0644, m.size(), digest, headers[i], cs);
              }
            });
      }
      return new ArchiveToc(CHUNK_SIZE, tar, offset, entries, end);
    }
  }
}
