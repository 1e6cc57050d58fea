package dev.halcyon.s3;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;

/**
 * Counts the HTTP requests every S3 client in this JVM sends, by operation (ListObjectsV2,
 * DeleteObjects, …), retries included. The SDK installs it in every S3 client it builds, through
 * the classpath file {@code software/amazon/awssdk/services/s3/execution.interceptors} in the test
 * resources. Thread-safe; counts only, changes nothing.
 */
public final class RequestCounter implements ExecutionInterceptor {
  private static final Map<String, LongAdder> COUNTS = new ConcurrentHashMap<>();

  /** Called by the SDK. */
  public RequestCounter() {}

  @Override
  public void beforeTransmission(
      Context.BeforeTransmission context, ExecutionAttributes attributes) {
    String operation = attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
    COUNTS.computeIfAbsent(operation == null ? "?" : operation, k -> new LongAdder()).increment();
  }

  /** Requests sent so far, by operation. */
  static Map<String, Long> snapshot() {
    Map<String, Long> out = new TreeMap<>();
    COUNTS.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }

  /** Requests of {@code operation} between two snapshots. */
  static long between(Map<String, Long> before, Map<String, Long> after, String operation) {
    return after.getOrDefault(operation, 0L) - before.getOrDefault(operation, 0L);
  }
}
