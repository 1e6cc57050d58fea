package dev.halcyon.s3;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import dev.halcyon.layer.Digest;
import dev.halcyon.store.CorruptObjectException;
import dev.halcyon.store.GrowingFile;
import dev.halcyon.store.LayerStore;
import dev.halcyon.store.ObjectInfo;
import dev.halcyon.store.PutMode;
import dev.halcyon.store.PutResult;
import dev.halcyon.store.StoredObject;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ObjectCannedACL;

/**
 * A {@link LayerStore} on an Amazon S3 bucket or an S3-compatible service, through the AWS SDK for
 * Java v2 (every request signed with SigV4).
 *
 * <ul>
 *   <li>Keys live under the folder, if one is set: key {@code a/b} of {@code s3://bucket/folder} is
 *       the object {@code folder/a/b}.
 *   <li>Every upload records the SHA-256 as user metadata {@code x-amz-meta-halcyon-sha256} (hex);
 *       single-request uploads also send it as the S3 checksum ({@code x-amz-checksum-sha256}), so
 *       the service refuses bytes that do not match (AWS, S3Mock 5.2 and S3Proxy 4.1 all check it).
 *       Every download is verified against it and its length.
 *   <li>Files larger than the multipart threshold upload as parallel parts; objects larger than one
 *       part download as parallel byte ranges delivered in order, in bounded memory.
 *   <li>{@link PutMode#IF_ABSENT} writes with {@code If-None-Match: *} (atomic on AWS); a service
 *       that ignores it or answers 501 is detected once by a probe and then guarded by a HEAD
 *       before and after the write, which leaves a small race window between two machines. Within
 *       one store, IF_ABSENT writers of the same key take turns, since some servers (S3Mock 5.2)
 *       check the condition and write in two steps.
 *   <li>Other fallbacks are detected from the service's answers and kept for the store's life, each
 *       reported once through {@link Builder#notices}: no checksum headers, single DeleteObject
 *       requests without DeleteObjects, ListObjects V1 without V2.
 *   <li>Uploads to an endpoint over plain HTTP are sent without the SDK's {@code aws-chunked}
 *       framing (see {@link Builder#chunkedEncoding}); an object stored larger than sent, or read
 *       back beginning with a chunk header, fails with one line naming {@link
 *       S3Settings#CHUNKED_ENCODING}.
 *   <li>A download whose body ends before its Content-Length or breaks off (a reset, a timeout)
 *       fails with {@link dev.halcyon.store.TransientStoreException} naming the key and endpoint; a
 *       later range of a large object is first asked for again. Only a complete body that differs
 *       from the recorded digest is {@link CorruptObjectException}.
 *   <li>{@link #getRange(String, long, long)} is one single-range GET (S3 has no multi-range GET),
 *       taken only as a 206 with the Content-Range asked for; a 200 is never taken for a range but
 *       fails with {@link dev.halcyon.store.RangeNotSupportedException}, and the store then stops
 *       asking. A range starting at or past the end (416 InvalidRange) is an empty stream; a body
 *       broken off mid-range is {@link dev.halcyon.store.TransientStoreException}.
 *   <li>{@link #abortIncompleteUploads} finds multipart uploads left by killed writers
 *       (ListMultipartUploads) and aborts them, and deletes the hidden objects a killed overlapped
 *       upload ({@link #putWhileWriting}) left under {@code .halcyon-partial/}.
 *   <li>{@link #list} returns no digests: S3 listings do not carry user metadata.
 * </ul>
 *
 * <p>Thread-safe. Owns its S3 client and, unless an {@link Executor} was given, a thread pool of
 * {@code parallelism} daemon threads; {@link #close()} releases both. Streams returned by {@link
 * #get} are the caller's to close. {@link #toString()} and messages never show the secret.
 */
public final class S3LayerStore implements LayerStore {
  private static final long MIB = 1024 * 1024;

  private final S3Location location;
  private final S3Client s3;
  private final S3Errors errors;
  private final String summary;
  private final Optional<ExecutorService> ownedExecutor;
  private final ObjectHeads heads;
  private final UploadFraming framing;
  private final ObjectListing listing;
  private final RangedDownload download;
  private final RangeReads ranges;
  private final Uploads uploads;
  private final BatchDelete batchDelete;
  private final IncompleteUploads incompleteUploads;
  private final boolean overlapUploads;

