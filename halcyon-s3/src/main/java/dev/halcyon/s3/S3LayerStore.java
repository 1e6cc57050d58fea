package dev.halcyon.s3;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import com.google.common.util.concurrent.Striped;
import dev.halcyon.layer.Digest;
import dev.halcyon.store.CorruptObjectException;
import dev.halcyon.store.LayerStore;
import dev.halcyon.store.ObjectInfo;
import dev.halcyon.store.PutMode;
import dev.halcyon.store.PutResult;
import dev.halcyon.store.StoreAccessException;
import dev.halcyon.store.StoreException;
import dev.halcyon.store.StoredObject;
import dev.halcyon.store.VerifyingInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Lock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.LegacyMd5Plugin;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.DeleteObjectsResponse;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.NoSuchUploadException;
import software.amazon.awssdk.services.s3.model.ObjectCannedACL;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Error;
import software.amazon.awssdk.services.s3.model.S3Object;

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
 *       that answers 501 to it is detected once and then guarded by a HEAD before the write only,
 *       which leaves a small race window between two machines. Within one store, IF_ABSENT writers
 *       of the same key take turns, since some servers (S3Mock 5.2) check the condition and write
 *       in two steps.
 *   <li>A download whose body ends before its Content-Length or breaks off (a reset, a timeout)
 *       fails with {@link dev.halcyon.store.TransientStoreException} naming the key and endpoint; a
 *       later range of a large object is first asked for again. Only a complete body that differs
 *       from the recorded digest is {@link CorruptObjectException}.
 *   <li>{@link #abortIncompleteUploads} finds multipart uploads left by killed writers
 *       (ListMultipartUploads) and aborts them.
 *   <li>{@link #list} returns no digests: S3 listings do not carry user metadata.
 * </ul>
 *
 * <p>Thread-safe. Owns its S3 client and, unless an {@link Executor} was given, a thread pool of
 * {@code parallelism} daemon threads; {@link #close()} releases both. Streams returned by {@link
 * #get} are the caller's to close. {@link #toString()} and messages never show the secret.
 */
public final class S3LayerStore implements LayerStore {
  /** User metadata key of the SHA-256 (hex), sent as {@code x-amz-meta-halcyon-sha256}. */
  static final String DIGEST_METADATA = "halcyon-sha256";

  private static final long MIB = 1024 * 1024;
  private static final int MAX_PARTS = 10_000;
  private static final String CONTENT_TYPE = "application/octet-stream";
  private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+)");

  private final S3Client s3;
  private final String bucket;
  private final String folderPrefix;
  private final String location;
  private final String summary;
  private final Optional<ObjectCannedACL> acl;
  private final long partSize;
  private final long multipartThreshold;
  private final int parallelism;
  private final Executor executor;
  private final Optional<ExecutorService> ownedExecutor;
  private final S3Errors errors;
  private final boolean sendChecksums;
  private final int listPageSize;
  private final int deleteBatch;
  private volatile boolean conditionalWrites = true;
  // Some servers (S3Mock) check If-None-Match and write in two steps; within one process we make
  // IF_ABSENT writers of one key take turns so at most one of them writes.
  private final Striped<Lock> ifAbsentLocks = Striped.lock(64);

  private S3LayerStore(Builder b) {
    this.bucket = b.bucket;
    this.folderPrefix = b.folder.isEmpty() ? "" : b.folder + "/";
    this.location = "s3://" + b.bucket + (b.folder.isEmpty() ? "" : "/" + b.folder);
    this.acl = S3Acls.parse(b.acl);
    this.partSize = b.partSize;
    this.multipartThreshold = b.multipartThreshold;
    this.parallelism = b.parallelism;
    this.sendChecksums = b.sendChecksums;
    this.listPageSize = b.listPageSize;
    this.deleteBatch = b.deleteBatch;
    String region = b.region.orElse(S3Endpoints.US_EAST_1);

    AwsCredentialsProvider credentials =
        b.accessKeyId.isPresent()
            ? StaticCredentialsProvider.create(
                AwsBasicCredentials.create(b.accessKeyId.get(), b.secretAccessKey.get()))
            : DefaultCredentialsProvider.builder().build();
    S3ClientBuilder client =
        S3Client.builder()
            .httpClientBuilder(
                UrlConnectionHttpClient.builder()
                    .connectionTimeout(b.connectTimeout)
                    .socketTimeout(b.socketTimeout))
            .region(Region.of(region))
            .credentialsProvider(credentials)
            // We verify SHA-256 end to end; the SDK's default CRC32 on every request would hash
            // every byte a second time.
            .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
            .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
            .overrideConfiguration(
                o ->
                    o.retryStrategy(
                        AwsRetryStrategy.standardRetryStrategy().toBuilder()
                            .maxAttempts(b.maxAttempts)
                            .build()));
    if (b.endpoint.isPresent()) {
      // S3-compatible servers want path-style requests and, for DeleteObjects, Content-MD5.
      client
          .endpointOverride(b.endpoint.get())
          .forcePathStyle(true)
          .addPlugin(LegacyMd5Plugin.create());
    } else {
      client.dualstackEnabled(b.dualstack).fipsEnabled(b.fips);
    }
    this.s3 = client.build();

    String endpointText =
        b.endpoint
            .map(URI::toString)
            .orElse(
                "AWS S3 in "
                    + region
                    + (b.dualstack ? " (dual-stack)" : "")
                    + (b.fips ? " (FIPS)" : ""));
    String credentialText =
        b.accessKeyId.map(id -> "access key id " + id).orElse("default AWS credential chain");
    this.summary =
        "S3LayerStore["
            + location
            + ", "
            + endpointText
            + ", "
            + credentialText
            + " (secret hidden), acl="
            + b.acl
            + "]";
    Optional<String> keyId = b.accessKeyId;
    this.errors =
        new S3Errors(
            bucket,
            location,
            region,
            endpointText,
            () ->
                keyId
                    .map(id -> "access key id " + id)
                    .orElseGet(() -> describeDefaultCredentials(credentials)),
            b.secretAccessKey,
            b.maxAttempts);

    if (b.executor.isPresent()) {
      this.executor = b.executor.get();
      this.ownedExecutor = Optional.empty();
    } else {
      ExecutorService pool = Executors.newFixedThreadPool(parallelism, daemonThreads());
      this.executor = pool;
      this.ownedExecutor = Optional.of(pool);
    }
  }

  /** A builder with the defaults: region us-east-1, ACL private, 16 MiB parts, 4 in parallel. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * A store configured from environment variables (see {@link S3Settings}).
   *
   * @throws IllegalArgumentException naming the variable if one is missing or malformed
   */
  public static S3LayerStore fromEnvironment(Map<String, String> env) {
    return builder().settings(S3Settings.fromEnvironment(env)).build();
  }

  @Override
  public Optional<ObjectInfo> head(String key) throws IOException {
    String k = objectKey(key);
    try {
      HeadObjectResponse r = s3.headObject(b -> b.bucket(bucket).key(k));
      return Optional.of(
          new ObjectInfo(key, r.contentLength(), digestOf(r.metadata()), r.lastModified()));
    } catch (NoSuchKeyException e) {
      return Optional.empty();
    } catch (AwsServiceException e) {
      if (e.statusCode() == 404) {
        return Optional.empty();
      }
      throw errors.translate(e, S3Errors.Operation.HEAD, key);
    } catch (SdkException e) {
      throw errors.translate(e, S3Errors.Operation.HEAD, key);
    }
  }

  /** A 404 that is about the bucket, not the key: a configuration error, never "absent". */
  private static boolean isNoSuchBucket(AwsServiceException e) {
    return e.awsErrorDetails() != null && "NoSuchBucket".equals(e.awsErrorDetails().errorCode());
  }

  @Override
  public Optional<StoredObject> get(String key) throws IOException {
    String k = objectKey(key);
    long range = rangeSize();
    ResponseInputStream<GetObjectResponse> first;
    try {
      first = s3.getObject(b -> b.bucket(bucket).key(k).range("bytes=0-" + (range - 1)));
    } catch (NoSuchKeyException e) {
      return Optional.empty();
    } catch (AwsServiceException e) {
      if (e.statusCode() == 404 && !isNoSuchBucket(e)) {
        return Optional.empty();
      }
      if (e.statusCode() != 416) {
        throw errors.translate(e, S3Errors.Operation.GET, key);
      }
      // An empty object has no byte 0: read it whole.
      try {
        first = s3.getObject(b -> b.bucket(bucket).key(k));
      } catch (NoSuchKeyException e2) {
        return Optional.empty();
      } catch (SdkException e2) {
        throw errors.translate(e2, S3Errors.Operation.GET, key);
      }
    } catch (SdkException e) {
      throw errors.translate(e, S3Errors.Operation.GET, key);
    }

    GetObjectResponse r = first.response();
    long total = totalLength(r);
    ObjectInfo info = new ObjectInfo(key, total, digestOf(r.metadata()), r.lastModified());
    long received = r.contentLength() == null ? total : r.contentLength();
    // A body cut short or broken off is a transient failure of this read, never "corrupt".
    InputStream bytes = new ResponseBodyInputStream(first, key, 0, received, total, errors);
    if (total > received) {
      GetObjectRequest later =
          GetObjectRequest.builder().bucket(bucket).key(k).ifMatch(r.eTag()).build();
      bytes =
          new RangedInputStream(
              s3, executor, later, key, errors, bytes, total, received, readWindow(received));
    }
    return Optional.of(
        new StoredObject(
            info, new VerifyingInputStream(bytes, location + "/" + key, total, info.digest())));
  }

  /**
   * Bytes per ranged GET: the part size, or on a small heap a sixteenth of the heap (whole MiB, at
   * least 1 MiB), so that the ranges held in memory ({@link #readWindow}) fit a quarter of it. With
   * {@code -Xmx64m} and 16 MiB ranges even one range ahead (two 16 MiB arrays in a 64 MB heap)
   * sometimes failed with an OutOfMemoryError; 3 MiB ranges, three ahead, take 12 MiB.
   */
  private long rangeSize() {
    long sixteenth = Runtime.getRuntime().maxMemory() / 16 / MIB * MIB;
    return Math.max(MIB, Math.min(partSize, sixteenth));
  }

  /**
   * Ranges buffered ahead while reading: up to {@code parallelism}, but their buffers (window plus
   * the one being read, {@code range} bytes each) stay within a quarter of the heap, so a small
   * heap such as {@code -Xmx64m} restores any size of archive.
   */
  private int readWindow(long range) {
    long fits = Runtime.getRuntime().maxMemory() / 4 / range - 1;
    return (int) Math.max(1, Math.min(parallelism, fits));
  }

  @Override
  public PutResult put(String key, Path source, Digest digest, PutMode mode) throws IOException {
    checkNotNull(source, "source");
    checkNotNull(digest, "digest");
    checkNotNull(mode, "mode");
    String k = objectKey(key);
    if (mode != PutMode.IF_ABSENT) {
      return putFile(key, k, source, digest, mode);
    }
    Lock lock = ifAbsentLocks.get(k);
    lock.lock();
    try {
      return putFile(key, k, source, digest, mode);
    } finally {
      lock.unlock();
    }
  }

  private PutResult putFile(String key, String k, Path source, Digest digest, PutMode mode)
      throws IOException {
    long size = Files.size(source);
    Optional<PutResult> skip = existing(key, size, digest, mode);
    if (skip.isPresent()) {
      return skip.get();
    }
    if (size > multipartThreshold) {
      return new MultipartUpload(key, k, source, size, digest, mode).run();
    }
    // Hashing a small file before sending it costs one read from the page cache, and means a
    // wrong digest never reaches the service: S3Proxy's filesystem store keeps a visible
    // temporary object for every upload aborted mid-body.
    Digest actual = sha256Of(source);
    if (!actual.equals(digest)) {
      throw new CorruptObjectException(
          source
              + " does not match the digest given for "
              + location
              + "/"
              + key
              + ": expected "
              + digest
              + ", got "
              + actual
              + "; nothing was stored");
    }
    FileStreams streams = new FileStreams(source, size, digest, location + "/" + key);
    try {
      return putSingle(
          key, k, RequestBody.fromContentProvider(streams, size, CONTENT_TYPE), size, digest, mode);
    } finally {
      streams.closeLast();
    }
  }

  @Override
  public PutResult put(String key, byte[] bytes, PutMode mode) throws IOException {
    checkNotNull(bytes, "bytes");
    checkNotNull(mode, "mode");
    String k = objectKey(key);
    if (mode != PutMode.IF_ABSENT) {
      return putBytes(key, k, bytes, mode);
    }
    Lock lock = ifAbsentLocks.get(k);
    lock.lock();
    try {
      return putBytes(key, k, bytes, mode);
    } finally {
      lock.unlock();
    }
  }

  private PutResult putBytes(String key, String k, byte[] bytes, PutMode mode) throws IOException {
    Digest digest = Digest.sha256(bytes);
    Optional<PutResult> skip = existing(key, bytes.length, digest, mode);
    if (skip.isPresent()) {
      return skip.get();
    }
    RequestBody body =
        RequestBody.fromContentProvider(
            ContentStreamProvider.fromByteArrayUnsafe(bytes), bytes.length, CONTENT_TYPE);
    return putSingle(key, k, body, bytes.length, digest, mode);
  }

  @Override
  public List<ObjectInfo> list(String prefix) throws IOException {
    checkNotNull(prefix, "prefix");
    List<ObjectInfo> result = new ArrayList<>();
    try {
      for (S3Object o :
          s3.listObjectsV2Paginator(
                  b -> b.bucket(bucket).prefix(folderPrefix + prefix).maxKeys(listPageSize))
              .contents()) {
        result.add(
            new ObjectInfo(
                o.key().substring(folderPrefix.length()),
                o.size(),
                Optional.empty(),
                o.lastModified()));
      }
    } catch (SdkException e) {
      throw errors.translate(e, S3Errors.Operation.LIST, prefix);
    }
    // S3 sorts by UTF-8 bytes; callers expect String order (they differ above U+FFFF).
    result.sort(Comparator.comparing(ObjectInfo::key));
    return result;
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
    int count = 0;
    Iterable<software.amazon.awssdk.services.s3.model.MultipartUpload> uploads =
        s3.listMultipartUploadsPaginator(b -> b.bucket(bucket).prefix(folderPrefix + prefix))
            .uploads();
    try {
      for (software.amazon.awssdk.services.s3.model.MultipartUpload u : uploads) {
        if (u.initiated() == null
            || !u.initiated().isBefore(startedBefore)
            || !u.key().startsWith(folderPrefix)) {
          continue;
        }
        if (!dryRun && !abortUpload(u.key(), u.uploadId())) {
          continue;
        }
        count++;
      }
    } catch (SdkException e) {
      throw errors.translate(e, S3Errors.Operation.LIST_UPLOADS, prefix);
    }
    return count;
  }

  /** False if the upload was no longer there (completed or aborted meanwhile). */
  private boolean abortUpload(String objectKey, String uploadId) throws IOException {
    try {
      s3.abortMultipartUpload(b -> b.bucket(bucket).key(objectKey).uploadId(uploadId));
      return true;
    } catch (NoSuchUploadException e) {
      return false;
    } catch (AwsServiceException e) {
      if (e.statusCode() == 404) {
        return false;
      }
      throw errors.translate(
          e, S3Errors.Operation.ABORT_UPLOAD, objectKey.substring(folderPrefix.length()));
    }
  }

  @Override
  public boolean delete(String key) throws IOException {
    String k = objectKey(key);
    // DELETE answers 204 whether or not the key existed.
    if (head(key).isEmpty()) {
      return false;
    }
    try {
      s3.deleteObject(b -> b.bucket(bucket).key(k));
      return true;
    } catch (SdkException e) {
      throw errors.translate(e, S3Errors.Operation.DELETE, key);
    }
  }

  @Override
  public int deleteAll(Collection<String> keys) throws IOException {
    checkNotNull(keys, "keys");
    List<String> unique = new ArrayList<>(new LinkedHashSet<>(keys));
    unique.forEach(this::objectKey);
    int requests = 0;
    List<S3Error> failures = new ArrayList<>();
    for (int from = 0; from < unique.size(); from += deleteBatch) {
      List<ObjectIdentifier> batch =
          unique.subList(from, Math.min(from + deleteBatch, unique.size())).stream()
              .map(key -> ObjectIdentifier.builder().key(objectKey(key)).build())
              .toList();
      try {
        DeleteObjectsResponse r =
            s3.deleteObjects(b -> b.bucket(bucket).delete(d -> d.objects(batch).quiet(true)));
        failures.addAll(r.errors());
      } catch (SdkException e) {
        throw errors.translate(
            e, S3Errors.Operation.DELETE, batch.get(0).key().substring(folderPrefix.length()));
      }
      requests++;
    }
    if (!failures.isEmpty()) {
      String sample =
          failures.stream()
              .limit(5)
              .map(
                  f ->
                      f.key().substring(Math.min(folderPrefix.length(), f.key().length()))
                          + " ("
                          + f.code()
                          + ")")
              .reduce((a, c) -> a + ", " + c)
              .orElse("");
      String message =
          "could not delete "
              + failures.size()
              + " of "
              + unique.size()
              + " keys in "
              + location
              + ": "
              + sample
              + (failures.size() > 5 ? ", …" : "");
      boolean denied = failures.stream().anyMatch(f -> "AccessDenied".equals(f.code()));
      throw denied
          ? new StoreAccessException(
              errors.scrub(message + "; the credentials need s3:DeleteObject"))
          : new StoreException(errors.scrub(message));
    }
    return requests;
  }

  @Override
  public String describe() {
    return location;
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

  // ---- writes

  /**
   * A result that makes the write unnecessary: the key is taken (IF_ABSENT) or holds these bytes.
   */
  private Optional<PutResult> existing(String key, long size, Digest digest, PutMode mode)
      throws IOException {
    Optional<ObjectInfo> present = head(key);
    if (present.isEmpty()) {
      return Optional.empty();
    }
    ObjectInfo info = present.get();
    boolean same = info.size() == size && info.digest().equals(Optional.of(digest));
    return mode == PutMode.IF_ABSENT || same
        ? Optional.of(new PutResult(info, false))
        : Optional.empty();
  }

  private PutResult putSingle(
      String key, String k, RequestBody body, long size, Digest digest, PutMode mode)
      throws IOException {
    boolean conditional = mode == PutMode.IF_ABSENT && conditionalWrites;
    try {
      s3.putObject(putRequest(k, digest, conditional), body);
    } catch (AwsServiceException e) {
      if (conditional && isPreconditionFailed(e)) {
        return alreadyThere(key, digest);
      }
      if (conditional && isNotImplemented(e)) {
        conditionalWrites = false;
        return putSingle(key, k, body, size, digest, mode);
      }
      throw failedWrite(e, key);
    } catch (SdkException e) {
      throw failedWrite(e, key);
    }
    return written(key, size, digest);
  }

  private PutObjectRequest putRequest(String k, Digest digest, boolean conditional) {
    PutObjectRequest.Builder b =
        PutObjectRequest.builder()
            .bucket(bucket)
            .key(k)
            .contentType(CONTENT_TYPE)
            .metadata(Map.of(DIGEST_METADATA, digest.hex()));
    acl.ifPresent(b::acl);
    if (sendChecksums) {
      b.checksumSHA256(Base64.getEncoder().encodeToString(HexFormat.of().parseHex(digest.hex())));
    }
    if (conditional) {
      b.ifNoneMatch("*");
    }
    return b.build();
  }

  private StoreException failedWrite(SdkException e, String key) {
    // A digest mismatch found by our own stream reaches us wrapped by the SDK.
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof CorruptObjectException c) {
        return c;
      }
    }
    return errors.translate(e, S3Errors.Operation.PUT, key);
  }

  private PutResult alreadyThere(String key, Digest ours) throws IOException {
    Optional<ObjectInfo> info = head(key);
    if (info.isEmpty()) {
      throw new StoreException(
          location + "/" + key + " was reported present but has since been deleted; try again");
    }
    // The SDK retries a PUT whose answer was lost; the retry then meets our own object. Both
    // "written" and "already there" are true of identical bytes; say written, as the caller's
    // bytes are what is stored.
    return new PutResult(info.get(), info.get().digest().equals(Optional.of(ours)));
  }

  private PutResult written(String key, long size, Digest digest) throws IOException {
    // PUT answers carry no Last-Modified; ask, so the info matches what head() and list() say.
    ObjectInfo info =
        head(key).orElse(new ObjectInfo(key, size, Optional.of(digest), Instant.now()));
    return new PutResult(info, true);
  }

  private static boolean isPreconditionFailed(AwsServiceException e) {
    return e.statusCode() == 412
        || (e.awsErrorDetails() != null
            && "PreconditionFailed".equals(e.awsErrorDetails().errorCode()));
  }

  private static boolean isNotImplemented(AwsServiceException e) {
    return e.statusCode() == 501
        || (e.awsErrorDetails() != null
            && "NotImplemented".equals(e.awsErrorDetails().errorCode()));
  }

  /**
   * A large file sent as parts in parallel, read once in order so its digest is computed on the
   * way.
   */
  private final class MultipartUpload {
    private final String key;
    private final String objectKey;
    private final Path source;
    private final long size;
    private final Digest digest;
    private final PutMode mode;
    private final long chunk;

    MultipartUpload(
        String key, String objectKey, Path source, long size, Digest digest, PutMode mode) {
      this.key = key;
      this.objectKey = objectKey;
      this.source = source;
      this.size = size;
      this.digest = digest;
      this.mode = mode;
      // S3 allows 10,000 parts: grow the parts of very large files, in whole MiB.
      long minimum = (size + MAX_PARTS - 1) / MAX_PARTS;
      this.chunk = Math.max(partSize, (minimum + MIB - 1) / MIB * MIB);
    }

    PutResult run() throws IOException {
      CreateMultipartUploadRequest.Builder create =
          CreateMultipartUploadRequest.builder()
              .bucket(bucket)
              .key(objectKey)
              .contentType(CONTENT_TYPE)
              .metadata(Map.of(DIGEST_METADATA, digest.hex()));
      acl.ifPresent(create::acl);
      String uploadId;
      try {
        uploadId = s3.createMultipartUpload(create.build()).uploadId();
      } catch (SdkException e) {
        throw errors.translate(e, S3Errors.Operation.PUT, key);
      }
      boolean completed = false;
      try {
        List<CompletedPart> parts = uploadParts(uploadId);
        boolean conditional = mode == PutMode.IF_ABSENT && conditionalWrites;
        try {
          s3.completeMultipartUpload(
              b -> {
                b.bucket(bucket)
                    .key(objectKey)
                    .uploadId(uploadId)
                    .multipartUpload(m -> m.parts(parts));
                if (conditional) {
                  b.ifNoneMatch("*");
                }
              });
          completed = true;
        } catch (AwsServiceException e) {
          if (conditional && isPreconditionFailed(e)) {
            return alreadyThere(key, digest);
          }
          if (conditional && isNotImplemented(e)) {
            conditionalWrites = false;
            s3.completeMultipartUpload(
                b ->
                    b.bucket(bucket)
                        .key(objectKey)
                        .uploadId(uploadId)
                        .multipartUpload(m -> m.parts(parts)));
            completed = true;
          } else {
            throw e;
          }
        }
      } catch (SdkException e) {
        throw errors.translate(e, S3Errors.Operation.PUT, key);
      } finally {
        if (!completed) {
          abort(uploadId);
        }
      }
      return written(key, size, digest);
    }

    private List<CompletedPart> uploadParts(String uploadId) throws IOException {
      int count = Math.toIntExact((size + chunk - 1) / chunk);
      List<CompletableFuture<CompletedPart>> futures = new ArrayList<>(count);
      // Bounds memory to `parallelism` parts in flight plus the one being read.
      Semaphore slots = new Semaphore(parallelism);
      MessageDigest sha256 = Digest.newSha256();
      try (InputStream in = Files.newInputStream(source)) {
        for (int i = 0; i < count; i++) {
          int length = Math.toIntExact(Math.min(chunk, size - i * chunk));
          slots.acquire();
          failFast(futures);
          byte[] data = new byte[length];
          if (in.readNBytes(data, 0, length) != length) {
            slots.release();
            throw new CorruptObjectException(
                source + " shrank while it was uploaded to " + location + "/" + key);
          }
          sha256.update(data);
          int partNumber = i + 1;
          CompletableFuture<CompletedPart> f = new CompletableFuture<>();
          futures.add(f);
          executor.execute(
              () -> {
                try {
                  String etag =
                      s3.uploadPart(
                              b ->
                                  b.bucket(bucket)
                                      .key(objectKey)
                                      .uploadId(uploadId)
                                      .partNumber(partNumber)
                                      .contentLength((long) length),
                              RequestBody.fromContentProvider(
                                  ContentStreamProvider.fromByteArrayUnsafe(data),
                                  length,
                                  CONTENT_TYPE))
                          .eTag();
                  f.complete(CompletedPart.builder().partNumber(partNumber).eTag(etag).build());
                } catch (Throwable t) {
                  f.completeExceptionally(t);
                } finally {
                  slots.release();
                }
              });
        }
        if (in.read() >= 0) {
          throw new CorruptObjectException(
              source + " grew while it was uploaded to " + location + "/" + key);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while uploading " + location + "/" + key);
      } finally {
        // Never leave a part running after we give up: the abort must come after the last part.
        for (CompletableFuture<CompletedPart> f : futures) {
          try {
            f.join();
          } catch (RuntimeException ignored) {
            // reported below, or by failFast
          }
        }
      }
      Digest actual = Digest.of(sha256.digest());
      if (!actual.equals(digest)) {
        throw new CorruptObjectException(
            source
                + " does not match the digest given for "
                + location
                + "/"
                + key
                + ": expected "
                + digest
                + ", got "
                + actual);
      }
      List<CompletedPart> parts = new ArrayList<>(count);
      for (CompletableFuture<CompletedPart> f : futures) {
        parts.add(result(f));
      }
      return parts;
    }

    private void failFast(List<CompletableFuture<CompletedPart>> futures) throws IOException {
      for (CompletableFuture<CompletedPart> f : futures) {
        if (f.isCompletedExceptionally()) {
          result(f);
        }
      }
    }

    private CompletedPart result(CompletableFuture<CompletedPart> f) throws IOException {
      try {
        return f.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while uploading " + location + "/" + key);
      } catch (ExecutionException e) {
        if (e.getCause() instanceof SdkException s) {
          throw errors.translate(s, S3Errors.Operation.PUT, key);
        }
        if (e.getCause() instanceof IOException io) {
          throw errors.translate(io, S3Errors.Operation.PUT, key);
        }
        if (e.getCause() instanceof UncheckedIOException io) {
          throw errors.translate(io.getCause(), S3Errors.Operation.PUT, key);
        }
        throw new StoreException(
            "could not upload " + location + "/" + key + ": " + e.getCause(), e.getCause());
      }
    }

    private void abort(String uploadId) {
      try {
        s3.abortMultipartUpload(b -> b.bucket(bucket).key(objectKey).uploadId(uploadId));
      } catch (SdkException ignored) {
        // The original failure matters more; a lifecycle rule cleans up what remains.
      }
    }
  }

  /**
   * Streams of one file for single-request uploads, a fresh one per attempt. Each checks the digest
   * before handing out the last bytes, so a file that does not match is never sent whole and the
   * service stores nothing.
   */
  private static final class FileStreams implements ContentStreamProvider {
    private final Path source;
    private final long size;
    private final Digest digest;
    private final String what;
    private InputStream last;

    FileStreams(Path source, long size, Digest digest, String what) {
      this.source = source;
      this.size = size;
      this.digest = digest;
      this.what = what;
    }

    @Override
    public synchronized InputStream newStream() {
      closeLast();
      try {
        last =
            new DigestCheckingInputStream(Files.newInputStream(source), size, digest, what, source);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return last;
    }

    synchronized void closeLast() {
      if (last != null) {
        try {
          last.close();
        } catch (IOException ignored) {
          // A file we only read from.
        }
        last = null;
      }
    }
  }

  // ---- helpers

  private String objectKey(String key) {
    checkNotNull(key, "key");
    checkArgument(!key.isEmpty(), "key must not be empty");
    return folderPrefix + key;
  }

  private static Digest sha256Of(Path file) throws IOException {
    MessageDigest md = Digest.newSha256();
    byte[] buf = new byte[256 * 1024];
    try (InputStream in = Files.newInputStream(file)) {
      for (int n; (n = in.read(buf)) >= 0; ) {
        md.update(buf, 0, n);
      }
    }
    return Digest.of(md.digest());
  }

  private static Optional<Digest> digestOf(Map<String, String> metadata) {
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

  private static long totalLength(GetObjectResponse r) {
    if (r.contentRange() != null) {
      Matcher m = CONTENT_RANGE.matcher(r.contentRange());
      if (m.find()) {
        return Long.parseLong(m.group(3));
      }
    }
    return r.contentLength() == null ? -1 : r.contentLength();
  }

  private static String describeDefaultCredentials(AwsCredentialsProvider provider) {
    try {
      return "access key id "
          + provider.resolveCredentials().accessKeyId()
          + " (from the default AWS credential chain)";
    } catch (RuntimeException e) {
      return "the default AWS credential chain (which found no credentials)";
    }
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

    private Builder() {}

    /** Everything {@link S3Settings} holds. */
    public Builder settings(S3Settings s) {
      checkNotNull(s, "settings");
      bucket(s.bucket()).folder(s.folder()).region(s.region()).acl(s.acl());
      endpoint = s.endpoint();
      dualstack = s.dualstack();
      fips = s.fips();
      accessKeyId = s.accessKeyId();
      secretAccessKey = s.secretAccessKey();
      return this;
    }

    /** The bucket (required). */
    public Builder bucket(String bucket) {
      checkNotNull(bucket, "bucket");
      S3Settings.checkBucketName(bucket, "bucket");
      this.bucket = bucket;
      return this;
    }

    /** The folder keys live under, e.g. {@code halcyon/linux}; empty for the bucket root. */
    public Builder folder(String folder) {
      checkNotNull(folder, "folder");
      String f = folder.replaceAll("^/+|/+$", "");
      checkArgument(!f.contains("//"), "folder '%s' has an empty path segment", folder);
      this.folder = f;
      return this;
    }

    /** The bucket's region, e.g. {@code eu-central-1} (default us-east-1). */
    public Builder region(String region) {
      checkNotNull(region, "region");
      checkArgument(!region.isBlank(), "region must not be blank");
      this.region = Optional.of(region);
      return this;
    }

    /** The URL of an S3-compatible service, reached with path-style requests. */
    public Builder endpoint(URI endpoint) {
      checkNotNull(endpoint, "endpoint");
      S3Endpoints.Target t = S3Endpoints.parse(endpoint.toString(), "endpoint");
      this.endpoint = t.custom();
      t.region().ifPresent(r -> this.region = this.region.or(() -> Optional.of(r)));
      this.dualstack = t.dualstack();
      this.fips = t.fips();
      return this;
    }

    /** Static credentials; without them the default AWS chain is used. */
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
     * @throws IllegalArgumentException listing the allowed names for any other value
     */
    public Builder acl(String acl) {
      S3Acls.parse(acl);
      this.acl = acl.trim().toLowerCase(Locale.ROOT);
      return this;
    }

    /** Size of upload parts and download ranges (default 16 MiB, at least 5 MiB). */
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

    /** Files larger than this upload in parts (default 32 MiB). */
    public Builder multipartThreshold(long bytes) {
      checkArgument(bytes >= 0, "multipartThreshold must be >= 0, got %s", bytes);
      this.multipartThreshold = bytes;
      return this;
    }

    /** Parts and ranges transferred at once per upload or download (default 4). */
    public Builder parallelism(int parallelism) {
      checkArgument(
          parallelism >= 1 && parallelism <= 64,
          "parallelism must be 1 to 64, got %s",
          parallelism);
      this.parallelism = parallelism;
      return this;
    }

    /** How long to wait for a connection (default 5 s): a dead endpoint fails in seconds. */
    public Builder connectTimeout(Duration timeout) {
      checkArgument(!timeout.isNegative() && !timeout.isZero(), "connectTimeout must be positive");
      this.connectTimeout = timeout;
      return this;
    }

    /** How long a read may wait for data (default 30 s). */
    public Builder socketTimeout(Duration timeout) {
      checkArgument(!timeout.isNegative() && !timeout.isZero(), "socketTimeout must be positive");
      this.socketTimeout = timeout;
      return this;
    }

    /**
     * Attempts per request, with the SDK's standard retry strategy: exponential backoff with
     * jitter, throttling (503 SlowDown, 429) and 5xx retried (default 3).
     */
    public Builder maxAttempts(int attempts) {
      checkArgument(
          attempts >= 1 && attempts <= 20, "maxAttempts must be 1 to 20, got %s", attempts);
      this.maxAttempts = attempts;
      return this;
    }

    /** Runs part transfers; the store then owns no threads and does not shut it down. */
    public Builder executor(Executor executor) {
      this.executor = Optional.of(checkNotNull(executor, "executor"));
      return this;
    }

    /**
     * Whether single-request uploads send the SHA-256 as the S3 checksum ({@code
     * x-amz-checksum-sha256}), so the service itself refuses bytes that do not match (default on;
     * AWS, S3Mock and S3Proxy check it). Turn it off for a service that rejects the header.
     */
    public Builder sendChecksums(boolean send) {
      this.sendChecksums = send;
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

    /** The store; it owns an S3 client (and a thread pool unless an executor was given). */
    public S3LayerStore build() {
      checkState(bucket != null, "bucket is not set");
      if (endpoint.isEmpty()) {
        // An AWS region must exist in the SDK's partitions (us-east-1, cn-north-1, …).
        region.ifPresent(
            r ->
                checkArgument(
                    r.matches("[a-z]{2}(-[a-z]+)+-\\d+"),
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
