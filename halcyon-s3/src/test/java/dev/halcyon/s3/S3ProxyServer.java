package dev.halcyon.s3;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * S3Proxy (a real S3 server by other authors, checking SigV4 signatures) in a child process on
 * 127.0.0.1. The jar comes from the {@code s3proxy.jar} system property, which the module's pom
 * sets. Closing it (or the JVM exiting) stops the process. Tests reach it through {@link
 * S3ProxyExtension}.
 */
final class S3ProxyServer implements AutoCloseable {
  static final String IDENTITY = "halcyon-test-key";
  static final String CREDENTIAL = "halcyon-test-secret-0123456789";

  /** Where S3Proxy keeps objects, and the JVM options that suit it. */
  enum Storage {
    /** Files in a temporary directory (jclouds {@code filesystem-nio2}). */
    FILESYSTEM("-Xmx256m", "-XX:TieredStopAtLevel=1"),
    /** The heap (jclouds {@code transient}); for buckets too large to list from disk in time. */
    TRANSIENT("-Xmx1g");

    private final List<String> jvmOptions;

    Storage(String... jvmOptions) {
      this.jvmOptions = List.of(jvmOptions);
    }
  }

  private final Process process;
  private final Path dir;
  private final URI endpoint;
  private final Thread hook;

  private S3ProxyServer(Process process, Path dir, URI endpoint) {
    this.process = process;
    this.dir = dir;
    this.endpoint = endpoint;
    this.hook = new Thread(process::destroyForcibly, "s3proxy-stop");
    Runtime.getRuntime().addShutdownHook(hook);
  }

  /** Starts S3Proxy; waits at most 60 s for the port to answer. */
  static S3ProxyServer start(Storage storage) throws IOException, InterruptedException {
    String jar = System.getProperty("s3proxy.jar", "target/s3proxy/s3proxy.jar");
    if (!Files.isRegularFile(Paths.get(jar))) {
      throw new IllegalStateException(
          "S3Proxy jar not found at " + jar + "; run the build through Maven (verify)");
    }
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Path dir = Files.createTempDirectory("s3proxy");
    Properties p = new Properties();
    URI endpoint = URI.create("http://127.0.0.1:" + port);
    p.setProperty("s3proxy.endpoint", endpoint.toString());
    p.setProperty("s3proxy.authorization", "aws-v2-or-v4");
    p.setProperty("s3proxy.identity", IDENTITY);
    p.setProperty("s3proxy.credential", CREDENTIAL);
    p.setProperty("s3proxy.ignore-unknown-headers", "true");
    switch (storage) {
      case FILESYSTEM -> {
        Path data = Files.createDirectories(dir.resolve("data"));
        p.setProperty("jclouds.provider", "filesystem-nio2");
        p.setProperty("jclouds.filesystem.basedir", data.toString());
      }
      case TRANSIENT -> p.setProperty("jclouds.provider", "transient");
    }
    Path props = dir.resolve("s3proxy.properties");
    try (Writer w = Files.newBufferedWriter(props)) {
      p.store(w, "halcyon test");
    }
    List<String> command = new ArrayList<>();
    command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(storage.jvmOptions);
    command.addAll(List.of("-jar", jar, "--properties", props.toString()));
    Process process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("s3proxy.log").toFile())
            .start();
    S3ProxyServer server = new S3ProxyServer(process, dir, endpoint);
    try {
      server.awaitPort(port, Duration.ofSeconds(60));
    } catch (IOException | RuntimeException | InterruptedException e) {
      server.close();
      throw e;
    }
    return server;
  }

  URI endpoint() {
    return endpoint;
  }

  /** A raw SDK client, for arranging what the store under test then finds. */
  S3Client client(String secret) {
    return S3TestClients.raw(endpoint, IDENTITY, secret);
  }

  private void awaitPort(int port, Duration limit) throws IOException, InterruptedException {
    Instant deadline = Instant.now().plus(limit);
    while (true) {
      if (!process.isAlive()) {
        throw new IOException("S3Proxy exited with " + process.exitValue() + ": " + log());
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return;
      } catch (IOException e) {
        if (Instant.now().isAfter(deadline)) {
          throw new IOException(
              "S3Proxy did not listen on port " + port + " within " + limit + ": " + log(), e);
        }
        // Polling, not timing: wait for the process to exit or a short interval, whichever first.
        process.waitFor(100, java.util.concurrent.TimeUnit.MILLISECONDS);
      }
    }
  }

  String log() {
    try {
      return Files.readString(dir.resolve("s3proxy.log"));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException ignored) {
      // The JVM is already shutting down; the hook runs anyway.
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
