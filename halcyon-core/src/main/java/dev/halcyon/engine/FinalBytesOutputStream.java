package dev.halcyon.engine;

import dev.halcyon.store.GrowingFile;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Passes bytes through to an archive file and tells a {@link GrowingFile} how many are written:
 * once the file's stream has taken them they are final (the archive is written front to back, never
 * changed behind). Confined to the writing thread.
 */
final class FinalBytesOutputStream extends FilterOutputStream {
  private final GrowingFile growing;
  private long written;

  FinalBytesOutputStream(OutputStream out, GrowingFile growing) {
    super(out);
    this.growing = growing;
  }

  @Override
  public void write(int b) throws IOException {
    out.write(b);
    growing.written(++written);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    out.write(b, off, len);
    written += len;
    growing.written(written);
  }
}
