package dev.halcyon.engine;

import dev.halcyon.archive.ArchiveToc;
import dev.halcyon.archive.CorruptArchiveException;
import dev.halcyon.archive.TocEntry;
import dev.halcyon.archive.TocFooter;
import dev.halcyon.archive.TreeAssembler;
import dev.halcyon.hash.Digests;
import dev.halcyon.layer.Digest;
import dev.halcyon.layer.LayerTag;
import dev.halcyon.manifest.ArchiveManifest;
import dev.halcyon.store.LayerStore;
import dev.halcyon.store.ObjectInfo;
import dev.halcyon.store.RangeNotSupportedException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Restores an install archive with a table of contents into the install directory from what the
 * machine already has: files of the installed tree proven unchanged ({@link InstallRecord}, or
 * hashed), files of earlier installs in the {@link FileCache}, then chunks of earlier install
 * archives in the local cache ({@link CachedArchives}, {@link ArchiveChunks}); the rest is fetched
 * by ranged reads ({@link RangeFetcher}). The new tree is built beside the old one ({@link
 * TreeAssembler}) and swapped in atomically like an extraction; the old tree's files the new one
 * does not hold go to the file cache. Confined to the run's thread.
 *
 * <p>Reuse never aliases: a file of the replaced tree is hard-linked only when nothing but the
 * {@link InstallTrash} links to it, and the trash is deleted before anything else reads it, so the
 * new tree is soon its only name; a file of the cache is copied, never linked. The replaced tree is
 * not deleted by the run that replaces it: it is renamed into the trash, which the next restore
 * deletes after proving the installed files by their fingerprints (see {@link InstallRecord}).
 */
final class DeltaRestore {
  /** Reuse below this share of the content bytes is not worth the ranged reads. */
  static final double MIN_REUSE = 0.10;

  /** What an attempt came to. */
  sealed interface Result permits Done, Fallback {}

  /**
   * The new tree is in place.
   *
   * @param snapshot the stat of every file just before the swap, with its digest
   * @param snapshotNs the file system's time before that snapshot
   * @param relinked the files hard-linked from the replaced tree
   * @param cachedArchives the keys of the archives in the local cache that gave files
   */
  record Done(
      LayerTag tag,
      DeltaPlan plan,
      Map<String, InstallRecord.Entry> snapshot,
      long snapshotNs,
      Set<String> relinked,
      Set<String> cachedArchives)
      implements Result {}

  /** Nothing was changed; a full restore should run, and {@code why} says in one line why. */
  record Fallback(String why) implements Result {}

  private enum From {
    OLD,
    CACHE,
    ARCHIVE,
    FETCH
  }

  private final EngineConfig config;
  private final FileCache fileCache;
  private final CachedArchives cachedArchives;

  DeltaRestore(EngineConfig config) {
    this.config = config;
    this.fileCache = new FileCache(config.layout().fileCache(), config.clock());
    this.cachedArchives = new CachedArchives(config.cache(), config.namer(), config.listener());
  }

  /**
   * Whether anything on this machine could be reused for the archive {@code key} into {@code
   * installDir}: an installed tree, the file cache, or an earlier install archive in the cache.
   */
  boolean anythingLocal(Path installDir, String key) throws IOException {
    return Files.isDirectory(installDir, LinkOption.NOFOLLOW_LINKS)
        || !fileCache.isEmpty()
        || cachedArchives.any(key);
  }

  /**
   * Tries a delta restore of {@code info} (one {@code head} of {@code store}) into {@code
   * installDir}.
   *
   * @throws CorruptArchiveException a footer or table of contents that is damaged or hostile
   *     ({@link dev.halcyon.archive.UnsafeArchiveException} too): refused, nothing changed
   * @throws dev.halcyon.store.TransientStoreException a read broke off: run again
   */
  Result attempt(
      LayerStore store,
      ObjectInfo info,
      Path installDir,
      LayerTag wanted,
      Predicate<LayerTag> accept)
      throws IOException {
    String key = info.key();
    Path live = installDir.toAbsolutePath().normalize();
    // The installed files are proven by their fingerprints before the replaced trees still in the
    // trash are deleted: deleting a name of a file hard-linked into the installed tree changes its
    // ctime. The deletion then overlaps the reads and the assembly, and ends before this run takes
    // its own fingerprints.
    Proven proven = proveInstalled(live);
    try (InstallTrash.Deletion deletion = new InstallTrash(live).startDeleting()) {
      return attempt(store, info, live, wanted, accept, key, proven, deletion);
    }
  }

