package dev.halcyon.s3;

import com.google.common.util.concurrent.Striped;
import dev.halcyon.store.PutMode;
import dev.halcyon.store.PutResult;
import java.io.IOException;
import java.util.concurrent.locks.Lock;

/**
 * How {@link PutMode#IF_ABSENT} is kept: with {@code If-None-Match: *} until the service answers
 * 501 to it once, then by the HEAD before the write only. Shared by the single and multipart
 * uploads of one store. Thread-safe.
 */
final class ConditionalWrites {
  /** A write of one key. */
  interface Write {
    PutResult run() throws IOException;
  }

  private volatile boolean supported = true;
  // Some servers (S3Mock) check If-None-Match and write in two steps; within one process we make
  // IF_ABSENT writers of one key take turns so at most one of them writes.
  private final Striped<Lock> ifAbsentLocks = Striped.lock(64);

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

  /** Whether a write in {@code mode} sends {@code If-None-Match: *}. */
  boolean sendIfNoneMatch(PutMode mode) {
    return mode == PutMode.IF_ABSENT && supported;
  }

  /** The service answered 501 to {@code If-None-Match}: stop sending it. */
  void unsupported() {
    supported = false;
  }
}
