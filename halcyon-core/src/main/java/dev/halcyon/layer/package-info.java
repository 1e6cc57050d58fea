/**
 * Layer identity: the four {@link dev.halcyon.layer.LayerKind kinds} a build is split into, the
 * {@link dev.halcyon.layer.LayerTag tag} that records every input of one layer, and the values
 * those inputs are made of — {@link dev.halcyon.layer.Digest SHA-256 digests}, deterministic {@link
 * dev.halcyon.layer.TreeHashes tree hashes} with {@link dev.halcyon.layer.IgnoreRules ignore
 * rules}, {@link dev.halcyon.layer.Platforms platform ids} such as {@code linux-debian-12-x86_64}
 * and exact dependency lists ({@link dev.halcyon.layer.Constraints}) with Halcyon's best partial
 * match. Everything here is immutable or stateless and thread-safe; only {@code TreeHashes} and
 * {@code Platforms.detect()} touch the file system.
 */
package dev.halcyon.layer;