  private Result attempt(
      LayerStore store,
      ObjectInfo info,
      Path installDir,
      LayerTag wanted,
      Predicate<LayerTag> accept,
      String key,
      Proven proven,
      InstallTrash.Deletion deletion)
      throws IOException {
    TocReader.Read read;
    try {
      Optional<Digest> recorded =
          Manifests.beside(config.namer(), store, key).flatMap(ArchiveManifest::tocDigest);
      read = TocReader.read(store, info, recorded);
    } catch (TocReader.NoToc e) {
      return new Fallback(e.getMessage());
    }
    TocFooter footer = read.footer();
    ArchiveToc toc = read.toc();
    int requests = 4; // head, manifest, footer, table of contents
    long fetched = TocFooter.SIZE + footer.tocLength();

    Plan plan = plan(toc, installDir, proven);
    // What neither the installed tree nor the file cache holds may be in an earlier archive.
    ArchiveChunks chunks = cachedArchives.open(key, plan.fetch);
    for (TocEntry e : plan.fetch) {
      long covered = chunks.covered(e);
      if (covered > 0) {
        plan.from.put(e.path(), From.ARCHIVE);
        plan.reusedBytes += covered;
      }
    }
    if (!plan.fetch.isEmpty() && plan.reusedBytes < MIN_REUSE * toc.contentBytes()) {
      return new Fallback(
          String.format(
              java.util.Locale.ROOT,
              "only %,d of %,d bytes could be reused from %s and the local cache",
              plan.reusedBytes,
              toc.contentBytes(),
              installDir));
    }
    Map<Digest, Path> taken = new HashMap<>();
    boolean published = false;
    try (TreeAssembler assembler = TreeAssembler.begin(installDir)) {
      try {
        List<TocEntry> toFetch = new ArrayList<>();
        Set<String> relinked = new HashSet<>();
        Set<Path> linkedOld = new HashSet<>();
        assembler.build(
            toc, (entry, path) -> place(entry, path, plan, toFetch, relinked, linkedOld, taken));
        ArchiveChunks.Read local = chunks.read(toFetch, assembler::pathOf);
        RangeFetcher.Stats stats;
        try {
          stats = RangeFetcher.fetch(store, info, toc, local.toFetch(), assembler::pathOf);
          verify(toFetch, assembler);
        } catch (CorruptArchiveException e) {
          return new Fallback("the frames of " + key + " are damaged (" + e.getMessage() + ")");
        } catch (RangeNotSupportedException e) {
          return new Fallback(store.describe() + " does not serve ranged reads");
        }
        requests += stats.requests();
        fetched += stats.bytes();
        Optional<LayerTag> tag = TagFiles.read(assembler.staging());
        if (tag.isEmpty() || !accept.test(tag.get())) {
          throw new CorruptArchiveException(
              key
                  + " from "
                  + store.describe()
                  + " does not match: "
                  + tag.map(t -> String.join("; ", wanted.differences(t)))
                      .orElse("it has no valid " + LayerTag.FILE_NAME),
              null);
        }
        deletion.close(); // the trash's unlinks change ctimes: they end before the snapshot
        long snapshotNs = InstallRecord.fileSystemNow(config.layout().tmp());
        Map<String, InstallRecord.Entry> snapshot = fileStats(toc, assembler::pathOf);
        Set<Digest> inNew = new HashSet<>();
        for (TocEntry e : toc.entries()) {
          e.digest().ifPresent(inNew::add);
        }
        Path live = installDir;
        assembler.publish(
            staged -> {}, aside -> keepReplaced(aside, live, plan.oldProven, inNew, linkedOld));
        published = true;
        int files = plan.files;
        int remote = local.toFetch().size();
        DeltaPlan result =
            new DeltaPlan(
                files,
                files - remote,
                remote,
                fetched,
                info.size(),
                requests,
                relinked.size(),
                plan.hashed,
                local.files(),
                local.bytes());
        return new Done(tag.get(), result, snapshot, snapshotNs, relinked, local.used());
      } finally {
        if (!published) {
          // The files taken out of the file cache go back before the staging tree is deleted.
          for (Map.Entry<Digest, Path> t : taken.entrySet()) {
            fileCache.adopt(t.getValue(), t.getKey());
          }
        }
      }
    }
  }

