package dev.halcyon.archive;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

/** Test helpers: write a framed archive into memory and read its footer and TOC back. */
final class Tocs {
  private Tocs() {}

  /** A framed zstd archive of {@code src}. */
  static byte[] archive(Path src) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Archives.write(src, out, Compression.ZSTD);
    return out.toByteArray();
  }

  static TocFooter footer(byte[] archive) throws IOException {
    return TocFooter.parse(
        Arrays.copyOfRange(archive, archive.length - TocFooter.SIZE, archive.length));
  }

  static byte[] tocFrame(byte[] archive) throws IOException {
    TocFooter f = footer(archive);
    return Arrays.copyOfRange(archive, (int) f.tocOffset(), (int) (f.tocOffset() + f.tocLength()));
  }

  /** The archive's TOC, read as a delta restore would: footer, then the verified TOC frame. */
  static ArchiveToc toc(byte[] archive) throws IOException {
    TocFooter f = footer(archive);
    return ArchiveToc.parse(tocFrame(archive), f, f.tocDigest(), ExtractLimits.DEFAULT);
  }

  static byte[] range(byte[] archive, long offset, long length) {
    return Arrays.copyOfRange(archive, (int) offset, (int) (offset + length));
  }
}
