package dev.halcyon.s3;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A test server on a free 127.0.0.1 port that hands every accepted connection to {@link #handle} on
 * a daemon thread of its own. Subclasses call {@link #acceptConnections()} once their own fields
 * are set. Thread-safe; closing it stops accepting and interrupts the handlers.
 */
public abstract class LoopbackServer implements Closeable {
  private final ServerSocket server;
  private final ExecutorService pool;

  /** Binds the port; {@code threadName} names the handler threads in a thread dump. */
  protected LoopbackServer(String threadName) throws IOException {
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    this.pool =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, threadName);
              t.setDaemon(true);
              return t;
            });
  }

  /** Serves one connection; owns {@code client} and closes it. */
  protected abstract void handle(Socket client);

  /** Starts the accept loop; called last in the subclass constructor. */
  protected final void acceptConnections() {
    pool.submit(this::acceptLoop);
  }

  public final int port() {
    return server.getLocalPort();
  }

  public final URI endpoint() {
    return URI.create("http://127.0.0.1:" + port());
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        pool.submit(() -> handle(client));
      } catch (IOException e) {
        return;
      }
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    pool.shutdownNow();
  }
}