  /** Where each regular file will come from. */
  private static final class Plan {
    final Map<String, From> from = new HashMap<>();
    final Map<String, Path> oldPath = new HashMap<>();
    final Map<Path, Digest> oldProven;
    final Map<Path, InstallRecord.Stat> oldStat;
    final Set<Path> linkable;
    final List<TocEntry> fetch = new ArrayList<>();
    long reusedBytes;
    int files;
    int hashed;

    Plan(Proven proven) {
      oldProven = new HashMap<>(proven.digests);
      oldStat = new HashMap<>(proven.stats);
      linkable = new HashSet<>(proven.linkable);
    }
  }

  /**
   * The files of the installed tree proven unchanged by their fingerprints, with their stats then,
   * and those that nothing but the trash links to besides the installed tree.
   */
  private static final class Proven {
    final boolean haveTree;
    final Path realLive;
    final Map<Digest, Path> byDigest = new HashMap<>();
    final Map<Path, Digest> digests = new HashMap<>();
    final Map<Path, InstallRecord.Stat> stats = new HashMap<>();
    final Set<Path> linkable = new HashSet<>();
    final Map<Path, Boolean> parentInside = new HashMap<>();

    Proven(boolean haveTree, Path realLive) {
      this.haveTree = haveTree;
      this.realLive = realLive;
    }
  }

  private Proven proveInstalled(Path live) throws IOException {
    boolean haveTree = Files.isDirectory(live, LinkOption.NOFOLLOW_LINKS);
    Proven proven = new Proven(haveTree, haveTree ? live.toRealPath() : live);
    if (!haveTree) {
      return proven;
    }
    InstallRecord record = InstallRecord.read(config.layout().installRecord(live));
    for (Map.Entry<String, InstallRecord.Entry> r : record.entries().entrySet()) {
      Path p = inside(proven, live, r.getKey());
      if (p == null) {
        continue;
      }
      Optional<InstallRecord.Stat> st = InstallRecord.stat(p);
      if (st.isPresent()) {
        Optional<InstallRecord.Entry> e = record.provenEntry(r.getKey(), st.get());
        if (e.isPresent()) {
          Digest d = e.get().digest();
          proven.byDigest.putIfAbsent(d, p);
          proven.digests.put(p, d);
          proven.stats.put(p, st.get());
          // The trash's link to it is ours and about to go; any other link is not.
          if (st.get().links() == 1 + e.get().trashLinks()) {
            proven.linkable.add(p);
          }
        }
      }
    }
    return proven;
  }

