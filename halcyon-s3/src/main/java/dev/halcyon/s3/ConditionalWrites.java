package dev.halcyon.s3;

import com.google.common.util.concurrent.Striped;
import dev.halcyon.layer.Digest;
import dev.halcyon.store.PutMode;
import dev.halcyon.store.PutResult;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.locks.Lock;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * How {@link PutMode#IF_ABSENT} is kept, the one place for {@code If-None-Match: *} and its
 * answers. Before the first conditional write of a store, a probe learns whether the service keeps
 * the condition: it creates an empty probe object (unconditionally), then creates it again with
 * {@code If-None-Match: *}. A 412 means the condition is kept (atomic create-if-absent, as on AWS);
 * a 501 means it is not implemented; a success means it is ignored. In the last two cases IF_ABSENT
 * writes are guarded instead by the HEAD before the write and the HEAD after it (an object whose
 * digest is not ours is another writer's, and is reported as already there), which leaves a race:
 * two writers whose uploads overlap in time both see the key absent, and the later upload wins
 * while both report it written. A 501 met by a real write (a service that keeps the condition on
 * PutObject but not on CompleteMultipartUpload) switches the fallback on too. Shared by the single
 * and multipart uploads of one store. Thread-safe.
 */
final class ConditionalWrites {
  /** A write of one key. */
  interface Write {
    PutResult run() throws IOException;
  }

  /** One request of a write, with or without {@code If-None-Match: *}. */
  interface Attempt {
    void send(boolean ifNoneMatch);
  }

  /** What the service does with {@code If-None-Match: *}. */
  enum Support {
    UNKNOWN,
    KEPT,
    NOT_IMPLEMENTED,
    IGNORED
  }

  /** Where probe objects live under the folder; never a store key (listings leave it out). */
  static final String PROBE_PREFIX = ".halcyon-probe/";

  static final String PROBE_KEY = PROBE_PREFIX + "if-none-match";

  private final S3Client s3;
  private final S3Location location;
  private final S3Notices notices;
  private volatile Support support = Support.UNKNOWN;
  // Some servers (S3Mock) check If-None-Match and write in two steps; within one process we make
  // IF_ABSENT writers of one key take turns so at most one of them writes.
  private final Striped<Lock> ifAbsentLocks = Striped.lock(64);

  ConditionalWrites(S3Client s3, S3Location location, S3Notices notices) {
    this.s3 = s3;
    this.location = location;
    this.notices = notices;
  }

  /** Runs {@code write}; IF_ABSENT writers of {@code objectKey} take turns. */
  PutResult inTurn(String objectKey, PutMode mode, Write write) throws IOException {
    if (mode != PutMode.IF_ABSENT) {
      return write.run();
    }
    Lock lock = ifAbsentLocks.get(objectKey);
    lock.lock();
    try {
      return write.run();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Sends one write request, conditional when {@code mode} is IF_ABSENT and the service keeps the
   * condition.
   *
   * @return empty if the request wrote the object; else the result of meeting an existing one
   * @throws SdkException as the request failed, other than by the condition
   */
  Optional<PutResult> send(
      String key, Digest digest, PutMode mode, ObjectHeads heads, Attempt attempt)
      throws IOException {
    boolean conditional = mode == PutMode.IF_ABSENT && kept();
    try {
      attempt.send(conditional);
      return Optional.empty();
    } catch (AwsServiceException e) {
      if (conditional && S3Errors.isPreconditionFailed(e)) {
        return Optional.of(heads.alreadyThere(key, digest));
      }
      if (conditional && S3Errors.isNotImplemented(e)) {
        fallBack(Support.NOT_IMPLEMENTED, "answered 501 Not Implemented to it on a write");
        attempt.send(false);
        return Optional.empty();
      }
      throw e;
    }
  }

  /** Whether IF_ABSENT writes are atomic (the service keeps {@code If-None-Match: *}). */
  boolean atomic() {
    return support == Support.KEPT || support == Support.UNKNOWN;
  }

  Support support() {
    return support;
  }

  private boolean kept() {
    if (support == Support.UNKNOWN) {
      probe();
    }
    return support == Support.KEPT;
  }

  private synchronized void probe() {
    if (support != Support.UNKNOWN) {
      return;
    }
    String probeKey = location.folderPrefix() + PROBE_KEY;
    try {
      s3.putObject(b -> b.bucket(location.bucket()).key(probeKey), RequestBody.empty());
    } catch (SdkException e) {
      // The real write meets the same failure and explains it better; keep sending the condition.
      support = Support.KEPT;
      return;
    }
    try {
      s3.putObject(
          b -> b.bucket(location.bucket()).key(probeKey).ifNoneMatch("*"), RequestBody.empty());
      fallBack(Support.IGNORED, "ignores it (a second create of " + PROBE_KEY + " succeeded)");
    } catch (AwsServiceException e) {
      if (S3Errors.isPreconditionFailed(e)) {
        support = Support.KEPT;
      } else if (S3Errors.isNotImplemented(e)) {
        fallBack(Support.NOT_IMPLEMENTED, "answered 501 Not Implemented to it");
      } else {
        support = Support.KEPT;
      }
    } catch (SdkException e) {
      support = Support.KEPT;
    }
  }

  private void fallBack(Support found, String how) {
    support = found;
    notices.once(
        S3Notices.Fallback.CONDITIONAL_WRITES,
        location.describe()
            + ": the service "
            + how
            + " for If-None-Match: *, so writes that must not replace an existing object are"
            + " guarded by a HEAD before and after the write instead; two machines uploading the"
            + " same key at the same moment may both report it written (the later upload is kept)");
  }
}
