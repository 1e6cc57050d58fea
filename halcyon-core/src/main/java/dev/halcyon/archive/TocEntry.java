package dev.halcyon.archive;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.halcyon.layer.Digest;
import java.util.List;
import java.util.Optional;

/**
 * One member of an archive as its table of contents lists it, in archive order. What a full
 * extraction of the archive creates for this member is determined by these fields alone: a
 * directory (mode 0755), a regular file with the given content and mode (0644 or 0755), or a
 * symlink to {@code linkTarget}. Entries returned by {@link ArchiveToc#parse} have passed the same
 * path, link and limit checks as extraction applies to tar headers.
 *
 * @param path relative path, components joined by {@code /}, no trailing slash, no {@code .} or
 *     {@code ..} components
 * @param type what the member is
 * @param mode permission bits: 0755 for directories, 0644 or 0755 for files, 0777 for symlinks
 * @param size content length of a file, 0 for other types
 * @param linkTarget the target of a symlink, empty for other types
 * @param digest SHA-256 of a file's whole content, empty for other types
 * @param tarOffset where the member's tar header (or its PAX header) starts in the tar stream, a
 *     multiple of 512
 * @param chunks a file's content frames in file order (none for an empty file or another type)
 */
public record TocEntry(
    String path,
    Type type,
    int mode,
    long size,
    Optional<String> linkTarget,
    Optional<Digest> digest,
    long tarOffset,
    List<TocChunk> chunks) {

  /** The kinds of member an archive with a table of contents holds. */
  public enum Type {
    /** A directory; it has no content and no chunks. */
    DIRECTORY,
    /** A regular file, whose content is described by its chunks. */
    FILE,
    /** A symbolic link; its target is in {@link TocEntry#linkTarget()}. */
    SYMLINK
  }

  /**
   * Checks the fields and copies the chunks; the path and link rules are checked by {@link
   * ArchiveToc#parse}, not here.
   *
   * @param path relative path
   * @param type what the member is
   * @param mode permission bits
   * @param size not negative
   * @param linkTarget empty for a type other than symlink
   * @param digest empty for a type other than file
   * @param tarOffset not negative
   * @param chunks a file's content frames in file order
   * @throws IllegalArgumentException if {@code size} or {@code tarOffset} is negative
   */
  public TocEntry {
    checkNotNull(path, "path");
    checkNotNull(type, "type");
    checkArgument(size >= 0, "size must not be negative: %s", size);
    checkNotNull(linkTarget, "linkTarget");
    checkNotNull(digest, "digest");
    checkArgument(tarOffset >= 0, "tarOffset must not be negative: %s", tarOffset);
    chunks = List.copyOf(chunks);
  }

  /**
   * A directory entry.
   *
   * @param path relative path, without a trailing slash
   * @param tarOffset where its tar header starts in the tar stream
   * @return an entry of mode 0755 without content
   */
  public static TocEntry directory(String path, long tarOffset) {
    return new TocEntry(
        path, Type.DIRECTORY, 0755, 0, Optional.empty(), Optional.empty(), tarOffset, List.of());
  }

  /**
   * A symlink entry.
   *
   * @param path relative path
   * @param target the link's target text, as stored
   * @param tarOffset where its tar header starts in the tar stream
   * @return an entry of mode 0777 without content
   */
  public static TocEntry symlink(String path, String target, long tarOffset) {
    return new TocEntry(
        path, Type.SYMLINK, 0777, 0, Optional.of(target), Optional.empty(), tarOffset, List.of());
  }

  /**
   * A regular file entry.
   *
   * @param path relative path
   * @param mode permission bits, 0644 or 0755
   * @param size content length in bytes
   * @param digest SHA-256 of the whole content
   * @param tarOffset where its tar header starts in the tar stream
   * @param chunks the content's chunks in file order; none for an empty file
   * @return a regular file entry
   */
  public static TocEntry file(
      String path, int mode, long size, Digest digest, long tarOffset, List<TocChunk> chunks) {
    return new TocEntry(
        path, Type.FILE, mode, size, Optional.empty(), Optional.of(digest), tarOffset, chunks);
  }
}