  private S3LayerStore(Builder b) {
    this.location = new S3Location(b.bucket, b.folder);
    this.overlapUploads = b.overlapUploads;
    Optional<ObjectCannedACL> acl = S3Acls.parse(b.acl);
    S3ClientFactory clients =
        new S3ClientFactory(
            b.region.orElse(S3Endpoints.US_EAST_1),
            b.endpoint,
            b.dualstack,
            b.fips,
            b.accessKeyId,
            b.secretAccessKey,
            b.connectTimeout,
            b.socketTimeout,
            b.maxAttempts,
            b.chunkedEncoding);
    this.s3 = clients.newClient();
    this.errors = clients.errors(location);
    S3Notices notices = new S3Notices(b.notices, errors);
    this.framing =
        new UploadFraming(
            location, s3, errors, clients.chunkedUploads(), clients.endpointDescription());
    this.listing = new ObjectListing(location, s3, errors, b.listPageSize, notices);
    this.summary =
        "S3LayerStore["
            + location.describe()
            + ", "
            + clients.describe()
            + ", acl="
            + b.acl
            + (b.overlapUploads ? ", overlapUploads=on" : "")
            + "]";

    Executor executor;
    if (b.executor.isPresent()) {
      executor = b.executor.get();
      this.ownedExecutor = Optional.empty();
    } else {
      ExecutorService pool = Executors.newFixedThreadPool(b.parallelism, daemonThreads());
      executor = pool;
      this.ownedExecutor = Optional.of(pool);
    }

    this.heads = new ObjectHeads(s3, location, errors);
    this.download = new RangedDownload(location, s3, errors, executor, b.partSize, b.parallelism);
    this.ranges = new RangeReads(location, s3, errors, heads);
    ConditionalWrites conditionalWrites = new ConditionalWrites(s3, location, notices);
    this.uploads =
        new Uploads(
            location,
            conditionalWrites,
            heads,
            new SingleUpload(
                location, s3, errors, heads, conditionalWrites, acl, b.sendChecksums, notices),
            new MultipartUpload(
                location,
                s3,
                errors,
                heads,
                conditionalWrites,
                acl,
                executor,
                b.partSize,
                b.parallelism),
            new GrowingUpload(
                location,
                s3,
                errors,
                heads,
                conditionalWrites,
                acl,
                executor,
                b.partSize,
                b.parallelism,
                notices),
            b.multipartThreshold,
            framing,
            clients.signsBodiesBeforeSending());
    this.batchDelete = new BatchDelete(location, s3, errors, b.deleteBatch, notices);
    this.incompleteUploads = new IncompleteUploads(location, s3, errors);
  }

  /**
   * A builder with the defaults: region us-east-1, ACL private, 16 MiB parts, 4 in parallel.
   *
   * @return a new builder; {@link Builder#bucket} is required
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * A store configured from environment variables (see {@link S3Settings}).
   *
   * @param env the variables, e.g. {@code System.getenv()}
   * @return a store that owns its S3 client; close it when done
   * @throws IllegalArgumentException naming the variable if one is missing or malformed
   */
  public static S3LayerStore fromEnvironment(Map<String, String> env) {
    return builder().settings(S3Settings.fromEnvironment(env)).build();
  }

  @Override
  public Optional<ObjectInfo> head(String key) throws IOException {
    return heads.head(key);
  }

  @Override
  public Optional<StoredObject> get(String key) throws IOException {
    return download.get(key).map(framing::sniffing);
  }

  /**
   * One GET with {@code Range: bytes=a-b}, answered as the interface says; a service that answers
   * 200 or another range is remembered ({@link #honoursRanges()}) and not asked again.
   */
  @Override
  public Optional<InputStream> getRange(String key, long offset, long length) throws IOException {
    return ranges.read(key, Optional.empty(), offset, length);
  }

  /**
   * As {@link #getRange(String, long, long)}, and the answer's size and recorded digest (its
   * Last-Modified for objects without one) must be {@code object}'s, checked on the same GET.
   */
  @Override
  public Optional<InputStream> getRange(ObjectInfo object, long offset, long length)
      throws IOException {
    checkNotNull(object, "object");
    return ranges.read(object.key(), Optional.of(object), offset, length);
  }

