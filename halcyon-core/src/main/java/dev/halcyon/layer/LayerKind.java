package dev.halcyon.layer;

import java.util.Locale;

/**
 * The four kinds of layer a build is split into, in the order they are restored or built.
 *
 * <p>Each kind is identified by different inputs (see {@link LayerTag}); the lower-case {@link
 * #id()} is used in archive names and tags.
 */
public enum LayerKind {
  /** A compiler or runtime (a JDK, GHC, Node), identified by platform, version and its hooks. */
  TOOLCHAIN,
  /**
   * The resolved dependency set (a Maven local repository), identified by the exact constraints.
   */
  DEPENDENCIES,
  /** The built source tree, reused incrementally; one per label. */
  BUILD,
  /** What gets installed under the prefix: the deploy artifact. */
  INSTALL;

  /**
   * The lower-case name used in archive names and tags, e.g. {@code "install"}.
   *
   * @return the lower-case name, one of {@code toolchain}, {@code dependencies}, {@code build},
   *     {@code install}
   */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The kind whose {@link #id()} is {@code id}.
   *
   * @param id a lower-case id as {@link #id()} returns it; case matters
   * @return the kind with that id
   * @throws IllegalArgumentException if no kind has that id
   */
  public static LayerKind parse(String id) {
    for (LayerKind kind : values()) {
      if (kind.id().equals(id)) {
        return kind;
      }
    }
    throw new IllegalArgumentException(
        "unknown layer kind '" + id + "': expected toolchain, dependencies, build or install");
  }
}