  private Plan plan(ArchiveToc toc, Path installDir, Proven proven) throws IOException {
    Plan plan = new Plan(proven);
    Path live = installDir;
    boolean haveTree = proven.haveTree;
    Map<Digest, Path> oldByDigest = new HashMap<>(proven.byDigest);
    for (TocEntry e : toc.entries()) {
      if (e.type() != TocEntry.Type.FILE) {
        continue;
      }
      plan.files++;
      Digest d = e.digest().orElseThrow();
      if (e.size() == 0) {
        plan.from.put(e.path(), From.FETCH); // an empty file: created empty, nothing to fetch
        continue;
      }
      Path old = oldByDigest.get(d);
      if (old == null && haveTree) {
        // Not recorded or changed since: same path and size is worth one read to prove. A file
        // its fingerprint proved holds the recorded content, not this one: nothing to read.
        Path p = inside(proven, live, e.path());
        Optional<InstallRecord.Stat> st =
            p == null || proven.digests.containsKey(p) ? Optional.empty() : InstallRecord.stat(p);
        if (st.isPresent() && st.get().size() == e.size()) {
          plan.hashed++;
          if (InstallRecord.hash(p).equals(d)) {
            old = p;
            oldByDigest.put(d, p);
            plan.oldProven.put(p, d);
            plan.oldStat.put(p, st.get());
            if (st.get().links() == 1) { // no record of the trash's links: only alone
              plan.linkable.add(p);
            }
          }
        }
      }
      if (old != null) {
        plan.from.put(e.path(), From.OLD);
        plan.oldPath.put(e.path(), old);
        plan.reusedBytes += e.size();
      } else if (fileCache.has(d)) {
        plan.from.put(e.path(), From.CACHE);
        plan.reusedBytes += e.size();
      } else {
        plan.from.put(e.path(), From.FETCH);
        plan.fetch.add(e);
      }
    }
    return plan;
  }

  /**
   * The file {@code rel} of the installed tree, or null if its parent directory is not where it
   * should be (a symlink someone placed in the tree), so nothing outside the tree is ever reused.
   */
  private static Path inside(Proven proven, Path live, String rel) {
    Path p = live.resolve(rel).normalize();
    if (!p.startsWith(live) || p.equals(live)) {
      return null;
    }
    // One real-path resolution per directory, not per file (a thousand files share a few).
    Boolean ok =
        proven.parentInside.computeIfAbsent(
            p.getParent(),
            dir -> {
              try {
                return dir.toRealPath().equals(proven.realLive.resolve(live.relativize(dir)));
              } catch (IOException e) {
                return false;
              }
            });
    return ok ? p : null;
  }

  private void place(
      TocEntry entry,
      Path path,
      Plan plan,
      List<TocEntry> toFetch,
      Set<String> relinked,
      Set<Path> linkedOld,
      Map<Digest, Path> taken)
      throws IOException {
    Set<PosixFilePermission> perms = TreeAssembler.permissionsOf(entry);
    From from = plan.from.get(entry.path());
    if (from == From.OLD) {
      Path old = plan.oldPath.get(entry.path());
      Optional<InstallRecord.Stat> st = InstallRecord.stat(old);
      InstallRecord.Stat then = plan.oldStat.get(old);
      // Whether anything else links to it was judged from its stat before the trash's deletion
      // began (which lowers link counts meanwhile); it must still be that very file.
      if (st.isPresent()
          && then != null
          && plan.linkable.contains(old)
          && st.get().inode() == then.inode()
          && st.get().device() == then.device()
          && st.get().size() == then.size()
          && st.get().mtimeNs() == then.mtimeNs()
          && !linkedOld.contains(old)
          && Files.getPosixFilePermissions(old, LinkOption.NOFOLLOW_LINKS).equals(perms)) {
        Files.createLink(path, old);
        linkedOld.add(old);
        relinked.add(entry.path());
        return;
      }
      if (st.isPresent()) {
        Files.copy(old, path, LinkOption.NOFOLLOW_LINKS);
        if (InstallRecord.hash(path).equals(entry.digest().orElseThrow())) {
          return;
        }
        Files.delete(path);
      }
    } else if (from == From.CACHE) {
      Digest d = entry.digest().orElseThrow();
      Path first = taken.get(d);
      if (first != null) { // a second file of that content: a copy of the first, verified
        Files.copy(first, path, LinkOption.NOFOLLOW_LINKS);
        if (InstallRecord.hash(path).equals(d)) {
          Files.setPosixFilePermissions(path, perms);
          return;
        }
        Files.delete(path);
      } else if (fileCache.takeTo(d, path, perms)) {
        taken.put(d, path);
        return;
      }
    }
    Files.newOutputStream(
            path,
            StandardOpenOption.CREATE_NEW,
            StandardOpenOption.WRITE,
            LinkOption.NOFOLLOW_LINKS)
        .close();
    Files.setPosixFilePermissions(path, perms);
    if (entry.size() > 0) {
      toFetch.add(entry);
    }
  }

