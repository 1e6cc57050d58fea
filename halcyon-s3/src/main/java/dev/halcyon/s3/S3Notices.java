package dev.halcyon.s3;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * One-line notices about how a store adapted to its service (a fallback chosen because the service
 * lacks a feature), each said once per store however often it applies. Thread-safe; the sink must
 * not block.
 */
final class S3Notices {
  /** What a store adapts to; each is reported once. */
  enum Fallback {
    CONDITIONAL_WRITES,
    DELETE_OBJECTS,
    LIST_OBJECTS_V2,
    CHECKSUM_HEADERS,
    PART_COPY
  }

  private final Consumer<String> sink;
  private final S3Errors errors;
  private final Set<Fallback> said = ConcurrentHashMap.newKeySet();

  S3Notices(Consumer<String> sink, S3Errors errors) {
    this.sink = sink;
    this.errors = errors;
  }

  /** Says {@code line} unless a notice about {@code fallback} was already said. */
  void once(Fallback fallback, String line) {
    if (said.add(fallback)) {
      sink.accept(errors.scrub(line));
    }
  }

  /** Whether a notice about {@code fallback} was said (the fallback is in use). */
  boolean said(Fallback fallback) {
    return said.contains(fallback);
  }
}
