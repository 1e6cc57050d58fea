/**
 * Layer archives: {@link dev.halcyon.archive.Archives} writes a directory tree as a reproducible
 * compressed tar (sorted members, fixed owner, mode and time, POSIX long names; zstd by default,
 * gzip and xz selectable, the file extension naming the codec) while computing the SHA-256 of the
 * compressed bytes, and extracts such archives — or any GNU tar archive — defensively into a fresh
 * sibling directory that replaces the target only on success, refusing every member that could
 * reach outside it and stopping at the {@link dev.halcyon.archive.ExtractLimits}. zstd archives end
 * in a table of contents ({@link dev.halcyon.archive.ArchiveToc}, found through the {@link
 * dev.halcyon.archive.TocFooter}) that lists every member's frames, so a reader can fetch and
 * verify single files by ranged reads ({@link dev.halcyon.archive.TocChunks}); the byte layout is
 * in {@code docs/archive-format.md}.
 */
package dev.halcyon.archive;
