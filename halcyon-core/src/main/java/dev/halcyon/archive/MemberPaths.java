package dev.halcyon.archive;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The path rules shared by extraction and the table of contents: how member names split into
 * components, which link targets are acceptable, and whether a member would be reached through a
 * symlink. Pure functions over strings, no I/O.
 */
final class MemberPaths {
  /** Linux's PATH_MAX less the terminating NUL: the longest target symlink(2) accepts. */
  private static final int MAX_LINK_TARGET_BYTES = 4095;

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
   * Why {@code target} may not be a symlink's target, or empty if it may. A symlink may point
   * anywhere — absolute, relative, outside the tree, at nothing — and is restored as it is
   * (libarchive's and GNU tar's rule): what keeps extraction safe is that nothing is ever written
   * through a symlink, not where the symlink points. Only targets no file system can hold are
   * refused.
   */
  static Optional<String> linkTargetReason(String target) {
    if (target.isEmpty()) {
      return Optional.of("has an empty link target");
    }
    if (target.indexOf('\0') >= 0) {
      return Optional.of("has a link target containing a NUL character");
    }
    if (target.getBytes(StandardCharsets.UTF_8).length > MAX_LINK_TARGET_BYTES) {
      return Optional.of(
          "has a link target longer than " + MAX_LINK_TARGET_BYTES + " bytes, which Linux refuses");
    }
    return Optional.empty();
  }

  /**
   * The first proper prefix of {@code parts} (joined by {@code /}) that {@code tree} holds as a
   * symlink, if any: a member there would be reached through that link.
   */
  static Optional<String> symlinkOnTheWay(List<String> parts, Map<String, Node> tree) {
    StringBuilder prefix = new StringBuilder();
    for (int i = 0; i < parts.size() - 1; i++) {
      if (i > 0) {
        prefix.append('/');
      }
      prefix.append(parts.get(i));
      Node node = tree.get(prefix.toString());
      if (node != null && node.kind() == Kind.SYMLINK) {
        return Optional.of(prefix.toString());
      }
    }
    return Optional.empty();
  }
}
