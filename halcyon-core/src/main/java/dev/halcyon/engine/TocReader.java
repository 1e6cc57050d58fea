package dev.halcyon.engine;

import dev.halcyon.archive.ArchiveToc;
import dev.halcyon.archive.CorruptArchiveException;
import dev.halcyon.archive.ExtractLimits;
import dev.halcyon.archive.TocFooter;
import dev.halcyon.layer.Digest;
import dev.halcyon.store.LayerStore;
import dev.halcyon.store.ObjectChangedException;
import dev.halcyon.store.ObjectInfo;
import dev.halcyon.store.RangeNotSupportedException;
import dev.halcyon.store.TransientStoreException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

/**
 * Reads and verifies the table of contents of an archive in a store with ranged reads: its footer
 * with one read of the tail, then the table itself, checked against the digest its manifest
 * recorded (else the footer's, which only detects damage) and every extraction rule ({@link
 * ArchiveToc#parse}). The same for an archive in remote storage and one in the local cache.
 * Stateless.
 */
final class TocReader {
  private TocReader() {}

  /** A verified table of contents and the footer that located it. */
  record Read(TocFooter footer, ArchiveToc toc) {}

  /** Why an archive offers no table of contents to restore from; the message says so in a line. */
  static final class NoToc extends Exception {
    private static final long serialVersionUID = 1L;

    NoToc(String why) {
      super(why);
    }
  }

  /**
   * Reads and verifies the table of contents of {@code info}, one object of {@code store}, against
   * its footer's digest alone.
   *
   * @throws NoToc the archive has none, its footer is unreadable, or the store serves no ranges
   * @throws CorruptArchiveException a footer that contradicts the object, or a hostile table
   * @throws TransientStoreException a read broke off ("run again")
   */
  static Read read(LayerStore store, ObjectInfo info) throws IOException, NoToc {
    return read(store, info, Optional.empty());
  }

  /**
   * Reads and verifies the table of contents of {@code info}, one object of {@code store}, against
   * {@code recorded}, the digest the archive's manifest gives for it, when there is one.
   *
   * @throws NoToc the archive has none, its footer is unreadable, its footer's digest is not the
   *     recorded one (a full restore verifies the whole archive instead), or the store serves no
   *     ranges
   * @throws CorruptArchiveException a footer that contradicts the object, or a hostile table
   * @throws TransientStoreException a read broke off ("run again")
   */
  static Read read(LayerStore store, ObjectInfo info, Optional<Digest> recorded)
      throws IOException, NoToc {
    String key = info.key();
    try {
      TocFooter footer = footer(store, info);
      if (recorded.isPresent() && !recorded.get().equals(footer.tocDigest())) {
        throw new NoToc(
            "the table of contents of "
                + key
                + " is not the one its manifest records ("
                + footer.tocDigest()
                + " against "
                + recorded.get()
                + ")");
      }
      byte[] tocFrame = read(store, info, footer.tocOffset(), footer.tocLength());
      return new Read(
          footer,
          ArchiveToc.parse(
              tocFrame, footer, recorded.orElse(footer.tocDigest()), ExtractLimits.DEFAULT));
    } catch (RangeNotSupportedException e) {
      throw new NoToc(store.describe() + " does not serve ranged reads");
    }
  }

  /**
   * Reads the footer of {@code info}, one object of {@code store}: one read of its tail.
   *
   * @throws NoToc the archive has none or its footer is unreadable
   * @throws CorruptArchiveException a footer that contradicts the object's size
   * @throws RangeNotSupportedException the store serves no ranges
   */
  static TocFooter footer(LayerStore store, ObjectInfo info) throws IOException, NoToc {
    String key = info.key();
    if (info.size() <= TocFooter.SIZE) {
      throw new NoToc("no table of contents in " + key);
    }
    byte[] tail = read(store, info, info.size() - TocFooter.SIZE, TocFooter.SIZE);
    if (!TocFooter.present(tail)) {
      throw new NoToc("no table of contents in " + key);
    }
    TocFooter footer;
    try {
      footer = TocFooter.parse(tail);
    } catch (CorruptArchiveException e) {
      throw new NoToc(e.getMessage());
    }
    if (footer.archiveSize() != info.size()) {
      throw new CorruptArchiveException(
          "the table-of-contents footer of "
              + key
              + " describes an archive of "
              + footer.archiveSize()
              + " bytes, but the object has "
              + info.size()
              + "; refusing it",
          null);
    }
    return footer;
  }

  private static byte[] read(LayerStore store, ObjectInfo info, long offset, long length)
      throws IOException {
    Optional<InputStream> in = store.getRange(info, offset, length);
    if (in.isEmpty()) {
      throw new ObjectChangedException(
          info.key() + " vanished from " + store.describe() + " while it was read; run again");
    }
    try (InputStream s = in.get()) {
      byte[] b = s.readNBytes((int) length);
      if (b.length != length) {
        throw new TransientStoreException(
            "the read of "
                + length
                + " bytes at "
                + offset
                + " of "
                + info.key()
                + " broke off after "
                + b.length
                + "; run again");
      }
      return b;
    }
  }
}
