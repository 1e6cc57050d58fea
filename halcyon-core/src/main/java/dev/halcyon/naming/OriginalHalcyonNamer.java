package dev.halcyon.naming;

import static com.google.common.base.Preconditions.checkArgument;

import dev.halcyon.layer.LayerKind;
import dev.halcyon.layer.LayerTag;
import java.util.Optional;

/**
 * The key layout of the original Halcyon (spec §3.1 and §5.2), so a bucket it wrote can be listed,
 * restored from and pruned:
 *
 * <pre>
 *   &lt;platform&gt;/halcyon-ghc-&lt;ghc_id&gt;.tar.gz                              toolchain ghc-&lt;ghc_id&gt;
 *   &lt;platform&gt;/halcyon-cabal-&lt;cabal_id&gt;[-&lt;repo&gt;[-&lt;date&gt;]].tar.gz       toolchain cabal-&lt;cabal_id&gt;
 *   &lt;platform&gt;/ghc-&lt;ghc_id&gt;/halcyon-sandbox-&lt;c7&gt;[.&lt;sm7&gt;]-&lt;label&gt;.tar.gz  dependencies
 *   &lt;platform&gt;/ghc-&lt;ghc_id&gt;/halcyon-sandbox-&lt;c7&gt;[.&lt;sm7&gt;]-&lt;label&gt;.constraints
 *   &lt;platform&gt;/ghc-&lt;ghc_id&gt;/halcyon-build-&lt;label&gt;.tar.gz                build
 *   &lt;platform&gt;/ghc-&lt;ghc_id&gt;/halcyon-install-&lt;s7&gt;-&lt;label&gt;.tar.gz          install
 * </pre>
 *
 * <p>Mapping to {@link ArchiveName}: GHC and Cabal archives are {@link LayerKind#TOOLCHAIN} names
 * whose toolchain id is {@code ghc-<version>[.<magic7>]} or {@code cabal-<version>[.<magic7>]}; an
 * updated Cabal's {@code <repo>[-<date>]} is the qualifier (GHC names have none). The Halcyon
 * sandbox is the {@link LayerKind#DEPENDENCIES} layer. The folder of sandbox, build and install
 * archives is their toolchain id, which must therefore be a {@code ghc-} id. For example {@code
 * linux-ubuntu-14.04-x86_64/ghc-7.8.4/halcyon-install-b90bb47-halcyon-tutorial-1.0.tar.gz} is the
 * install name with toolchain {@code ghc-7.8.4}, hash {@code b90bb47}, label {@code
 * halcyon-tutorial-1.0} and extension {@code tar.gz}.
 *
 * <p>The original only wrote {@code tar.gz} archives and {@code .constraints} sidecars; this namer
 * also accepts the other {@link DefaultArchiveNamer#EXTENSIONS} (e.g. a {@code tag} sidecar), and
 * the same rules for labels, hashes and platforms as {@link DefaultArchiveNamer}. The {@code
 * original/} folder of upstream downloads and the pre-2015 "slug" archives (the spec gives no name
 * for them) are not layer names: they parse to empty. Stateless and thread-safe; does no I/O.
 */
public final class OriginalHalcyonNamer implements ArchiveNamer {

  private static final String GHC = "ghc";
  private static final String CABAL = "cabal";

  private static final KeyLayout LAYOUT =
      new KeyLayout(
          "Halcyon's layout", "halcyon-", "halcyon-sandbox-", OriginalHalcyonNamer::problem);

  /** A namer; there is no configuration, so one instance may be shared. */
  public OriginalHalcyonNamer() {}

  /**
   * {@inheritDoc}
   *
   * <p>Fills the name like {@link DefaultArchiveNamer#name}; the tag's toolchain must be a {@code
   * ghc-} (or, for a toolchain tag, {@code cabal-}) id for {@link #key} to accept the name.
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

  /**
   * {@inheritDoc}
   *
   * @throws IllegalArgumentException if {@code toolchain} is not a {@code ghc-} id
   */
  @Override
  public String toolchainPrefix(String platform, String toolchain) {
    String prefix = LAYOUT.toolchainPrefix(platform, toolchain);
    checkArgument(ArchiveKeys.toolchainName(toolchain).equals(GHC), "%s", notUnderGhc(toolchain));
    return prefix;
  }

  /** The rules beyond the shared ones: only GHC and Cabal toolchains, layers under GHC. */
  private static String problem(ArchiveName name) {
    String toolchainName = ArchiveKeys.toolchainName(name.toolchain());
    if (name.kind() != LayerKind.TOOLCHAIN) {
      return toolchainName.equals(GHC) ? null : notUnderGhc(name.toolchain());
    }
    if (!toolchainName.equals(GHC) && !toolchainName.equals(CABAL)) {
      return "Halcyon's toolchain archives are ghc-<version> and cabal-<version>, not '"
          + name.toolchain()
          + "'";
    }
    if (toolchainName.equals(GHC) && !name.qualifier().isEmpty()) {
      return "a GHC archive has no qualifier (got '" + name.qualifier() + "')";
    }
    return null;
  }

  private static String notUnderGhc(String toolchain) {
    return "Halcyon keeps sandbox, build and install archives under a GHC folder: toolchain id '"
        + toolchain
        + "' must be ghc-<version>[.<magic7>]";
  }
}