  /**
   * False once the service answered a ranged GET with the whole object or with another range than
   * asked for; every later {@code getRange} then fails at once with {@link
   * dev.halcyon.store.RangeNotSupportedException}, and callers read objects whole.
   *
   * @return true until the service has been seen to ignore or change a requested range
   */
  public boolean honoursRanges() {
    return ranges.honoured();
  }

  @Override
  public PutResult put(String key, Path source, Digest digest, PutMode mode) throws IOException {
    checkNotNull(source, "source");
    checkNotNull(digest, "digest");
    checkNotNull(mode, "mode");
    return uploads.putFile(key, source, digest, mode, bytes -> {});
  }

  /**
   * Uploads {@code source} as {@link #put(String, Path, Digest, PutMode)} does, telling {@code
   * sent} the bytes of each request body as the SDK reads them, from the calling thread or the
   * store's upload threads (one call at a time). A body read again (a retried part) counts once.
   * Over plain HTTP without {@code aws-chunked} framing, where the SDK reads each body once to sign
   * it before it sends it, only the second read counts.
   */
  @Override
  public PutResult put(String key, Path source, Digest digest, PutMode mode, LongConsumer sent)
      throws IOException {
    checkNotNull(source, "source");
    checkNotNull(digest, "digest");
    checkNotNull(mode, "mode");
    checkNotNull(sent, "sent");
    return uploads.putFile(key, source, digest, mode, sent);
  }

  /**
   * Whether the store was built with {@link Builder#overlapUploads overlapUploads(true)}: then the
   * engine uploads through {@link #putWhileWriting}, which sends parts while the file is written.
   */
  @Override
  public boolean overlapsWrites() {
    return overlapUploads;
  }

  /**
   * Uploads the file {@code source} is growing into while it is written, as parts of a multipart
   * upload to a hidden key under {@code .halcyon-partial/} (left out of listings) read back from
   * the file as they become final; once the writer has finished and the digest matches, the object
   * is copied on the server to {@code key} by a multipart upload created with the digest
   * (UploadPartCopy; {@code If-None-Match: *} on its completion for IF_ABSENT), and the hidden
   * object is deleted. So {@code key} never holds an object without its recorded digest, and
   * nothing appears there before the whole file is sent and checked. A file within the multipart
   * threshold, a key already taken, a file over 5 GiB, or a service without UploadPartCopy
   * (reported once through {@link Builder#notices}, then remembered) is uploaded once finished, as
   * {@link #put(String, Path, Digest, PutMode, LongConsumer)} does. A killed upload leaves an
   * incomplete upload or a hidden object, which {@link #abortIncompleteUploads} removes.
   */
  @Override
  public PutResult putWhileWriting(String key, GrowingFile source, PutMode mode, LongConsumer sent)
      throws IOException {
    checkNotNull(source, "source");
    checkNotNull(mode, "mode");
    checkNotNull(sent, "sent");
    return uploads.putGrowing(key, source, mode, sent);
  }

  @Override
  public PutResult put(String key, byte[] bytes, PutMode mode) throws IOException {
    checkNotNull(bytes, "bytes");
    checkNotNull(mode, "mode");
    return uploads.putBytes(key, bytes, mode);
  }

  @Override
  public List<ObjectInfo> list(String prefix) throws IOException {
    checkNotNull(prefix, "prefix");
    return listing.list(prefix);
  }

  /**
   * Lists the multipart uploads under the folder and {@code prefix} (ListMultipartUploads, every
   * page) and aborts those initiated before {@code startedBefore} (AbortMultipartUpload). An upload
   * completed or aborted by someone else meanwhile is not counted. Needs {@code
   * s3:ListBucketMultipartUploads} on the bucket and {@code s3:AbortMultipartUpload} on the keys.
   */
  @Override
  public int abortIncompleteUploads(String prefix, Instant startedBefore, boolean dryRun)
      throws IOException {
    checkNotNull(prefix, "prefix");
    checkNotNull(startedBefore, "startedBefore");
    return incompleteUploads.abort(prefix, startedBefore, dryRun);
  }

