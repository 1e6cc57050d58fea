package dev.halcyon.archive;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The path rules shared by writing and extraction: how member names split into components, and
 * whether a symlink stays inside the tree. Pure functions over strings, no I/O.
 */
final class MemberPaths {
  /** Like the kernel's limit on nested symlinks (ELOOP). */
  private static final int MAX_LINK_HOPS = 40;

  private static final int MAX_COMPONENT_BYTES = 255;

  private MemberPaths() {}

  /** The kind of a node in the tree being checked. */
  enum Kind {
    DIRECTORY,
    FILE,
    SYMLINK
  }

  /** A node of the tree: its kind, and its link target if it is a symlink. */
  record Node(Kind kind, String linkTarget) {}

  /**
   * Splits a member name into its components, dropping empty and {@code .} components (so {@code
   * ./a//b/} is {@code [a, b]}); an empty list is the root.
   *
   * @return the components, or empty if the name is unsafe; {@link #unsafeReason} says why
   */
  static Optional<List<String>> components(String name) {
    return unsafeReason(name).isPresent() ? Optional.empty() : Optional.of(split(name));
  }

  /** Why {@code name} may not be used as a member name, or empty if it is acceptable. */
  static Optional<String> unsafeReason(String name) {
    if (name.isEmpty()) {
      return Optional.of("has an empty name");
    }
    if (name.indexOf('\0') >= 0) {
      return Optional.of("contains a NUL character");
    }
    if (name.startsWith("/")) {
      return Optional.of("is an absolute path");
    }
    for (String part : name.split("/", -1)) {
      if (part.equals("..")) {
        return Optional.of("has a '..' component and could escape the target directory");
      }
      // Else the filesystem refuses it mid-extraction with a bare "File name too long".
      if (part.getBytes(StandardCharsets.UTF_8).length > MAX_COMPONENT_BYTES) {
        return Optional.of(
            "has a name component longer than "
                + MAX_COMPONENT_BYTES
                + " bytes, which filesystems refuse");
      }
    }
    return Optional.empty();
  }

  private static List<String> split(String name) {
    List<String> parts = new ArrayList<>();
    for (String part : name.split("/", -1)) {
      if (!part.isEmpty() && !part.equals(".")) {
        parts.add(part);
      }
    }
    return parts;
  }

  /**
   * Why a symlink at {@code linkPath} (components) pointing to {@code target} escapes the tree when
   * resolved lexically against the link's directory, or empty if it stays inside.
   */
  static Optional<String> lexicalEscape(List<String> linkPath, String target) {
    if (target.isEmpty()) {
      return Optional.of("has an empty link target");
    }
    if (target.indexOf('\0') >= 0) {
      return Optional.of("has a link target containing a NUL character");
    }
    if (target.startsWith("/")) {
      return Optional.of("points to the absolute path '" + target + "'");
    }
    int depth = linkPath.size() - 1;
    for (String part : target.split("/", -1)) {
      if (part.equals("..")) {
        if (--depth < 0) {
          return Optional.of("points to '" + target + "', outside the target directory");
        }
      } else if (!part.isEmpty() && !part.equals(".")) {
        depth++;
      }
    }
    return Optional.empty();
  }

  /**
   * Resolves the symlink at {@code linkPath} the way the kernel would, following the other symlinks
   * of {@code tree} (keys are components joined by {@code /}), and says why it leaves the tree, or
   * empty if it stays inside. Each link passing {@link #lexicalEscape} is not enough: {@code a/b/s
   * -> ../..} is inside, yet {@code t -> a/b/s/../..} then resolves above the root. Components
   * missing from the tree are taken as plain directories.
   */
  static Optional<String> resolvedEscape(List<String> linkPath, Map<String, Node> tree) {
    Node link = tree.get(String.join("/", linkPath));
    Deque<String> resolved = new ArrayDeque<>(linkPath.subList(0, linkPath.size() - 1));
    Deque<String> pending = new ArrayDeque<>();
    pushFront(pending, link.linkTarget());
    int hops = 0;
    while (!pending.isEmpty()) {
      String part = pending.removeFirst();
      if (part.equals("..")) {
        if (resolved.isEmpty()) {
          return Optional.of(
              "points to '"
                  + link.linkTarget()
                  + "', which resolves outside the target directory"
                  + " through other symlinks");
        }
        resolved.removeLast();
        continue;
      }
      resolved.addLast(part);
      Node node = tree.get(String.join("/", resolved));
      if (node != null && node.kind() == Kind.SYMLINK) {
        if (++hops > MAX_LINK_HOPS) {
          return Optional.of("points to '" + link.linkTarget() + "' through a symlink loop");
        }
        if (node.linkTarget().startsWith("/")) {
          return Optional.of("points to '" + link.linkTarget() + "' through an absolute symlink");
        }
        resolved.removeLast();
        pushFront(pending, node.linkTarget());
      }
    }
    return Optional.empty();
  }

  /** Puts the components of {@code target} (with {@code ..}, without {@code .}) before the rest. */
  private static void pushFront(Deque<String> pending, String target) {
    String[] parts = target.split("/", -1);
    for (int i = parts.length - 1; i >= 0; i--) {
      if (!parts[i].isEmpty() && !parts[i].equals(".")) {
        pending.addFirst(parts[i]);
      }
    }
  }
}
