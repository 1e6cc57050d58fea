package dev.halcyon.s3;

import dev.halcyon.layer.Digest;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

/** What the store writes on every object and reads back from the answers. */
final class S3ObjectMetadata {
  /** User metadata key of the SHA-256 (hex), sent as {@code x-amz-meta-halcyon-sha256}. */
  static final String DIGEST_METADATA = "halcyon-sha256";

  static final String CONTENT_TYPE = "application/octet-stream";

  private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+)");

  private S3ObjectMetadata() {}

  /** The user metadata recording {@code digest}. */
  static Map<String, String> of(Digest digest) {
    return Map.of(DIGEST_METADATA, digest.hex());
  }

  /** The recorded digest, if there is a well-formed one. */
  static Optional<Digest> digestOf(Map<String, String> metadata) {
    String hex = metadata.get(DIGEST_METADATA);
    if (hex == null) {
      return Optional.empty();
    }
    String h = hex.trim().toLowerCase(Locale.ROOT);
    if (h.startsWith("sha256:")) {
      h = h.substring("sha256:".length());
    }
    try {
      return Optional.of(new Digest(h));
    } catch (IllegalArgumentException e) {
      // Not ours to judge: written by another tool; read it unverified rather than refuse it.
      return Optional.empty();
    }
  }

  /** The length of the whole object, also when {@code r} answers a range; -1 if unknown. */
  static long totalLength(GetObjectResponse r) {
    if (r.contentRange() != null) {
      Matcher m = CONTENT_RANGE.matcher(r.contentRange());
      if (m.find()) {
        return Long.parseLong(m.group(3));
      }
    }
    return r.contentLength() == null ? -1 : r.contentLength();
  }
}