  @Override
  public boolean delete(String key) throws IOException {
    String objectKey = location.objectKey(key);
    // DELETE answers 204 whether or not the key existed.
    if (head(key).isEmpty()) {
      return false;
    }
    try {
      s3.deleteObject(b -> b.bucket(location.bucket()).key(objectKey));
      return true;
    } catch (SdkException e) {
      throw errors.translate(e, S3Errors.Operation.DELETE, key);
    }
  }

  @Override
  public int deleteAll(Collection<String> keys) throws IOException {
    checkNotNull(keys, "keys");
    return batchDelete.deleteAll(keys);
  }

  @Override
  public String describe() {
    return location.describe();
  }

  @Override
  public void close() {
    ownedExecutor.ifPresent(ExecutorService::shutdownNow);
    s3.close();
  }

  @Override
  public String toString() {
    return summary;
  }

  private static ThreadFactory daemonThreads() {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, "halcyon-s3-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /**
   * Configures an {@link S3LayerStore}. Not thread-safe; {@link #build()} may be called more than
   * once, each store owning its own client.
   */
  public static final class Builder {
    private String bucket;
    private String folder = "";
    private Optional<String> region = Optional.empty();
    private Optional<URI> endpoint = Optional.empty();
    private boolean dualstack;
    private boolean fips;
    private Optional<String> accessKeyId = Optional.empty();
    private Optional<String> secretAccessKey = Optional.empty();
    private String acl = S3Acls.PRIVATE;
    private long partSize = 16 * MIB;
    private long multipartThreshold = 32 * MIB;
    private int parallelism = 4;
    private Duration connectTimeout = Duration.ofSeconds(5);
    private Duration socketTimeout = Duration.ofSeconds(30);
    private int maxAttempts = 3;
    private Optional<Executor> executor = Optional.empty();
    private boolean sendChecksums = true;
    private int listPageSize = 1000;
    private int deleteBatch = 1000;
    private Optional<Boolean> chunkedEncoding = Optional.empty();
    private boolean overlapUploads = false;
    private Consumer<String> notices = line -> {};

    private Builder() {}

    /**
     * Everything {@link S3Settings} holds.
     *
     * @param s bucket, folder, region, ACL, endpoint and credentials, as parsed from the
     *     environment
     * @return this builder
     */
    public Builder settings(S3Settings s) {
      checkNotNull(s, "settings");
      bucket(s.bucket()).folder(s.folder()).region(s.region()).acl(s.acl());
      endpoint = s.endpoint();
      dualstack = s.dualstack();
      fips = s.fips();
      accessKeyId = s.accessKeyId();
      secretAccessKey = s.secretAccessKey();
      chunkedEncoding = s.chunkedEncoding();
      overlapUploads = s.overlapUploads();
      return this;
    }

    /**
     * The bucket (required).
     *
     * @param bucket an S3 bucket name (3 to 63 lower-case letters, digits, {@code .} and {@code -})
     * @return this builder
     */
    public Builder bucket(String bucket) {
      checkNotNull(bucket, "bucket");
      S3Settings.checkBucketName(bucket, "bucket");
      this.bucket = bucket;
      return this;
    }

    /**
     * The folder keys live under, e.g. {@code halcyon/linux}; empty for the bucket root.
     *
     * @param folder a {@code /}-separated key prefix; leading and trailing slashes are dropped
     * @return this builder
     */
    public Builder folder(String folder) {
      checkNotNull(folder, "folder");
      this.folder = S3Location.normalizeFolder(folder, "");
      return this;
    }

    /**
     * The bucket's region, e.g. {@code eu-central-1} (default us-east-1).
     *
     * @param region an AWS region id, not blank
     * @return this builder
     */
    public Builder region(String region) {
      checkNotNull(region, "region");
      checkArgument(!region.isBlank(), "region must not be blank");
      this.region = Optional.of(region);
      return this;
    }

    /**
     * The URL of an S3-compatible service, reached with path-style requests.
     *
     * @param endpoint an {@code http} or {@code https} URL, e.g. {@code http://localhost:9000}
     * @return this builder
     */
    public Builder endpoint(URI endpoint) {
      checkNotNull(endpoint, "endpoint");
      S3Endpoints.Target t = S3Endpoints.parse(endpoint.toString(), "endpoint");
      this.endpoint = t.custom();
      t.region().ifPresent(r -> this.region = this.region.or(() -> Optional.of(r)));
      this.dualstack = t.dualstack();
      this.fips = t.fips();
      return this;
    }

    /**
     * Static credentials; without them the default AWS chain is used.
     *
     * @param accessKeyId the access key id, not blank
     * @param secretAccessKey the secret key, not blank; never printed by {@code toString()}
     * @return this builder
     */
    public Builder credentials(String accessKeyId, String secretAccessKey) {
      checkNotNull(accessKeyId, "accessKeyId");
      checkNotNull(secretAccessKey, "secretAccessKey");
      checkArgument(
          !accessKeyId.isBlank() && !secretAccessKey.isBlank(), "credentials must not be blank");
      this.accessKeyId = Optional.of(accessKeyId);
      this.secretAccessKey = Optional.of(secretAccessKey);
      return this;
    }

    /**
     * The canned ACL of every upload: {@code private} (default), {@code public-read}, {@code
     * public-read-write}, {@code authenticated-read}, {@code aws-exec-read}, {@code
     * bucket-owner-read} or {@code bucket-owner-full-control}.
     *
     * @param acl one of the names above, in any case
     * @return this builder
     * @throws IllegalArgumentException listing the allowed names for any other value
     */
    public Builder acl(String acl) {
      S3Acls.parse(acl);
      this.acl = acl.trim().toLowerCase(Locale.ROOT);
      return this;
    }

    /**
     * Size of upload parts and download ranges (default 16 MiB, at least 5 MiB).
     *
     * @param bytes from 5 MiB to 512 MiB; each transfer in flight holds one part in memory
     * @return this builder
     */
    public Builder partSize(long bytes) {
      checkArgument(
          bytes >= 5 * MIB, "partSize must be at least 5 MiB (the S3 minimum), got %s", bytes);
      checkArgument(
          bytes <= 512 * MIB,
          "partSize must be at most 512 MiB (it is held in memory), got %s",
          bytes);
      this.partSize = bytes;
      return this;
    }

    /**
     * Files larger than this upload in parts (default 32 MiB).
     *
     * @param bytes zero or positive; 0 uploads every file in parts
     * @return this builder
     */
    public Builder multipartThreshold(long bytes) {
      checkArgument(bytes >= 0, "multipartThreshold must be >= 0, got %s", bytes);
      this.multipartThreshold = bytes;
      return this;
    }

    /**
     * Parts and ranges transferred at once per upload or download (default 4).
     *
     * @param parallelism from 1 to 64
     * @return this builder
     */
    public Builder parallelism(int parallelism) {
      checkArgument(
          parallelism >= 1 && parallelism <= 64,
          "parallelism must be 1 to 64, got %s",
          parallelism);
      this.parallelism = parallelism;
      return this;
    }

    /**
     * How long to wait for a connection (default 5 s): a dead endpoint fails in seconds.
     *
     * @param timeout positive
     * @return this builder
     */
    public Builder connectTimeout(Duration timeout) {
      checkArgument(!timeout.isNegative() && !timeout.isZero(), "connectTimeout must be positive");
      this.connectTimeout = timeout;
      return this;
    }

    /**
     * How long a read may wait for data (default 30 s).
     *
     * @param timeout positive
     * @return this builder
     */
    public Builder socketTimeout(Duration timeout) {
      checkArgument(!timeout.isNegative() && !timeout.isZero(), "socketTimeout must be positive");
      this.socketTimeout = timeout;
      return this;
    }

    /**
     * Attempts per request, with the SDK's standard retry strategy: exponential backoff with
     * jitter, throttling (503 SlowDown, 429) and 5xx retried (default 3).
     *
     * @param attempts from 1 to 20; 1 turns retries off
     * @return this builder
     */
    public Builder maxAttempts(int attempts) {
      checkArgument(
          attempts >= 1 && attempts <= 20, "maxAttempts must be 1 to 20, got %s", attempts);
      this.maxAttempts = attempts;
      return this;
    }

    /**
     * Runs part transfers; the store then owns no threads and does not shut it down.
     *
     * @param executor runs the transfers of parts and ranges; the caller shuts it down after
     *     closing the store
     * @return this builder
     */
    public Builder executor(Executor executor) {
      this.executor = Optional.of(checkNotNull(executor, "executor"));
      return this;
    }

    /**
     * Whether single-request uploads send the SHA-256 as the S3 checksum ({@code
     * x-amz-checksum-sha256}), so the service itself refuses bytes that do not match (default on;
     * AWS, S3Mock and S3Proxy check it). Turn it off for a service that rejects the header.
     *
     * @param send false for a service that rejects the checksum header
     * @return this builder
     */
    public Builder sendChecksums(boolean send) {
      this.sendChecksums = send;
      return this;
    }

    /**
     * Forces the SDK's {@code aws-chunked} upload framing on or off. By default it is off for an
     * endpoint over plain HTTP (where the SDK would frame every upload, and some services store the
     * framing inside the object; without it the whole payload is signed, so SigV4 still covers the
     * bytes) and left to the SDK elsewhere (over HTTPS it sends plain bodies).
     *
     * @param on true to always use {@code aws-chunked} framing, false to never use it
     * @return this builder
     */
    public Builder chunkedEncoding(boolean on) {
      this.chunkedEncoding = Optional.of(on);
      return this;
    }

    /**
     * Whether the engine sends an archive's parts while it is still written ({@link
     * #overlapsWrites}; default off). On, it gains the shorter of the archiving and the upload but
     * pays a server-side copy of the whole archive (UploadPartCopy) and the upload's CPU beside the
     * archiving: measured on 2 cores against a local S3Proxy, unlimited and limited to 80 and 20
     * MB/s, it was as slow or slower than uploading the finished file (BENCHMARKS.md). {@link
     * #putWhileWriting} itself works either way.
     *
     * @param on true to overlap uploads with the archiving
     * @return this builder
     */
    public Builder overlapUploads(boolean on) {
      this.overlapUploads = on;
      return this;
    }

    /**
     * Receives one line each time the store falls back because the service lacks a feature
     * (conditional writes, DeleteObjects, ListObjectsV2, checksum headers); each fallback is
     * reported once per store. Called on the writing thread; must not block. Default: ignored.
     *
     * @param sink gets one line per fallback
     * @return this builder
     */
    public Builder notices(Consumer<String> sink) {
      this.notices = checkNotNull(sink, "sink");
      return this;
    }

    /** Keys per ListObjectsV2 page (S3's maximum and default is 1,000); for tests. */
    Builder listPageSize(int keys) {
      checkArgument(keys >= 1 && keys <= 1000, "listPageSize must be 1 to 1000, got %s", keys);
      this.listPageSize = keys;
      return this;
    }

    /** Keys per DeleteObjects request (S3's maximum is 1,000); for tests. */
    Builder deleteBatchSize(int keys) {
      checkArgument(keys >= 1 && keys <= 1000, "deleteBatchSize must be 1 to 1000, got %s", keys);
      this.deleteBatch = keys;
      return this;
    }

    /**
     * The store; it owns an S3 client (and a thread pool unless an executor was given).
     *
     * @return the store; close it to release its client and threads
     */
    public S3LayerStore build() {
      checkState(bucket != null, "bucket is not set");
      if (endpoint.isEmpty()) {
        // An AWS region must exist in the SDK's partitions (us-east-1, cn-north-1, …).
        region.ifPresent(
            r ->
                checkArgument(
                    S3Endpoints.REGION_NAME.matcher(r).matches(),
                    "'%s' is not an AWS region name (e.g. us-east-1, eu-central-1)",
                    r));
      }
      return new S3LayerStore(this);
    }

    @Override
    public String toString() {
      return "S3LayerStore.Builder[s3://"
          + bucket
          + (folder.isEmpty() ? "" : "/" + folder)
          + region.map(r -> ", region=" + r).orElse("")
          + endpoint.map(e -> ", endpoint=" + e).orElse("")
          + accessKeyId.map(id -> ", access key id " + id + " (secret hidden)").orElse("")
          + "]";
    }
  }
}
