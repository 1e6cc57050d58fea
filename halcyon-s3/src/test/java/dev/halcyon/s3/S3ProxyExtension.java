package dev.halcyon.s3;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * S3Proxy (a real S3 server checking SigV4 signatures, in a child process) for a test class, in the
 * manner of S3Mock's {@code S3MockExtension}: register it on a static field with
 * {@code @RegisterExtension}; it starts before the class's first test and creates the initial
 * buckets, and stops after its last. A {@linkplain Builder#shared() shared} one is started once for
 * the whole test run and stopped at its end; each class using it still creates its own buckets, so
 * classes sharing a server must use different bucket names.
 *
 * <p>Accessors are valid between {@code beforeAll} and {@code afterAll}. Thread-safe to read from
 * tests running in parallel.
 */
public final class S3ProxyExtension implements BeforeAllCallback, AfterAllCallback {
  private static final ExtensionContext.Namespace SHARED =
      ExtensionContext.Namespace.create(S3ProxyExtension.class);

  private final List<String> buckets;
  private final S3ProxyServer.Storage storage;
  private final boolean shared;
  private volatile S3ProxyServer server;

  private S3ProxyExtension(Builder b) {
    this.buckets = List.copyOf(b.buckets);
    this.storage = b.storage;
    this.shared = b.shared;
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    S3ProxyServer s =
        shared
            ? context
                .getRoot()
                .getStore(SHARED)
                .getOrComputeIfAbsent(storage, S3ProxyExtension::startShared, S3ProxyServer.class)
            : S3ProxyServer.start(storage);
    try (S3Client client = s.client(S3ProxyServer.CREDENTIAL)) {
      for (String b : buckets) {
        client.createBucket(r -> r.bucket(b));
      }
    } catch (RuntimeException e) {
      if (!shared) {
        s.close();
      }
      throw e;
    }
    server = s;
  }

  @Override
  public void afterAll(ExtensionContext context) {
    S3ProxyServer s = server;
    server = null;
    // A shared server lives in the root store, which closes it when the run ends.
    if (s != null && !shared) {
      s.close();
    }
  }

  private static S3ProxyServer startShared(S3ProxyServer.Storage storage) {
    try {
      return S3ProxyServer.start(storage);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting S3Proxy", e);
    }
  }

  private S3ProxyServer server() {
    S3ProxyServer s = server;
    if (s == null) {
      throw new IllegalStateException("S3Proxy runs only between beforeAll and afterAll");
    }
    return s;
  }

  public URI endpoint() {
    return server().endpoint();
  }

  public String accessKeyId() {
    return S3ProxyServer.IDENTITY;
  }

  public String secretAccessKey() {
    return S3ProxyServer.CREDENTIAL;
  }

  /** The first initial bucket. */
  public String bucket() {
    if (buckets.isEmpty()) {
      throw new IllegalStateException("no initial bucket was configured");
    }
    return buckets.get(0);
  }

  /** A new raw SDK client with the right credentials; the caller closes it. */
  public S3Client client() {
    return S3TestClients.raw(endpoint(), accessKeyId(), secretAccessKey());
  }

  /** The server's output so far, for failure messages. */
  public String log() {
    return server().log();
  }

  /** Options; the defaults are one server per class, storing on disk, with no buckets. */
  public static final class Builder {
    private List<String> buckets = List.of();
    private S3ProxyServer.Storage storage = S3ProxyServer.Storage.FILESYSTEM;
    private boolean shared;

    private Builder() {}

    /** Buckets created before the class's first test. */
    public Builder withInitialBuckets(String... names) {
      this.buckets = List.of(names);
      return this;
    }

    /**
     * Keeps objects in memory (jclouds {@code transient}) with a larger heap: listings of very
     * large buckets stay fast, where the filesystem store reads every object's metadata from disk.
     */
    public Builder transientStorage() {
      this.storage = S3ProxyServer.Storage.TRANSIENT;
      return this;
    }

    /** One server for every class in the run that asks for a shared one of the same storage. */
    public Builder shared() {
      this.shared = true;
      return this;
    }

    public S3ProxyExtension build() {
      return new S3ProxyExtension(this);
    }
  }
}
