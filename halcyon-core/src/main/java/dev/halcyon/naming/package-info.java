/**
 * Archive naming: an {@link dev.halcyon.naming.ArchiveNamer} turns a layer's identity ({@link
 * dev.halcyon.naming.ArchiveName}, mostly derived from its {@link dev.halcyon.layer.LayerTag tag})
 * into a relative object key and parses keys back, so a bucket listing reads like Halcyon's. {@link
 * dev.halcyon.naming.DefaultArchiveNamer} is our layout ({@code
 * <platform>/<toolchain>/halcyon-install-<source7>-<label>.tar.zst} and so on); {@link
 * dev.halcyon.naming.OriginalHalcyonNamer} reproduces the original Halcyon's GHC, Cabal, sandbox,
 * build and install names exactly, so buckets it wrote can be read and pruned. Namers do no I/O and
 * are thread-safe.
 */
package dev.halcyon.naming;
