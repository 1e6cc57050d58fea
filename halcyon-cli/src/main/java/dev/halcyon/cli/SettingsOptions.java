package dev.halcyon.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * Every setting as an option, in groups that help lists under their own headings; a subcommand
 * takes only the groups whose options do something for it. Each option stands for one {@code
 * HALCYON_*} variable and, when given, overrides it; {@link #overlay} merges the given groups over
 * the environment. A group that picocli did not fill (no option of it given) is null.
 */
final class SettingsOptions {
  private SettingsOptions() {}

  /** One group of setting options. */
  interface Group {
    /** Puts every option given in this group into {@code out} under its variable's name. */
    void overlay(Map<String, String> out);
  }

  /** The environment with every given option of {@code groups} laid over it. */
  static Map<String, String> overlay(Map<String, String> env, Group... groups) {
    Map<String, String> out = new LinkedHashMap<>(env);
    for (Group g : groups) {
      if (g != null) {
        g.overlay(out);
      }
    }
    return out;
  }

  /** What the app is and where it goes: the inputs of its layers' names. */
  static final class Recipe implements Group {
    @Option(
        names = "--prefix",
        paramLabel = "PATH",
        description =
            "Where the app is installed on every machine (HALCYON_PREFIX; else .halcyon/prefix; default /app).")
    String prefix;

    @Option(
        names = "--root",
        paramLabel = "DIR",
        description =
            "Directory the prefix is installed under (HALCYON_ROOT; default /, which needs root).")
    String root;

    @Option(
        names = "--platform",
        paramLabel = "ID",
        description = "Override the detected platform id (HALCYON_PLATFORM).")
    String platform;

    @Option(
        names = "--label",
        paramLabel = "NAME-VERSION",
        description = "Override the app label (HALCYON_LABEL).")
    String label;

    @Option(
        names = "--toolchain",
        paramLabel = "NAME-VERSION",
        description = "Override .halcyon/toolchain (HALCYON_TOOLCHAIN).")
    String toolchain;

    @Option(
        names = "--compression",
        paramLabel = "CODEC",
        description = "zstd (default), gzip, xz or none for new archives (HALCYON_COMPRESSION).")
    String compression;

    @Override
    public void overlay(Map<String, String> out) {
      put(out, "HALCYON_PREFIX", prefix);
      put(out, "HALCYON_ROOT", root);
      put(out, "HALCYON_PLATFORM", platform);
      put(out, "HALCYON_LABEL", label);
      put(out, "HALCYON_TOOLCHAIN", toolchain);
      put(out, "HALCYON_COMPRESSION", compression);
    }
  }

  /**
   * Where archives are kept: the cache, private storage, their names — what {@code ls} and {@code
   * gc} look at, which never read public storage.
   */
  static class PrivateStorage implements Group {
    @Option(
        names = "--cache",
        paramLabel = "DIR",
        description = {"Local cache of archives (HALCYON_CACHE);", "default ~/.halcyon/cache."})
    String cache;

    @Option(
        names = "--storage-dir",
        paramLabel = "DIR",
        description =
            "A folder used as private storage, e.g. on a shared filesystem (HALCYON_STORAGE_DIR).")
    String storageDir;

    @Option(
        names = "--no-private-storage",
        description = "Ignore configured private storage (HALCYON_NO_PRIVATE_STORAGE).")
    Boolean noPrivateStorage;

    @Option(
        names = "--naming",
        paramLabel = "default|original",
        description = "Archive names: ours, or the original Halcyon's (HALCYON_NAMING).")
    String naming;

    @Override
    public void overlay(Map<String, String> out) {
      put(out, "HALCYON_CACHE", cache);
      put(out, "HALCYON_STORAGE_DIR", storageDir);
      put(out, "HALCYON_NO_PRIVATE_STORAGE", noPrivateStorage);
      put(out, "HALCYON_NAMING", naming);
    }
  }

  /** Where archives are kept and read: {@link PrivateStorage} and the public storage too. */
  static final class Storage extends PrivateStorage {
    @Option(
        names = "--public-storage-url",
        paramLabel = "URL",
        description =
            "Read-only HTTP storage tried after private storage (HALCYON_PUBLIC_STORAGE_URL).")
    String publicStorageUrl;

    @Option(
        names = "--no-public-storage",
        description = "Ignore public storage (HALCYON_NO_PUBLIC_STORAGE).")
    Boolean noPublicStorage;

    @Override
    public void overlay(Map<String, String> out) {
      super.overlay(out);
      put(out, "HALCYON_PUBLIC_STORAGE_URL", publicStorageUrl);
      put(out, "HALCYON_NO_PUBLIC_STORAGE", noPublicStorage);
    }
  }

  /**
   * The private S3 bucket and how to reach it — what {@code ls} and {@code gc} need, which upload
   * nothing.
   */
  static class S3Access implements Group {
    @Option(
        names = "--s3-bucket",
        paramLabel = "BUCKET[/FOLDER]",
        description = "Private S3 bucket (HALCYON_S3_BUCKET).")
    String s3Bucket;

    @Option(
        names = {"--s3-endpoint", "--s3-host"},
        paramLabel = "HOST|URL",
        description =
            "Regional host such as s3-eu-west-1.amazonaws.com, or an S3-compatible URL (HALCYON_S3_ENDPOINT, HALCYON_S3_HOST).")
    String s3Endpoint;

    @Option(
        names = "--s3-region",
        paramLabel = "REGION",
        description = "The bucket's region (HALCYON_S3_REGION, else AWS_REGION).")
    String s3Region;

    @Option(
        names = "--aws-access-key-id",
        paramLabel = "ID",
        description = "Access key id (HALCYON_AWS_ACCESS_KEY_ID; else the standard AWS chain).")
    String awsAccessKeyId;

    @Option(
        names = "--aws-secret-access-key",
        paramLabel = "SECRET",
        description =
            "Secret key (HALCYON_AWS_SECRET_ACCESS_KEY); prefer the variable: options show in ps.")
    String awsSecretAccessKey;

    @Override
    public void overlay(Map<String, String> out) {
      put(out, "HALCYON_S3_BUCKET", s3Bucket);
      if (s3Endpoint != null) {
        out.remove("HALCYON_S3_HOST");
        out.put("HALCYON_S3_ENDPOINT", s3Endpoint);
      }
      put(out, "HALCYON_S3_REGION", s3Region);
      put(out, "HALCYON_AWS_ACCESS_KEY_ID", awsAccessKeyId);
      put(out, "HALCYON_AWS_SECRET_ACCESS_KEY", awsSecretAccessKey);
    }
  }

  /** {@link S3Access} and how uploads are stored and framed. */
  static final class S3 extends S3Access {
    @Option(
        names = "--s3-chunked-encoding",
        paramLabel = "auto|on|off",
        description =
            "Whether uploads may use the SDK's aws-chunked framing; auto turns it off for an endpoint over plain HTTP (HALCYON_S3_CHUNKED_ENCODING).")
    String s3ChunkedEncoding;

    @Option(
        names = "--s3-overlap-uploads",
        paramLabel = "on|off",
        description =
            "Whether an archive's parts go up while it is still written; off (the default)"
                + " uploads the finished file (HALCYON_S3_OVERLAP_UPLOADS).")
    String s3OverlapUploads;

    @Option(
        names = "--s3-acl",
        paramLabel = "ACL",
        description =
            "Canned ACL of uploads: private (default), public-read, public-read-write,"
                + " authenticated-read, aws-exec-read, bucket-owner-read or"
                + " bucket-owner-full-control (HALCYON_S3_ACL).")
    String s3Acl;

    @Override
    public void overlay(Map<String, String> out) {
      super.overlay(out);
      put(out, "HALCYON_S3_ACL", s3Acl);
      put(out, "HALCYON_S3_CHUNKED_ENCODING", s3ChunkedEncoding);
      put(out, "HALCYON_S3_OVERLAP_UPLOADS", s3OverlapUploads);
    }
  }

  /** What a run may build, upload and keep: the work directory and the cache's upkeep. */
  static final class Build implements Group {
    @Option(
        names = "--base",
        paramLabel = "DIR",
        description = {"Where layer directories live (HALCYON_BASE);", "default ~/.halcyon/base."})
    String base;

    @Option(
        names = "--no-build",
        description = "Never build: exit 2 if the install archive is missing (HALCYON_NO_BUILD).")
    Boolean noBuild;

    @Option(
        names = "--no-build-dependencies",
        description = "Build only the app itself (HALCYON_NO_BUILD_DEPENDENCIES).")
    Boolean noBuildDependencies;

    @Option(
        names = "--no-upload",
        description = "Upload nothing to private storage (HALCYON_NO_UPLOAD).")
    Boolean noUpload;

    @Option(
        names = "--purge-cache",
        description = "Empty the local cache before the run (HALCYON_PURGE_CACHE).")
    Boolean purgeCache;

    @Option(
        names = "--no-clean-cache",
        description = "Keep cache entries this run did not use (HALCYON_NO_CLEAN_CACHE).")
    Boolean noCleanCache;

    @Option(
        names = "--no-delta",
        description =
            "Restore the install archive by one full download, never by delta (HALCYON_DELTA=0).")
    Boolean noDelta;

    @Option(
        names = "--cache-max-size",
        paramLabel = "SIZE",
        description =
            "Cap the local cache, e.g. 2g, 500m or bytes; least recently used archives go first (HALCYON_CACHE_MAX_SIZE).")
    String cacheMaxSize;

    @Override
    public void overlay(Map<String, String> out) {
      put(out, "HALCYON_BASE", base);
      put(out, "HALCYON_NO_BUILD", noBuild);
      put(out, "HALCYON_NO_BUILD_DEPENDENCIES", noBuildDependencies);
      put(out, "HALCYON_NO_UPLOAD", noUpload);
      put(out, "HALCYON_PURGE_CACHE", purgeCache);
      put(out, "HALCYON_NO_CLEAN_CACHE", noCleanCache);
      if (noDelta != null && noDelta) {
        out.put("HALCYON_DELTA", "0");
      }
      put(out, "HALCYON_CACHE_MAX_SIZE", cacheMaxSize);
    }
  }

  /** What may be deleted from private storage, and by which policy. */
  static final class Retention implements Group {
    @Option(
        names = {"--no-delete", "--no-clean-private-storage"},
        description =
            "Never delete from private storage (HALCYON_NO_DELETE, HALCYON_NO_CLEAN_PRIVATE_STORAGE).")
    Boolean noDelete;

    @Option(
        names = "--retention",
        paramLabel = "POLICY",
        description =
            "Retention policy for pruning private storage (HALCYON_RETENTION; default halcyon).")
    String retention;

    @Override
    public void overlay(Map<String, String> out) {
      put(out, "HALCYON_NO_DELETE", noDelete);
      put(out, "HALCYON_RETENTION", retention);
    }
  }

  /** How much a command says, and in which form. */
  static final class Output {
    @Option(
        names = {"-v", "--verbose", "--stacktrace"},
        description = "Show more detail, and a stack trace on errors.")
    boolean verbose;
  }

  /** {@link Output} with {@code --json}. */
  static final class JsonOutput {
    @Option(
        names = {"-v", "--verbose", "--stacktrace"},
        description = "Show more detail, and a stack trace on errors.")
    boolean verbose;

    @Option(
        names = "--json",
        description =
            "Write one JSON document to standard output (schema in README); human lines go to standard error.")
    boolean json;
  }

  private static void put(Map<String, String> out, String name, Object value) {
    if (value instanceof Boolean b) {
      out.put(name, b ? "1" : "0");
    } else if (value != null) {
      out.put(name, value.toString());
    }
  }
}
