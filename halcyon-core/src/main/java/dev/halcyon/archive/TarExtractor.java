package dev.halcyon.archive;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * Extracts one tar stream into a fresh, empty directory that nobody else writes to, refusing every
 * member that could reach outside it. Not thread-safe; one instance per extraction.
 *
 * <p>The safety argument (libarchive's secure-symlinks rule): the directory starts empty and
 * private (0700), and this class records every node it creates. A member's parent components must
 * all be directories it created, so no write can pass through a symlink; every node is created
 * exclusively (files with CREATE_NEW and NOFOLLOW_LINKS, directories and symlinks failing on an
 * existing name), so nothing already there is followed or replaced; a hard link names a regular
 * file this extraction wrote. A symlink itself may point anywhere — absolute, outside the tree,
 * dangling — and is restored as it is, because nothing is ever written through one.
 */
final class TarExtractor {
  static final Set<PosixFilePermission> DIRECTORY_PERMISSIONS =
      PosixFilePermissions.fromString("rwxr-xr-x");
  static final Set<PosixFilePermission> EXECUTABLE_PERMISSIONS = DIRECTORY_PERMISSIONS;
  static final Set<PosixFilePermission> FILE_PERMISSIONS =
      PosixFilePermissions.fromString("rw-r--r--");

  private static final int SETUID = 04000;
  private static final int SETGID = 02000;

  private final Path root;
  private final ExtractLimits limits;
  private final String source;

  /** True when the umask leaves 0755 and 0644 alone, so create-time modes need no chmod. */
  private final boolean umaskClean;

  private final Map<String, MemberPaths.Node> tree = new HashMap<>();
  private final byte[] buffer = new byte[Codecs.BUFFER_SIZE];
  private long entries;
  private long contentBytes;

  TarExtractor(Path root, ExtractLimits limits, String source, boolean umaskClean) {
    this.root = root;
    this.limits = limits;
    this.source = source;
    this.umaskClean = umaskClean;
  }

  /** Reads the whole {@code decompressed} stream into the root directory. */
  ExtractSummary extract(InputStream decompressed) throws IOException {
    TarArchiveInputStream tar =
        new TarArchiveInputStream(decompressed, StandardCharsets.UTF_8.name());
    TarArchiveEntry e;
    while ((e = next(tar)) != null) {
      if (++entries > limits.maxEntries()) {
        throw new ArchiveLimitException(
            "archive "
                + source
                + " has more than "
                + limits.maxEntries()
                + " entries (ExtractLimits.maxEntries); refusing to extract");
      }
      member(tar, e);
    }
    drain(decompressed);
    return new ExtractSummary(entries, contentBytes);
  }

  private void member(TarArchiveInputStream tar, TarArchiveEntry e) throws IOException {
    String name = e.getName();
    Optional<String> bad = MemberPaths.unsafeReason(name);
    if (bad.isPresent()) {
      throw unsafe(name, bad.get());
    }
    List<String> parts = MemberPaths.components(name).orElseThrow();
    byte type = e.getLinkFlag();
    if (e.isCharacterDevice() || e.isBlockDevice()) {
      throw unsafe(name, "is a device file");
    }
    if (e.isFIFO()) {
      throw unsafe(name, "is a FIFO");
    }
    if (e.isSparse() || e.isPaxGNUSparse()) {
      throw unsafe(name, "is a sparse file, which is not supported");
    }
    if ((e.getMode() & (SETUID | SETGID)) != 0) {
      throw unsafe(
          name, "has the setuid or setgid bit (mode " + Integer.toOctalString(e.getMode()) + ")");
    }
    if (parts.isEmpty()) {
      if (e.isDirectory()) {
        return; // "./", the root itself: it exists already
      }
      throw unsafe(name, "names the target directory itself but is not a directory");
    }
    String key = String.join("/", parts);
    ensureParents(name, parts);
    MemberPaths.Node existing = tree.get(key);
    if (existing != null) {
      if (existing.kind() == MemberPaths.Kind.DIRECTORY && e.isDirectory()) {
        return;
      }
      // Replacing a node mid-archive is how a directory becomes a symlink before members are
      // written "into" it; nothing is ever replaced.
      if (existing.kind() == MemberPaths.Kind.SYMLINK) {
        throw unsafe(name, "would replace a symlink of the same name earlier in the archive");
      }
      if (existing.kind() == MemberPaths.Kind.DIRECTORY) {
        throw unsafe(name, "would replace a directory of the same name earlier in the archive");
      }
      throw unsafe(name, "appears more than once in the archive");
    }
    Path path = root.resolve(key);
    if (e.isDirectory()) {
      createDirectory(path, umaskClean);
      tree.put(key, new MemberPaths.Node(MemberPaths.Kind.DIRECTORY, null));
    } else if (type == TarConstants.LF_SYMLINK) {
      String target = e.getLinkName();
      Optional<String> badTarget = MemberPaths.linkTargetReason(target);
      if (badTarget.isPresent()) {
        throw unsafe(name, "is a symlink that " + badTarget.get());
      }
      Files.createSymbolicLink(path, Path.of(target));
      tree.put(key, new MemberPaths.Node(MemberPaths.Kind.SYMLINK, target));
    } else if (type == TarConstants.LF_LINK) {
      hardLink(name, key, path, e.getLinkName());
    } else if (type == TarConstants.LF_NORMAL
        || type == TarConstants.LF_OLDNORM
        || type == TarConstants.LF_CONTIG) {
      file(tar, e, name, path);
      tree.put(key, new MemberPaths.Node(MemberPaths.Kind.FILE, null));
    } else {
      throw unsafe(name, "has the unsupported tar entry type '" + (char) type + "'");
    }
  }

  /**
   * Creates missing parent directories and proves that every parent is a directory this extraction
   * made, so nothing is ever written through a symlink or below a file.
   */
  private void ensureParents(String name, List<String> parts) throws IOException {
    StringBuilder prefix = new StringBuilder();
    for (int i = 0; i < parts.size() - 1; i++) {
      if (i > 0) {
        prefix.append('/');
      }
      prefix.append(parts.get(i));
      String key = prefix.toString();
      MemberPaths.Node node = tree.get(key);
      if (node == null) {
        createDirectory(root.resolve(key), umaskClean);
        tree.put(key, new MemberPaths.Node(MemberPaths.Kind.DIRECTORY, null));
      } else if (node.kind() == MemberPaths.Kind.SYMLINK) {
        throw unsafe(name, "would be written through the symlink '" + key + "'");
      } else if (node.kind() == MemberPaths.Kind.FILE) {
        throw unsafe(name, "lies below '" + key + "', which is not a directory");
      }
    }
  }

  private void hardLink(String name, String key, Path path, String linkName) throws IOException {
    Optional<String> bad = MemberPaths.unsafeReason(linkName);
    if (bad.isPresent()) {
      throw unsafe(name, "is a hard link to '" + linkName + "', which " + bad.get());
    }
    List<String> targetParts = MemberPaths.components(linkName).orElseThrow();
    Optional<String> through = MemberPaths.symlinkOnTheWay(targetParts, tree);
    if (through.isPresent()) {
      throw unsafe(
          name,
          "is a hard link to '"
              + linkName
              + "', which lies through the symlink '"
              + through.get()
              + "'");
    }
    String targetKey = String.join("/", targetParts);
    MemberPaths.Node target = tree.get(targetKey);
    if (target != null && target.kind() == MemberPaths.Kind.SYMLINK) {
      // link(2) follows a symlink on some systems (macOS): the new name could reach outside.
      throw unsafe(
          name,
          "is a hard link to the symlink '"
              + linkName
              + "'; only regular files earlier in the archive may be hard-linked");
    }
    if (target == null || target.kind() != MemberPaths.Kind.FILE) {
      throw unsafe(
          name,
          "is a hard link to '"
              + linkName
              + "', which is not a regular file earlier in the archive");
    }
    Files.createLink(path, root.resolve(targetKey));
    tree.put(key, new MemberPaths.Node(MemberPaths.Kind.FILE, null));
  }

  private void file(TarArchiveInputStream tar, TarArchiveEntry e, String name, Path path)
      throws IOException {
    long declared = e.getSize();
    // Early refusals by header; the real bytes are counted below in any case.
    if (declared > limits.maxEntryBytes()) {
      throw entryTooLarge(name);
    }
    if (declared > limits.maxContentBytes() - contentBytes) {
      throw contentTooLarge();
    }
    boolean executable = (e.getMode() & 0111) != 0;
    Set<PosixFilePermission> permissions = executable ? EXECUTABLE_PERMISSIONS : FILE_PERMISSIONS;
    long written = 0;
    try (FileChannel out =
        FileChannel.open(
            path,
            Set.of(
                StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS),
            PosixFilePermissions.asFileAttribute(permissions))) {
      int n;
      while ((n = read(tar)) > 0) {
        written += n;
        contentBytes += n;
        if (written > limits.maxEntryBytes()) {
          throw entryTooLarge(name);
        }
        if (contentBytes > limits.maxContentBytes()) {
          throw contentTooLarge();
        }
        ByteBuffer bytes = ByteBuffer.wrap(buffer, 0, n);
        while (bytes.hasRemaining()) {
          out.write(bytes);
        }
      }
    }
    if (written != declared) {
      throw new CorruptArchiveException(
          "archive "
              + source
              + " is truncated: entry '"
              + name
              + "' declares "
              + declared
              + " bytes but holds "
              + written
              + "; fetch the archive again",
          null);
    }
    if (!umaskClean) {
      Files.setPosixFilePermissions(path, permissions);
    }
  }

  /**
   * Creates the directory {@code path} with {@link #DIRECTORY_PERMISSIONS}, setting them again
   * unless the umask is {@code clean}. Shared with {@link TreeAssembler}.
   */
  static void createDirectory(Path path, boolean umaskClean) throws IOException {
    Files.createDirectory(path, PosixFilePermissions.asFileAttribute(DIRECTORY_PERMISSIONS));
    if (!umaskClean) {
      Files.setPosixFilePermissions(path, DIRECTORY_PERMISSIONS);
    }
  }

  private TarArchiveEntry next(TarArchiveInputStream tar) throws IOException {
    try {
      return tar.getNextEntry();
    } catch (IOException | RuntimeException e) {
      throw corruptUnlessSourceFailed(e);
    }
  }

  private int read(TarArchiveInputStream tar) throws IOException {
    try {
      return tar.read(buffer, 0, buffer.length);
    } catch (IOException | RuntimeException e) {
      throw corruptUnlessSourceFailed(e);
    }
  }

  /**
   * Reads past the end-of-archive records to the end of the compressed stream, so that the codec
   * checks its trailer (zstd and xz checksums, gzip CRC) and a damaged tail is not missed.
   */
  private void drain(InputStream decompressed) throws IOException {
    long trailing = 0;
    try {
      int n;
      while ((n = decompressed.read(buffer)) >= 0) {
        trailing += n;
        if (trailing > limits.maxContentBytes()) {
          throw contentTooLarge();
        }
      }
    } catch (ArchiveLimitException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw corruptUnlessSourceFailed(e);
    }
  }

  /**
   * The exception to throw for a failure while reading the stream: an interrupted read unchanged,
   * otherwise a {@link CorruptArchiveException}. When the source itself failed (a download broken
   * off, a store's own digest check), {@link Archives} finds that failure by identity and throws it
   * in place of this one, so this package needs to know no store's exceptions.
   */
  private IOException corruptUnlessSourceFailed(Exception e) {
    if (isSourceFailure(e)) {
      return (IOException) e;
    }
    return corrupt(e);
  }

  /** True for a read that was interrupted, which says nothing about the archive itself. */
  static boolean isSourceFailure(Throwable e) {
    return e instanceof InterruptedIOException;
  }

  private CorruptArchiveException corrupt(Exception cause) {
    return new CorruptArchiveException(
        "cannot read archive "
            + source
            + ": it is corrupt, truncated or not in the expected format ("
            + cause.getMessage()
            + "); fetch it again",
        cause);
  }

  private ArchiveLimitException entryTooLarge(String name) {
    return new ArchiveLimitException(
        "archive entry '"
            + name
            + "' has more than "
            + limits.maxEntryBytes()
            + " bytes (ExtractLimits.maxEntryBytes); refusing to extract");
  }

  private ArchiveLimitException contentTooLarge() {
    return new ArchiveLimitException(
        "archive "
            + source
            + " holds more than "
            + limits.maxContentBytes()
            + " content bytes (ExtractLimits.maxContentBytes); refusing to extract");
  }

  private static UnsafeArchiveException unsafe(String name, String rule) {
    return new UnsafeArchiveException(
        "archive entry '" + name + "' " + rule + "; refusing to extract");
  }
}
