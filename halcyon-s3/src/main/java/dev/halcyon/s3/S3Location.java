package dev.halcyon.s3;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.regex.Pattern;

/**
 * Where a store's objects live: a bucket and a folder, and the mapping between store keys ({@code
 * a/b}) and object keys ({@code folder/a/b}).
 *
 * @param bucket the bucket name
 * @param folder the folder without leading or trailing slash, empty for the bucket root
 */
record S3Location(String bucket, String folder) {
  private static final Pattern OUTER_SLASHES = Pattern.compile("^/+|/+$");

  S3Location {
    checkNotNull(bucket, "bucket");
    checkNotNull(folder, "folder");
  }

  /**
   * {@code folder} without leading or trailing slashes.
   *
   * @param hint appended to the message of an empty path segment, e.g. {@code "; check X"}
   * @throws IllegalArgumentException if a path segment is empty
   */
  static String normalizeFolder(String folder, String hint) {
    String f = OUTER_SLASHES.matcher(folder).replaceAll("");
    checkArgument(!f.contains("//"), "folder '%s' has an empty path segment%s", folder, hint);
    return f;
  }

  /** What every object key starts with: {@code folder/}, or empty for the bucket root. */
  String folderPrefix() {
    return folder.isEmpty() ? "" : folder + "/";
  }

  /**
   * The object key of store key {@code key}.
   *
   * @throws IllegalArgumentException if {@code key} is empty
   */
  String objectKey(String key) {
    checkNotNull(key, "key");
    checkArgument(!key.isEmpty(), "key must not be empty");
    return folderPrefix() + key;
  }

  /** The store key of an object key under the folder (as listings and error reports give them). */
  String storeKey(String objectKey) {
    return objectKey.substring(Math.min(folderPrefix().length(), objectKey.length()));
  }

  /** {@code s3://bucket} or {@code s3://bucket/folder}. */
  String describe() {
    return "s3://" + bucket + (folder.isEmpty() ? "" : "/" + folder);
  }

  /** {@code s3://bucket/folder/key}, for messages. */
  String describe(String key) {
    return describe() + "/" + key;
  }
}
