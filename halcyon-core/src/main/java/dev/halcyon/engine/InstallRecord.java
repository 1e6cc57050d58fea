package dev.halcyon.engine;

import dev.halcyon.hash.Digests;
import dev.halcyon.layer.Digest;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * What halcyon knows about the files it installed into one install directory: for every regular
 * file its SHA-256 and its stat when the record was written (size, mtime and ctime in nanoseconds,
 * inode, device), as git's index keeps them. A file whose stat still matches was not changed since,
 * so a delta restore may reuse it without reading it; any other file is hashed before it is reused.
 *
 * <p>git's rule for racy timestamps applies: a file whose mtime or ctime is not older than the
 * record's own write time (the file system's clock, which stamps both, read before the first file
 * was looked at) may have changed after it was looked at within the same clock tick, so it counts
 * as unproven and is hashed.
 *
 * <p>The replaced tree and the fingerprints: a delta restore hard-links unchanged files of the
 * replaced tree into the new one, and deleting the replaced tree's names afterwards changes those
 * files' ctime and link count, so fingerprints taken before the deletion would all fail and the
 * next redeploy would hash every file. Three ways were weighed. (1) Delete the old tree before the
 * fingerprints are taken, as a synchronous step after the swap: sound, but it is the slowest step
 * of a small redeploy (about 1,100 unlinks). (2) Delete it after the command ended (a detached
 * process) and then refresh the fingerprints of the files whose only change was that deletion: the
 * refresh cannot tell our unlink's ctime change from a person's edit with the mtime put back made
 * in the same moment, so it would trust something unproven. (3), the choice: leave the replaced
 * tree in the {@link InstallTrash} (one rename after the swap), record each file's fingerprint with
 * the trash's link still in place (and {@link Entry#trashLinks} saying so), and let the next
 * restore into the directory prove the installed files by these fingerprints first and only then
 * delete the trash (on a thread of its own, while it reads the table of contents, links and
 * fetches), waiting for that deletion before it takes its own fingerprints. Nothing changes a
 * file's ctime between a fingerprint and its check but a real change, so no stamp is ever excused;
 * the deletion leaves the critical path of the run that replaced the tree and overlaps the next
 * one's work. A run killed while the trash is deleted leaves some files with a changed ctime: the
 * next run hashes exactly those, and finishes the trash.
 *
 * <p>Kept in {@link WorkDirLayout#installRecord}, one line per file, written to a temporary file
 * and moved into place. Immutable once read.
 */
final class InstallRecord {
  private static final String HEADER = "halcyon-install-record 2";

  /** A file's identity and change stamps, as a fingerprint compares them. */
  record Stat(long size, long mtimeNs, long ctimeNs, long inode, long device, int links) {
    /** Whether {@code other} is the same file, unchanged. */
    boolean sameAs(Stat other) {
      return size == other.size
          && mtimeNs == other.mtimeNs
          && ctimeNs == other.ctimeNs
          && inode == other.inode
          && device == other.device
          && links == other.links;
    }
  }

  /**
   * One recorded file.
   *
   * @param trashLinks how many of the file's links are names in the {@link InstallTrash} (1 for a
   *     file hard-linked from the replaced tree, else 0): the links a delta restore may discount
   *     when it decides whether anything else links to the file
   */
  record Entry(Digest digest, Stat stat, int trashLinks) {
    Entry(Digest digest, Stat stat) {
      this(digest, stat, 0);
    }
  }

  /**
   * What a restore knew of the tree it just put in place: each file's digest and its stat as of
   * file-system time {@code asOfNs}, and which files were hard-linked from the replaced tree.
   */
  record Snapshot(Map<String, Entry> entries, long asOfNs, Set<String> relinked) {}

  private final Map<String, Entry> entries;
  private final long writtenNs;

  private InstallRecord(Map<String, Entry> entries, long writtenNs) {
    this.entries = entries;
    this.writtenNs = writtenNs;
  }

  /** A record that proves nothing. */
  static InstallRecord empty() {
    return new InstallRecord(Map.of(), Long.MIN_VALUE);
  }

  /** The record in {@code file}; empty when there is none or it cannot be read. */
  static InstallRecord read(Path file) {
    try {
      long written =
          Files.getLastModifiedTime(file, LinkOption.NOFOLLOW_LINKS).to(TimeUnit.NANOSECONDS);
      List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      if (lines.isEmpty() || !lines.get(0).equals(HEADER)) {
        return empty();
      }
      Map<String, Entry> entries = new HashMap<>();
      for (String line : lines.subList(1, lines.size())) {
        String[] f = line.split(" ", 9);
        Stat stat =
            new Stat(
                Long.parseLong(f[1]),
                Long.parseLong(f[2]),
                Long.parseLong(f[3]),
                Long.parseLong(f[4]),
                Long.parseLong(f[5]),
                Integer.parseInt(f[6]));
        entries.put(
            unescape(f[8]),
            new Entry(Digest.parse("sha256:" + f[0]), stat, Integer.parseInt(f[7])));
      }
      return new InstallRecord(entries, written);
    } catch (IOException | RuntimeException e) {
      // A missing or damaged record only means files are hashed before they are reused.
      return empty();
    }
  }

  /** The recorded files by path. */
  Map<String, Entry> entries() {
    return entries;
  }

  /**
   * The recorded digest of {@code path} if {@code now} (its current stat) proves it unchanged since
   * the record was written.
   */
  Optional<Digest> provenDigest(String path, Stat now) {
    return provenEntry(path, now).map(Entry::digest);
  }

  /** Like {@link #provenDigest}, with all that was recorded of the file. */
  Optional<Entry> provenEntry(String path, Stat now) {
    Entry e = entries.get(path);
    if (e == null || !e.stat.sameAs(now) || Math.max(now.mtimeNs, now.ctimeNs) >= writtenNs) {
      return Optional.empty();
    }
    return Optional.of(e);
  }

  /** The stat of a regular file, or empty for anything else (or nothing). */
  static Optional<Stat> stat(Path file) throws IOException {
    Map<String, Object> a;
    try {
      a =
          Files.readAttributes(
              file,
              "unix:size,lastModifiedTime,ctime,ino,dev,nlink,mode",
              LinkOption.NOFOLLOW_LINKS);
    } catch (java.nio.file.NoSuchFileException e) {
      return Optional.empty();
    }
    int mode = (Integer) a.get("mode");
    if ((mode & 0170000) != 0100000) {
      return Optional.empty();
    }
    return Optional.of(
        new Stat(
            (Long) a.get("size"),
            ((FileTime) a.get("lastModifiedTime")).to(TimeUnit.NANOSECONDS),
            ((FileTime) a.get("ctime")).to(TimeUnit.NANOSECONDS),
            (Long) a.get("ino"),
            (Long) a.get("dev"),
            (Integer) a.get("nlink")));
  }

  /**
   * The SHA-256 of the installed file {@code file}, read without following a symlink there: a file
   * swapped for a link to, say, {@code /etc/shadow} since its stat fails to open instead of being
   * hashed (and then reused) as the link's target.
   */
  static Digest hash(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
      return Digests.sha256(in);
    }
  }

  /** The file system's clock now, as it stamps files in {@code dir}. */
  static long fileSystemNow(Path dir) throws IOException {
    Files.createDirectories(dir);
    Path probe = Files.createTempFile(dir, ".clock-", ".tmp");
    try {
      return Files.getLastModifiedTime(probe).to(TimeUnit.NANOSECONDS);
    } finally {
      Files.deleteIfExists(probe);
    }
  }

  /**
   * Records every regular file of {@code installDir} in {@code file}. A file whose stat equals the
   * one in {@code known} (taken at file-system time {@code knownAsOfNs}, and not racy against it)
   * keeps the digest given there; every other file is hashed.
   */
  static void write(
      Path file, Path installDir, Map<String, Entry> known, long knownAsOfNs, Set<String> relinked)
      throws IOException {
    InstallRecord snapshot = new InstallRecord(known, knownAsOfNs);
    // Taken before any file is looked at: a file changed after its stat was read has a stamp
    // not older than this, so the next run hashes it (git's racy-timestamp rule).
    long startNs = fileSystemNow(file.getParent());
    Map<String, Entry> now = new HashMap<>();
    Files.walkFileTree(
        installDir,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path p, BasicFileAttributes attrs) throws IOException {
            if (!attrs.isRegularFile()) {
              return FileVisitResult.CONTINUE;
            }
            String rel = installDir.relativize(p).toString();
            Optional<Stat> stat = stat(p);
            if (stat.isPresent()) {
              put(now, rel, p, stat.get(), snapshot, relinked);
            }
            return FileVisitResult.CONTINUE;
          }
        });
    writeEntries(file, now, startNs);
  }

  /**
   * Records in {@code file} the files of {@code snapshot}, a tree under {@code installDir} nothing
   * has touched since it was taken (no post-install ran), by the stats it took: no walk and no
   * second stat of every file, which on a fresh machine's restore of 20,000 files cost a tenth of
   * the run. Only a file whose mtime or ctime is not older than the snapshot's time (it may have
   * changed within the clock tick its stat was read in; git's racy-timestamp rule) is looked at
   * again, and hashed, as {@link #write(Path, Path, Map, long, Set)} does. Sound also if something
   * did touch the tree: a file changed after its stat was taken fails that stat.
   */
  static void write(Path file, Path installDir, Snapshot snapshot) throws IOException {
    InstallRecord known = new InstallRecord(snapshot.entries(), snapshot.asOfNs());
    long startNs = fileSystemNow(file.getParent());
    Map<String, Entry> now = new HashMap<>();
    for (Map.Entry<String, Entry> e : snapshot.entries().entrySet()) {
      Path p = installDir.resolve(e.getKey());
      Stat stat = e.getValue().stat;
      if (Math.max(stat.mtimeNs, stat.ctimeNs) >= snapshot.asOfNs()) {
        Optional<Stat> current = stat(p);
        if (current.isEmpty()) {
          continue;
        }
        stat = current.get();
      }
      put(now, e.getKey(), p, stat, known, snapshot.relinked());
    }
    writeEntries(file, now, startNs);
  }

  /**
   * Adds to {@code now} the entry of {@code rel} (at {@code p}, with {@code stat}): the digest
   * {@code known} proves for that stat, else the file's hash, unless it changed while read.
   */
  private static void put(
      Map<String, Entry> now,
      String rel,
      Path p,
      Stat stat,
      InstallRecord known,
      Set<String> relinked)
      throws IOException {
    Digest d = known.provenDigest(rel, stat).orElse(null);
    if (d == null) {
      d = hash(p);
      Optional<Stat> after = stat(p);
      if (after.isEmpty() || !after.get().sameAs(stat)) {
        return; // changing while read: leave it unproven
      }
    }
    Entry before = known.entries.get(rel);
    boolean sameInode =
        before != null && before.stat.inode == stat.inode && before.stat.device == stat.device;
    now.put(rel, new Entry(d, stat, relinked.contains(rel) && sameInode ? 1 : 0));
  }

  /** Writes {@code entries} to {@code file}, whose mtime becomes {@code startNs}. */
  private static void writeEntries(Path file, Map<String, Entry> entries, long startNs)
      throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
      w.write(HEADER);
      w.write('\n');
      for (Map.Entry<String, Entry> e : entries.entrySet()) {
        Stat s = e.getValue().stat;
        w.write(
            e.getValue().digest.hex()
                + " "
                + s.size
                + " "
                + s.mtimeNs
                + " "
                + s.ctimeNs
                + " "
                + s.inode
                + " "
                + s.device
                + " "
                + s.links
                + " "
                + e.getValue().trashLinks
                + " "
                + escape(e.getKey())
                + "\n");
      }
    }
    // The record's mtime is its write time for the racy-timestamp rule.
    Files.setLastModifiedTime(tmp, FileTime.from(startNs, TimeUnit.NANOSECONDS));
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  /** Forgets what was recorded for {@code installDir} (before it is replaced). */
  static void delete(Path file) throws IOException {
    Files.deleteIfExists(file);
  }

  private static String escape(String path) {
    return path.replace("\\", "\\\\").replace("\n", "\\n");
  }

  private static String unescape(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && i + 1 < s.length()) {
        char n = s.charAt(++i);
        b.append(n == 'n' ? '\n' : n);
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }
}