  /**
   * Every fetched file has its size and digest. A file of one chunk holding the file's digest was
   * written from that chunk alone, checked against it before a byte was written: only its size is
   * read again.
   */
  private static void verify(List<TocEntry> fetched, TreeAssembler assembler) throws IOException {
    for (TocEntry e : fetched) {
      Path p = assembler.pathOf(e);
      Digest d = e.digest().orElseThrow();
      boolean oneChunk =
          e.chunks().size() == 1
              && e.chunks().get(0).size() == e.size()
              && e.chunks().get(0).digest().equals(d);
      if (Files.size(p) != e.size() || (!oneChunk && !Digests.sha256(p).equals(d))) {
        throw new CorruptArchiveException(
            "'" + e.path() + "' does not hash to " + e.digest().orElseThrow() + " once fetched",
            null);
      }
    }
  }

  /**
   * Moves the proven files of the replaced tree, now at {@code aside}, that the new tree does not
   * hold into the file cache (by rename), except files hard-linked into the new tree.
   */
  private void keepReplaced(
      Path aside, Path live, Map<Path, Digest> proven, Set<Digest> inNew, Set<Path> linked)
      throws IOException {
    for (Map.Entry<Path, Digest> e : proven.entrySet()) {
      if (linked.contains(e.getKey()) || inNew.contains(e.getValue())) {
        continue;
      }
      fileCache.adopt(aside.resolve(live.relativize(e.getKey())), e.getValue());
    }
    // Not deleted here: the next restore deletes it once it has proven the installed files.
    new InstallTrash(live).take(aside);
    fileCache.trim(FileCache.DEFAULT_MAX_BYTES);
  }

  /**
   * After a full restore of {@code key} into {@code installDir}, before anything else touched the
   * tree: the stat of every file the archive's table of contents lists, with the digest it gives,
   * so recording the install need not hash the tree (a file changed later, e.g. by the
   * post-install, fails its stat and is hashed then). The table of contents is the one {@code
   * prefetched} read during the extraction if its footer is the footer of the archive in {@code
   * store} (where the full restore left it, verified in whole), else it is read from there; either
   * way verified against that footer. Empty when it has none or it cannot be read: the record then
   * hashes every file, as without a snapshot.
   */
  Optional<InstallRecord.Snapshot> snapshotAfterFullRestore(
      LayerStore store, String key, Path installDir, TocPrefetch prefetched) {
    try {
      Optional<ObjectInfo> found = store.head(key);
      if (found.isEmpty()) {
        return Optional.empty();
      }
      Optional<ArchiveToc> read =
          TocPrefetch.footerOf(store, found.get()).flatMap(prefetched::tocMatching);
      ArchiveToc toc = read.isPresent() ? read.get() : TocReader.read(store, found.get()).toc();
      long snapshotNs = InstallRecord.fileSystemNow(config.layout().tmp());
      Map<String, InstallRecord.Entry> snapshot = fileStats(toc, e -> installDir.resolve(e.path()));
      return Optional.of(new InstallRecord.Snapshot(snapshot, snapshotNs, Set.of()));
    } catch (TocReader.NoToc | IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** Each file the table lists, with the TOC's digest and its stat where {@code pathOf} puts it. */
  private static Map<String, InstallRecord.Entry> fileStats(
      ArchiveToc toc, Function<TocEntry, Path> pathOf) throws IOException {
    Map<String, InstallRecord.Entry> stats = new HashMap<>();
    for (TocEntry e : toc.entries()) {
      if (e.type() == TocEntry.Type.FILE) {
        Optional<InstallRecord.Stat> st = InstallRecord.stat(pathOf.apply(e));
        if (st.isPresent()) {
          stats.put(e.path(), new InstallRecord.Entry(e.digest().orElseThrow(), st.get()));
        }
      }
    }
    return stats;
  }
}
