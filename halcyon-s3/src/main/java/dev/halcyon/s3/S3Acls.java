package dev.halcyon.s3;

import static com.google.common.base.Preconditions.checkNotNull;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import software.amazon.awssdk.services.s3.model.ObjectCannedACL;

/** The canned ACLs an upload may carry, by their S3 names. */
final class S3Acls {
  static final String PRIVATE = "private";

  /** Every canned ACL S3 defines for objects, in the order messages list them. */
  static final List<String> NAMES =
      List.of(
          "private",
          "public-read",
          "public-read-write",
          "authenticated-read",
          "aws-exec-read",
          "bucket-owner-read",
          "bucket-owner-full-control");

  private S3Acls() {}

  /**
   * The ACL to send with uploads, empty for {@code private}.
   *
   * <p>{@code private} is what S3 gives an object without an ACL header, and buckets created since
   * April 2023 have ACLs disabled and reject every ACL header but {@code
   * bucket-owner-full-control}; so the default sends none.
   *
   * @throws IllegalArgumentException listing the allowed names if {@code name} is not one
   */
  static Optional<ObjectCannedACL> parse(String name) {
    checkNotNull(name, "name");
    String n = name.trim().toLowerCase(Locale.ROOT);
    if (!NAMES.contains(n)) {
      throw new IllegalArgumentException(
          "unknown canned ACL '" + name + "'; use one of " + String.join(", ", NAMES));
    }
    return n.equals(PRIVATE) ? Optional.empty() : Optional.of(ObjectCannedACL.fromValue(n));
  }
}
