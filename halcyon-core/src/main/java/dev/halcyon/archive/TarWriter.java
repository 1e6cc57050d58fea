package dev.halcyon.archive;

import dev.halcyon.hash.DigestingOutputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * Writes one directory tree as a reproducible tar; see {@link Archives#write(Path, OutputStream,
 * Compression)}.
 */
final class TarWriter {
  /**
   * The modification time of every member: one second after the epoch, as Jib does, because some
   * tools read a zero time as "unknown".
   */
  static final Instant MTIME = Instant.ofEpochSecond(1);

  static final int DIRECTORY_MODE = 040755;
  static final int EXECUTABLE_MODE = 0100755;
  static final int FILE_MODE = 0100644;

  private static final FileTime MTIME_FILE_TIME = FileTime.from(MTIME);

  private TarWriter() {}

  /** One member to write, found by {@link #scan}. */
  @SuppressWarnings("ArrayRecordComponent") // a package-private carrier, never compared or hashed
  record Member(
      String name,
      byte[] sortKey,
      Path path,
      MemberPaths.Kind kind,
      long size,
      boolean executable,
      String linkTarget) {}

  static ArchiveSummary write(Path sourceDir, OutputStream out, Compression c, ArchiveOrder order)
      throws IOException {
    return write(sourceDir, out, c, order, Codecs.ZSTD_WORKERS);
  }

  /** As above, a zstd archive's frames compressed on {@code zstdThreads} threads at once. */
  static ArchiveSummary write(
      Path sourceDir, OutputStream out, Compression c, ArchiveOrder order, int zstdThreads)
      throws IOException {
    List<Member> members = order(scan(sourceDir), order);
    if (c == Compression.ZSTD) {
      return FramedTarWriter.write(members, out, zstdThreads);
    }
    DigestingOutputStream digesting = new DigestingOutputStream(Codecs.nonClosing(out));
    long contentBytes = 0;
    // tar -> buffer -> codec -> buffer -> digest -> caller: the buffers turn the tar's 10 KiB
    // records and the codec's small blocks into few large writes.
    try (TarArchiveOutputStream tar =
        new TarArchiveOutputStream(
            new BufferedOutputStream(
                Codecs.compressing(c, new BufferedOutputStream(digesting, Codecs.BUFFER_SIZE)),
                Codecs.BUFFER_SIZE),
            StandardCharsets.UTF_8.name())) {
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
      tar.setAddPaxHeadersForNonAsciiNames(true);
      byte[] buffer = new byte[Codecs.BUFFER_SIZE];
      for (Member m : members) {
        tar.putArchiveEntry(entry(m));
        if (m.kind() == MemberPaths.Kind.FILE) {
          copy(m, tar, buffer);
          contentBytes += m.size();
        }
        tar.closeArchiveEntry();
      }
      tar.finish();
    }
    out.flush();
    return new ArchiveSummary(
        digesting.digest(), digesting.count(), members.size(), contentBytes, Optional.empty());
  }

  /**
   * The members in the order {@code order} gives (rank, then name), each directory moved just
   * before the first member below it unless its own rank put it earlier.
   *
   * @param byName the members sorted by name, as {@link #scan} returns them
   */
  static List<Member> order(List<Member> byName, ArchiveOrder order) {
    Map<String, Member> dirs = new HashMap<>();
    Map<Member, Integer> ranks = new HashMap<>();
    for (Member m : byName) {
      String path = pathOf(m);
      if (m.kind() == MemberPaths.Kind.DIRECTORY) {
        dirs.put(path, m);
      }
      ranks.put(m, order.rank(path));
    }
    List<Member> ranked = new ArrayList<>(byName);
    // Stable: equal ranks keep the name order.
    ranked.sort((x, y) -> Integer.compare(ranks.get(x), ranks.get(y)));
    Set<Member> written = Collections.newSetFromMap(new IdentityHashMap<>());
    List<Member> out = new ArrayList<>(byName.size());
    for (Member m : ranked) {
      String path = pathOf(m);
      for (int slash = path.indexOf('/'); slash >= 0; slash = path.indexOf('/', slash + 1)) {
        Member parent = dirs.get(path.substring(0, slash));
        if (parent != null && written.add(parent)) {
          out.add(parent);
        }
      }
      if (written.add(m)) {
        out.add(m);
      }
    }
    return out;
  }

