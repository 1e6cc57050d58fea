/**
 * SHA-256 as the bytes stream past, never in a second pass: {@link dev.halcyon.hash.Digests} hashes
 * a file or a stream, {@link dev.halcyon.hash.DigestingOutputStream} hashes what is written through
 * it, and {@link dev.halcyon.hash.VerifyingInputStream} checks what is read through it against a
 * recorded length and digest. The digest value itself is {@link dev.halcyon.layer.Digest}; this
 * package depends on {@code layer} and nothing else of Halcyon's, so every other package can use
 * it.
 */
package dev.halcyon.hash;
