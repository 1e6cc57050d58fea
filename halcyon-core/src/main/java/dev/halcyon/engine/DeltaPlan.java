package dev.halcyon.engine;

/**
 * What a delta restore of an install archive did: how many of the archive's files it reused from
 * the machine and how many it fetched, and what the fetching cost.
 *
 * @param files the archive's regular files
 * @param reused files taken from the machine (the installed tree or the file cache)
 * @param fetched files fetched by ranged reads ({@code files - reused})
 * @param bytesFetched bytes read from storage: footer, table of contents and ranges
 * @param archiveBytes the whole archive's size, what a full restore would have read
 * @param requests reads made of storage (head, footer, table of contents, ranges)
 * @param linked reused files hard-linked from the replaced tree (the rest were copied)
 * @param hashed installed files read and hashed to prove them, because no fingerprint recorded when
 *     halcyon wrote them still matched (0 when every file was proven by its fingerprint)
 */
public record DeltaPlan(
    int files,
    int reused,
    int fetched,
    long bytesFetched,
    long archiveBytes,
    int requests,
    int linked,
    int hashed) {}