  /** The member's path without the trailing slash of a directory name. */
  static String pathOf(Member m) {
    String n = m.name();
    return n.endsWith("/") ? n.substring(0, n.length() - 1) : n;
  }

  static TarArchiveEntry entry(Member m) {
    TarArchiveEntry e =
        switch (m.kind()) {
          case SYMLINK -> {
            TarArchiveEntry link = new TarArchiveEntry(m.name(), TarConstants.LF_SYMLINK);
            link.setLinkName(m.linkTarget());
            link.setMode(0120777);
            yield link;
          }
          case DIRECTORY -> {
            TarArchiveEntry dir = new TarArchiveEntry(m.name());
            dir.setMode(DIRECTORY_MODE);
            yield dir;
          }
          case FILE -> {
            TarArchiveEntry file = new TarArchiveEntry(m.name());
            file.setMode(m.executable() ? EXECUTABLE_MODE : FILE_MODE);
            file.setSize(m.size());
            yield file;
          }
        };
    // The entry constructors fill in the current user and time; reproducible archives carry
    // neither.
    e.setModTime(MTIME_FILE_TIME);
    e.setUserId(0);
    e.setGroupId(0);
    e.setUserName("");
    e.setGroupName("");
    return e;
  }

  static void copy(Member m, OutputStream tar, byte[] buffer) throws IOException {
    copy(m, tar, buffer, null);
  }

  /** Copies the file's content into the tar, updating {@code digest} if not null. */
  static void copy(Member m, OutputStream tar, byte[] buffer, MessageDigest digest)
      throws IOException {
    long remaining = m.size();
    try (InputStream in = Files.newInputStream(m.path(), LinkOption.NOFOLLOW_LINKS)) {
      while (remaining > 0) {
        int n = in.read(buffer, 0, (int) Math.min(buffer.length, remaining));
        if (n < 0) {
          throw changed(m);
        }
        tar.write(buffer, 0, n);
        if (digest != null) {
          digest.update(buffer, 0, n);
        }
        remaining -= n;
      }
      if (in.read() >= 0) {
        throw changed(m);
      }
    }
  }

  static IOException changed(Member m) {
    return new IOException(
        "file '"
            + m.path()
            + "' changed size while it was being archived (expected "
            + m.size()
            + " bytes); archive a tree that nothing else is writing to");
  }

  /**
   * Lists every member below {@code root}, sorted by the bytes of its UTF-8 name (directories end
   * in {@code /}, so a directory sorts just before its own contents). Symlinks are never followed.
   */
  private static List<Member> scan(Path root) throws IOException {
    if (!Files.isDirectory(root)) {
      throw new IOException("cannot archive '" + root + "': it is not a directory");
    }
    List<Member> members = new ArrayList<>();
    Deque<Path> dirs = new ArrayDeque<>();
    dirs.push(root);
    while (!dirs.isEmpty()) {
      Path dir = dirs.pop();
      try (DirectoryStream<Path> children = Files.newDirectoryStream(dir)) {
        for (Path p : children) {
          String rel = root.relativize(p).toString();
          PosixFileAttributes a =
              Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
          if (a.isSymbolicLink()) {
            members.add(
                member(
                    rel,
                    p,
                    MemberPaths.Kind.SYMLINK,
                    0,
                    false,
                    Files.readSymbolicLink(p).toString()));
          } else if (a.isDirectory()) {
            members.add(member(rel + "/", p, MemberPaths.Kind.DIRECTORY, 0, false, null));
            dirs.push(p);
          } else if (a.isRegularFile()) {
            boolean executable = a.permissions().contains(PosixFilePermission.OWNER_EXECUTE);
            members.add(member(rel, p, MemberPaths.Kind.FILE, a.size(), executable, null));
          } else {
            throw new IOException(
                "cannot archive '"
                    + p
                    + "': it is a device, FIFO or socket, and only files,"
                    + " directories and symlinks can be archived; remove it from the tree");
          }
        }
      }
    }
    // Symlinks are archived as they are, wherever they point (absolute, outside, dangling):
    // extraction never writes through one, so there is nothing to refuse here.
    members.sort((x, y) -> Arrays.compareUnsigned(x.sortKey(), y.sortKey()));
    return members;
  }

  private static Member member(
      String name, Path path, MemberPaths.Kind kind, long size, boolean executable, String target) {
    return new Member(
        name, name.getBytes(StandardCharsets.UTF_8), path, kind, size, executable, target);
  }
}
