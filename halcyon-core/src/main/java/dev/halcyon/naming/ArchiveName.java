package dev.halcyon.naming;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.halcyon.layer.LayerKind;

/**
 * What an object key in a store says about the archive it holds: the parts of a layer's identity
 * that fit in a name. Full hashes live in the tag; names carry short ones.
 *
 * <p>An {@link ArchiveNamer} turns a name into a key and back; {@code namer.parse(namer.key(n))}
 * equals {@code n} for every name the namer accepts.
 *
 * @param kind the layer kind
 * @param platform e.g. {@code linux-debian-12-x86_64}
 * @param toolchain the toolchain id, e.g. {@code jdk-17.0.15}; for a toolchain archive its own id
 * @param label the app label, empty for toolchain archives
 * @param hash the short hash(es) in the name, e.g. {@code b90bb47} or {@code f458aa8.1a2b3c4}, or
 *     empty when the kind has none (build, toolchain)
 * @param qualifier an optional extra part such as a snapshot date ({@code hackage-2015-01-15}), or
 *     empty
 * @param extension what follows the last part of the name without the dot: a codec such as {@code
 *     tar.zst} / {@code tar.gz} / {@code tar.xz}, or a sidecar such as {@code tag} / {@code
 *     constraints}
 */
public record ArchiveName(
    LayerKind kind,
    String platform,
    String toolchain,
    String label,
    String hash,
    String qualifier,
    String extension) {

  /**
   * Checks the parts.
   *
   * @param kind the layer kind
   * @param platform not empty
   * @param toolchain not empty
   * @param label empty for a toolchain archive
   * @param hash empty when the kind has none
   * @param qualifier empty when there is none
   * @param extension not empty, without the leading dot
   * @throws IllegalArgumentException if platform, toolchain or extension is empty, or a part
   *     contains {@code /} or {@code ..}
   */
  public ArchiveName {
    checkNotNull(kind, "kind");
    checkNotNull(platform, "platform");
    checkNotNull(toolchain, "toolchain");
    checkNotNull(label, "label");
    checkNotNull(hash, "hash");
    checkNotNull(qualifier, "qualifier");
    checkNotNull(extension, "extension");
    checkArgument(!platform.isEmpty(), "an archive name needs a platform");
    checkArgument(!toolchain.isEmpty(), "an archive name needs a toolchain id");
    checkArgument(!extension.isEmpty(), "an archive name needs an extension");
    for (String part : new String[] {platform, toolchain, label, hash, qualifier, extension}) {
      checkArgument(
          part.indexOf('/') < 0 && !part.contains(".."),
          "archive name part '%s' may not contain '/' or '..'",
          part);
    }
  }

  /**
   * The same name with another extension, e.g. the {@code tag} sidecar of an archive.
   *
   * @param newExtension the extension without the leading dot, e.g. {@code tag} or {@code tar.zst}
   * @return a name equal to this one but for the extension
   */
  public ArchiveName withExtension(String newExtension) {
    return new ArchiveName(kind, platform, toolchain, label, hash, qualifier, newExtension);
  }

  /**
   * True if the extension names a tar archive rather than a sidecar.
   *
   * @return true for {@code tar} and {@code tar.*} (e.g. {@code tar.zst}); false for a sidecar such
   *     as {@code tag}
   */
  public boolean isArchive() {
    return extension.equals("tar") || extension.startsWith("tar.");
  }
}
