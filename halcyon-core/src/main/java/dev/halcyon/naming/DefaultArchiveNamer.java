package dev.halcyon.naming;

import dev.halcyon.layer.LayerTag;
import java.util.List;
import java.util.Optional;

/**
 * Our key layout, modelled on Halcyon's (spec §3.1, §5.2) with a generic toolchain:
 *
 * <pre>
 *   &lt;platform&gt;/halcyon-toolchain-&lt;toolchain&gt;[-&lt;qualifier&gt;].&lt;ext&gt;
 *   &lt;platform&gt;/&lt;toolchain&gt;/halcyon-dependencies-&lt;constraints7&gt;[.&lt;magic7&gt;]-&lt;label&gt;.&lt;ext&gt;
 *   &lt;platform&gt;/&lt;toolchain&gt;/halcyon-build-&lt;label&gt;.&lt;ext&gt;
 *   &lt;platform&gt;/&lt;toolchain&gt;/halcyon-install-&lt;source7&gt;-&lt;label&gt;.&lt;ext&gt;
 * </pre>
 *
 * for example {@code
 * linux-debian-12-x86_64/jdk-17.0.15/halcyon-install-b90bb47-shop-1.4.2.tar.zst}.
 *
 * <p>So that every key parses back to exactly one name:
 *
 * <ul>
 *   <li>a toolchain id is {@code <name>-<version>[.<magic7>]}, the name of {@code [a-z0-9_]}, the
 *       version of letters, digits, {@code . _ +} without a dash (e.g. {@code jdk-17.0.15}, {@code
 *       ghc-7.8.4.1a2b3c4});
 *   <li>a platform is lower-case letters, digits, {@code . _ -};
 *   <li>labels and qualifiers are letters, digits, {@code . _ + -}, starting with a letter or digit
 *       and not ending with a dot (e.g. {@code my-app-1.0-SNAPSHOT});
 *   <li>hashes are 7 lower-case hex digits ({@code <constraints7>.<magic7>} for dependencies);
 *   <li>the extension is one of {@link #EXTENSIONS}; parsing takes the longest one that matches;
 *   <li>only toolchain names have a qualifier, only dependencies and install names a hash, and
 *       toolchain names have no label.
 * </ul>
 *
 * <p>Keys are relative; a bucket folder or cache directory is the store's business. Stateless and
 * thread-safe; does no I/O.
 */
public final class DefaultArchiveNamer implements ArchiveNamer {

  /**
   * The extensions a name may have: the codecs {@code tar.zst}, {@code tar.gz}, {@code tar.xz},
   * {@code tar}, and the sidecars {@code tag}, {@code manifest} and {@code constraints}.
   */
  public static final List<String> EXTENSIONS = ArchiveKeys.EXTENSIONS;

  private static final KeyLayout LAYOUT =
      new KeyLayout("the default layout", "halcyon-toolchain-", "halcyon-dependencies-", n -> null);

  /** A namer; there is no configuration, so one instance may be shared. */
  public DefaultArchiveNamer() {}

  /**
   * {@inheritDoc}
   *
   * <p>The hash comes from the tag's {@link LayerTag#CONSTRAINTS_HASH} (and {@link
   * LayerTag#MAGIC_HASH}, when present) for dependencies and {@link LayerTag#SOURCE_HASH} for
   * install; the qualifier from {@link LayerTag#QUALIFIER} for toolchains. A toolchain tag's label
   * is not part of the name.
   *
   * @throws IllegalArgumentException if the extension is unknown, or a needed input is missing or
   *     not a {@code sha256:} digest
   */
  @Override
  public ArchiveName name(LayerTag tag, String extension) {
    return ArchiveKeys.fromTag(tag, extension);
  }

  @Override
  public String key(ArchiveName name) {
    return LAYOUT.key(name);
  }

  @Override
  public Optional<ArchiveName> parse(String key) {
    return LAYOUT.parse(key);
  }

  @Override
  public String toolchainPrefix(String platform, String toolchain) {
    return LAYOUT.toolchainPrefix(platform, toolchain);
  }
}
