package dev.halcyon.engine;

import dev.halcyon.archive.CorruptArchiveException;
import dev.halcyon.archive.TocFooter;
import dev.halcyon.layer.Digest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/** Reads the table-of-contents digest from an archive file's footer, for its manifest. */
final class TocDigests {
  private TocDigests() {}

  /** The digest the footer of {@code archive} records, or empty if it has no footer. */
  static Optional<Digest> ofFile(Path archive) throws IOException {
    try (FileChannel ch = FileChannel.open(archive, StandardOpenOption.READ)) {
      long size = ch.size();
      if (size < TocFooter.SIZE) {
        return Optional.empty();
      }
      ByteBuffer b = ByteBuffer.allocate(TocFooter.SIZE);
      while (b.hasRemaining()) {
        if (ch.read(b, size - TocFooter.SIZE + b.position()) < 0) {
          return Optional.empty();
        }
      }
      byte[] tail = b.array();
      if (!TocFooter.present(tail)) {
        return Optional.empty();
      }
      return Optional.of(TocFooter.parse(tail).tocDigest());
    } catch (CorruptArchiveException e) {
      return Optional.empty();
    }
  }
}
