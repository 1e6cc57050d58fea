/**
 * Layer archives: {@link dev.halcyon.archive.Archives} writes a directory tree as a reproducible
 * compressed tar (sorted members, fixed owner, mode and time, POSIX long names; zstd by default,
 * gzip and xz selectable, the file extension naming the codec) while computing the SHA-256 of the
 * compressed bytes, and extracts such archives — or any GNU tar archive — defensively into a fresh
 * sibling directory that replaces the target only on success, refusing every member that could
 * reach outside it and stopping at the {@link dev.halcyon.archive.ExtractLimits}.
 */
package dev.halcyon.archive;
