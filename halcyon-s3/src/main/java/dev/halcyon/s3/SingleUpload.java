package dev.halcyon.s3;

import dev.halcyon.hash.Digests;
import dev.halcyon.layer.Digest;
import dev.halcyon.store.CorruptObjectException;
import dev.halcyon.store.PutMode;
import dev.halcyon.store.PutResult;
import dev.halcyon.store.StoreException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ObjectCannedACL;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

/**
 * Objects written with one PutObject request, recording the digest and, if enabled, sending it as
 * the S3 checksum ({@code x-amz-checksum-sha256}). A service that refuses that header (400 or 501
 * naming it, as Cloudflare R2 and older Ceph RGW do) gets the write again without it, and no
 * checksum headers for the rest of the run; our own digest check still holds. Thread-safe.
 */
final class SingleUpload {
  private final S3Location location;
  private final S3Client s3;
  private final S3Errors errors;
  private final ObjectHeads heads;
  private final ConditionalWrites conditionalWrites;
  private final Optional<ObjectCannedACL> acl;
  private final S3Notices notices;
  private volatile boolean sendChecksums;

  SingleUpload(
      S3Location location,
      S3Client s3,
      S3Errors errors,
      ObjectHeads heads,
      ConditionalWrites conditionalWrites,
      Optional<ObjectCannedACL> acl,
      boolean sendChecksums,
      S3Notices notices) {
    this.notices = notices;
    this.location = location;
    this.s3 = s3;
    this.errors = errors;
    this.heads = heads;
    this.conditionalWrites = conditionalWrites;
    this.acl = acl;
    this.sendChecksums = sendChecksums;
  }

  /**
   * Uploads {@code source}, {@code size} bytes that must hash to {@code digest}, counting the bytes
   * the SDK reads into {@code progress}.
   */
  PutResult putFile(
      String key, Path source, long size, Digest digest, PutMode mode, SentBytes progress)
      throws IOException {
    // Hashing a small file before sending it costs one read from the page cache, and means a
    // wrong digest never reaches the service: S3Proxy's filesystem store keeps a visible
    // temporary object for every upload aborted mid-body.
    Digest actual = Digests.sha256(source);
    if (!actual.equals(digest)) {
      throw S3Errors.sourceMismatch(source, location.describe(key), digest, actual);
    }
    FileStreams streams = new FileStreams(source, size, digest, location.describe(key));
    try {
      return put(
          key,
          RequestBody.fromContentProvider(
              progress.counting(0, size, streams), size, S3ObjectMetadata.CONTENT_TYPE),
          size,
          digest,
          mode);
    } finally {
      streams.closeLast();
    }
  }

  /** Uploads {@code bytes}, whose digest is {@code digest}. */
  PutResult putBytes(String key, byte[] bytes, Digest digest, PutMode mode) throws IOException {
    RequestBody body =
        RequestBody.fromContentProvider(
            ContentStreamProvider.fromByteArrayUnsafe(bytes),
            bytes.length,
            S3ObjectMetadata.CONTENT_TYPE);
    return put(key, body, bytes.length, digest, mode);
  }

  private PutResult put(String key, RequestBody body, long size, Digest digest, PutMode mode)
      throws IOException {
    String objectKey = location.objectKey(key);
    try {
      Optional<PutResult> met =
          conditionalWrites.send(
              key, digest, mode, heads, conditional -> send(objectKey, body, digest, conditional));
      if (met.isPresent()) {
        return met.get();
      }
    } catch (SdkException e) {
      throw failedWrite(e, key);
    }
    return heads.written(key, size, digest);
  }

  private void send(String objectKey, RequestBody body, Digest digest, boolean conditional) {
    boolean checksum = sendChecksums;
    try {
      s3.putObject(request(objectKey, digest, conditional, checksum), body);
    } catch (AwsServiceException e) {
      if (!checksum || !S3Errors.isChecksumHeaderRefused(e, conditional)) {
        throw e;
      }
      sendChecksums = false;
      notices.once(
          S3Notices.Fallback.CHECKSUM_HEADERS,
          location.describe()
              + ": the service refused the x-amz-checksum-sha256 header ("
              + S3Errors.answer(e)
              + "), so uploads are sent without it; every object is still verified against its"
              + " recorded SHA-256 when read");
      s3.putObject(request(objectKey, digest, conditional, false), body);
    }
  }

  private PutObjectRequest request(
      String objectKey, Digest digest, boolean conditional, boolean checksum) {
    PutObjectRequest.Builder b =
        PutObjectRequest.builder()
            .bucket(location.bucket())
            .key(objectKey)
            .contentType(S3ObjectMetadata.CONTENT_TYPE)
            .metadata(S3ObjectMetadata.of(digest));
    acl.ifPresent(b::acl);
    if (checksum) {
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
    return heads.diagnoseWrite(errors.translate(e, S3Errors.Operation.PUT, key), key);
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
            new UploadCheckingInputStream(Files.newInputStream(source), size, digest, what, source);
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
}
