package dev.halcyon.layer;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * A SHA-256 digest, written {@code sha256:} followed by 64 lower-case hex digits.
 *
 * <p>Immutable and thread-safe; {@code parse(d.toString()).equals(d)} for every digest.
 *
 * @param hex the 64 lower-case hex digits
 */
public record Digest(String hex) {
  private static final String PREFIX = "sha256:";
  private static final Pattern HEX = Pattern.compile("[0-9a-f]{64}");

  /** Length of the short form used in archive names, as in the original Halcyon. */
  public static final int SHORT_LENGTH = 7;

  /**
   * Checks the hex form.
   *
   * @param hex exactly 64 lower-case hex digits, without the {@code sha256:} prefix
   * @throws IllegalArgumentException if {@code hex} is not 64 lower-case hex digits
   */
  public Digest {
    checkNotNull(hex, "hex");
    checkArgument(HEX.matcher(hex).matches(), "not a SHA-256 hex digest: '%s'", hex);
  }

  /**
   * Parses {@code sha256:<64 hex>}.
   *
   * @param text the written form, {@code sha256:} followed by 64 lower-case hex digits
   * @return the digest
   * @throws IllegalArgumentException if {@code text} is not in that form
   */
  public static Digest parse(String text) {
    checkNotNull(text, "text");
    checkArgument(
        text.startsWith(PREFIX), "not a sha256 digest (expected 'sha256:<64 hex>'): '%s'", text);
    return new Digest(text.substring(PREFIX.length()));
  }

  /**
   * The digest of a finished {@link MessageDigest} computation over SHA-256.
   *
   * @param sha256 the 32 bytes {@link MessageDigest#digest()} returned
   * @return the digest of those bytes
   */
  public static Digest of(byte[] sha256) {
    checkNotNull(sha256, "sha256");
    checkArgument(sha256.length == 32, "a SHA-256 digest has 32 bytes, got %s", sha256.length);
    return new Digest(HexFormat.of().formatHex(sha256));
  }

  /**
   * The digest of {@code bytes}.
   *
   * @param bytes the bytes to hash; may be empty
   * @return the SHA-256 of {@code bytes}
   */
  public static Digest sha256(byte[] bytes) {
    MessageDigest md = newSha256();
    return of(md.digest(bytes));
  }

  /**
   * The digest of the UTF-8 bytes of {@code text}.
   *
   * @param text the text to hash, encoded as UTF-8
   * @return the SHA-256 of the UTF-8 bytes of {@code text}
   */
  public static Digest sha256(String text) {
    return sha256(text.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * A fresh SHA-256 {@link MessageDigest}.
   *
   * @return a new SHA-256 digest, for one caller's use (a {@code MessageDigest} is not thread-safe)
   */
  public static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }

  /**
   * The first {@value #SHORT_LENGTH} hex digits, as used in archive names.
   *
   * @return the first {@value #SHORT_LENGTH} lower-case hex digits, without the {@code sha256:}
   *     prefix
   */
  public String shortHex() {
    return hex.substring(0, SHORT_LENGTH);
  }

  @Override
  public String toString() {
    return PREFIX + hex;
  }
}
