package dev.halcyon.engine;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Serialises engine runs that share a work directory: a file lock for other processes plus an
 * in-JVM lock (a JVM cannot hold two file locks on one file).
 */
final class WorkLock implements AutoCloseable {
  private static final ConcurrentHashMap<Path, ReentrantLock> IN_JVM = new ConcurrentHashMap<>();
  private final ReentrantLock jvmLock;
  private final FileChannel channel;
  private final FileLock fileLock;

  private WorkLock(ReentrantLock jvmLock, FileChannel channel, FileLock fileLock) {
    this.jvmLock = jvmLock;
    this.channel = channel;
    this.fileLock = fileLock;
  }

  static WorkLock acquire(WorkDirLayout layout, EngineListener listener)
      throws IOException, InterruptedException {
    Path workDir = layout.root();
    Path file = layout.lockFile().toAbsolutePath().normalize();
    ReentrantLock jvmLock = IN_JVM.computeIfAbsent(file, f -> new ReentrantLock());
    if (!jvmLock.tryLock()) {
      listener.step("waiting for another halcyon run in this process to finish with " + workDir);
      jvmLock.lockInterruptibly();
    }
    FileChannel channel = null;
    try {
      channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock lock = channel.tryLock();
      if (lock == null) {
        listener.step("waiting for another halcyon run on this machine to finish with " + workDir);
        lock = channel.lock();
      }
      return new WorkLock(jvmLock, channel, lock);
    } catch (IOException | RuntimeException e) {
      if (channel != null) {
        channel.close();
      }
      jvmLock.unlock();
      throw e;
    }
  }

  @Override
  public void close() throws IOException {
    try {
      fileLock.release();
      channel.close();
    } finally {
      jvmLock.unlock();
    }
  }
}
