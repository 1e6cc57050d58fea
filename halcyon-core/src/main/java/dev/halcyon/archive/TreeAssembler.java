package dev.halcyon.archive;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Builds the tree that an archive's {@link ArchiveToc} describes, without reading the archive's tar
 * stream: directories and symlinks from the TOC, each regular file put in place by the caller
 * (linked, copied, or created empty and filled later from fetched frames), then published over the
 * target exactly as {@link Archives#extract} publishes an extracted tree. A delta restore uses it;
 * the result is the tree a full extraction of the same archive gives, byte for byte, mode for mode
 * and link for link, once the caller has filled every file with the content the TOC names.
 *
 * <p>The same safety rules as extraction hold: the staging directory is a fresh, private (0700)
 * hidden sibling of the target named like an extraction's (so a killed run's leftover is removed by
 * the same recovery), every parent of a member must be a directory made here, files are placed at
 * paths that do not exist yet, nothing replaces a node made earlier, symlinks are created as the
 * TOC gives them (they may point anywhere; nothing is placed through one), and modes are 0755 for
 * directories and 0644 or 0755 for files. The TOC itself has passed {@link ArchiveToc#parse}, which
 * applies the path, link and limit rules of extraction; they are applied here again, so a TOC that
 * did not pass there cannot place anything outside the staging directory either.
 *
 * <p>Not thread-safe, except that files the placer created may be filled from other threads between
 * {@link #build} and {@link #publish}. {@link #close} deletes the staging tree unless it was
 * published.
 */
public final class TreeAssembler implements Closeable {
  /** Puts one regular file of the TOC in place in the staging tree. */
  @FunctionalInterface
  public interface FilePlacer {
    /**
     * Creates the regular file {@code path} for {@code entry}: a hard link to, or a copy of, a file
     * known to hold the entry's content, or an empty file the caller fills before {@link #publish}.
     * {@code path} does not exist; its parent does. The assembler then sets the entry's mode if the
     * file does not have it.
     *
     * @param entry the file's entry in the table of contents
     * @param path where the file goes in the staging tree
     * @throws IOException if the file cannot be created or linked; the assembly fails and the
     *     target is unchanged
     */
    void place(TocEntry entry, Path path) throws IOException;
  }

  private final Path target;
  private final Path staging;
  private final boolean umaskClean;
  private final Map<String, MemberPaths.Node> tree = new HashMap<>();
  private boolean published;

  private TreeAssembler(Path target, Path staging, boolean umaskClean) {
    this.target = target;
    this.staging = staging;
    this.umaskClean = umaskClean;
  }

  /**
   * Creates the private staging directory beside {@code target} (whose missing parents are
   * created).
   *
   * @param target the directory the tree replaces once published
   * @return an assembler with an empty staging directory; it owns that directory until {@link
   *     #publish}
   * @throws IOException if {@code target} exists and is not a directory
   */
  public static TreeAssembler begin(Path target) throws IOException {
    checkNotNull(target, "target");
    Path t = target.toAbsolutePath().normalize();
    Path parent = t.getParent();
    checkArgument(parent != null, "cannot assemble into the file system root");
    checkReplaceable(t);
    Files.createDirectories(parent);
    Path staging = parent.resolve("." + t.getFileName() + ".extract-" + Archives.randomSuffix());
    Files.createDirectory(
        staging, PosixFilePermissions.asFileAttribute(TarExtractor.DIRECTORY_PERMISSIONS));
    boolean umaskClean =
        Files.getPosixFilePermissions(staging).equals(TarExtractor.DIRECTORY_PERMISSIONS);
    Files.setPosixFilePermissions(staging, PosixFilePermissions.fromString("rwx------"));
    return new TreeAssembler(t, staging, umaskClean);
  }

  /**
   * The staging directory (hidden, beside the target), where the tree is built.
   *
   * @return the staging directory's path
   */
  public Path staging() {
    return staging;
  }

  /**
   * Where {@code entry} lies in the staging tree.
   *
   * @param entry an entry of the TOC being built
   * @return its path in the staging tree (whether or not it exists yet)
   */
  public Path pathOf(TocEntry entry) {
    return staging.resolve(entry.path());
  }

  /**
   * The permissions a full extraction gives a file of {@code entry}'s mode.
   *
   * @param entry a regular file's entry
   * @return rwxr-xr-x when the mode has an execute bit, else rw-r--r--
   */
  public static Set<PosixFilePermission> permissionsOf(TocEntry entry) {
    return (entry.mode() & 0111) != 0
        ? TarExtractor.EXECUTABLE_PERMISSIONS
        : TarExtractor.FILE_PERMISSIONS;
  }

  /**
   * Creates every member of {@code toc} in archive order: directories and symlinks here, regular
   * files through {@code placer}.
   *
   * @param toc the table of contents, as {@link ArchiveToc#parse} returned it
   * @param placer creates each regular file
   * @throws UnsafeArchiveException a member that extraction would refuse
   */
  public void build(ArchiveToc toc, FilePlacer placer) throws IOException {
    checkNotNull(toc, "toc");
    checkNotNull(placer, "placer");
    checkState(!published, "already published");
    for (TocEntry e : toc.entries()) {
      member(e, placer);
    }
  }

  /**
   * Runs {@code check} on the finished tree, then renames it into place over the target, moving an
   * existing target aside; {@code replaced} sees that old tree (moved aside) before it is deleted.
   * If {@code check} throws, the target is unchanged.
   *
   * @param check verifies the finished tree; {@link Archives.TreeCheck#NONE} accepts any
   * @param replaced sees the old target moved aside before it is deleted; {@link
   *     Archives.TreeCheck#NONE} if nothing needs it
   * @throws IOException if {@code check} refuses the tree or the rename fails; the target is
   *     unchanged
   */
  public void publish(Archives.TreeCheck check, Archives.TreeCheck replaced) throws IOException {
    checkNotNull(check, "check");
    checkNotNull(replaced, "replaced");
    checkState(!published, "already published");
    Files.setPosixFilePermissions(staging, TarExtractor.DIRECTORY_PERMISSIONS);
    check.check(staging);
    Archives.publish(staging, target, replaced);
    published = true;
  }

  @Override
  public void close() throws IOException {
    if (!published) {
      Archives.deleteTree(staging);
    }
  }

  private void member(TocEntry e, FilePlacer placer) throws IOException {
    String name = e.path();
    Optional<String> bad = MemberPaths.unsafeReason(name);
    if (bad.isPresent()) {
      throw unsafe(name, bad.get());
    }
    List<String> parts = MemberPaths.components(name).orElseThrow();
    if (parts.isEmpty()) {
      throw unsafe(name, "names the target directory itself");
    }
    String key = String.join("/", parts);
    ensureParents(name, parts);
    MemberPaths.Node earlier = tree.get(key);
    if (earlier != null) {
      throw unsafe(
          name,
          "appears more than once in the table of contents (a "
              + earlier.kind().name().toLowerCase(Locale.ROOT)
              + ", then a "
              + e.type().name().toLowerCase(Locale.ROOT)
              + ")");
    }
    Path path = staging.resolve(key);
    switch (e.type()) {
      case DIRECTORY -> {
        TarExtractor.createDirectory(path, umaskClean);
        tree.put(key, new MemberPaths.Node(MemberPaths.Kind.DIRECTORY, null));
      }
      case SYMLINK -> {
        String linkTarget = e.linkTarget().orElseThrow(() -> unsafe(name, "has no link target"));
        Optional<String> why = MemberPaths.linkTargetReason(linkTarget);
        if (why.isPresent()) {
          throw unsafe(name, "is a symlink that " + why.get());
        }
        Files.createSymbolicLink(path, Path.of(linkTarget));
        tree.put(key, new MemberPaths.Node(MemberPaths.Kind.SYMLINK, linkTarget));
      }
      case FILE -> {
        placer.place(e, path);
        PosixFileAttributes a =
            Files.readAttributes(path, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (!a.isRegularFile()) {
          throw new IOException("placing '" + name + "' made no regular file at " + path);
        }
        Set<PosixFilePermission> wanted = permissionsOf(e);
        if (!a.permissions().equals(wanted)) {
          Files.setPosixFilePermissions(path, wanted);
        }
        tree.put(key, new MemberPaths.Node(MemberPaths.Kind.FILE, null));
      }
    }
  }

  private void ensureParents(String name, List<String> parts) throws IOException {
    StringBuilder prefix = new StringBuilder();
    for (int i = 0; i < parts.size() - 1; i++) {
      if (i > 0) {
        prefix.append('/');
      }
      prefix.append(parts.get(i));
      MemberPaths.Node node = tree.get(prefix.toString());
      if (node == null) {
        throw unsafe(name, "is listed before its parent directory '" + prefix + "'");
      } else if (node.kind() == MemberPaths.Kind.SYMLINK) {
        throw unsafe(name, "would be written through the symlink '" + prefix + "'");
      } else if (node.kind() == MemberPaths.Kind.FILE) {
        throw unsafe(name, "lies below '" + prefix + "', which is not a directory");
      }
    }
  }

  private static void checkReplaceable(Path target) throws IOException {
    if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)
        && !Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
      throw new IOException(
          "cannot install into '"
              + target
              + "': it exists and is not a directory (a file or a symlink); remove it or choose"
              + " another target");
    }
  }

  private static UnsafeArchiveException unsafe(String name, String rule) {
    return new UnsafeArchiveException(
        "table-of-contents entry '" + name + "' " + rule + "; refusing to install");
  }
}
