package dev.halcyon.engine;

/**
 * What a delta restore of an install archive did: how many of the archive's files it reused from
 * the machine and how many it fetched, and what the fetching cost.
 *
 * @param files the archive's regular files
 * @param reused files taken from the machine (the installed tree, the file cache or earlier install
 *     archives in the local cache)
 * @param fetched files fetched by ranged reads ({@code files - reused})
 * @param bytesFetched bytes read from storage: footer, table of contents and ranges
 * @param archiveBytes the whole archive's size, what a full restore would have read
 * @param requests reads made of storage (head, footer, table of contents, ranges)
 * @param linked reused files hard-linked from the replaced tree (the rest were copied)
 * @param hashed installed files read and hashed to prove them, because no fingerprint recorded when
 *     halcyon wrote them still matched (0 when every file was proven by its fingerprint)
 * @param fromArchives reused files read out of earlier install archives in the local cache (each
 *     chunk decompressed from the cached archive's frame and checked against its digest)
 * @param bytesFromArchives the content bytes read out of those archives (chunks of files fetched in
 *     part included)
 */
public record DeltaPlan(
    int files,
    int reused,
    int fetched,
    long bytesFetched,
    long archiveBytes,
    int requests,
    int linked,
    int hashed,
    int fromArchives,
    long bytesFromArchives) {}
