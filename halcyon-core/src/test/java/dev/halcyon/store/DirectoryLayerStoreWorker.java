package dev.halcyon.store;

import dev.halcyon.layer.Digest;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * A child process for {@link DirectoryLayerStoreMultiProcessIT}: hammers a shared folder store with
 * overwrites, create-if-absent writes, reads and deletes of a few keys, and checks every read.
 *
 * <p>Arguments: root, worker id, operations, number of keys. It prints {@code ready}, waits for a
 * line on stdin (so all workers start together), runs, and prints one {@code result} line. It exits
 * 1 after printing {@code BAD ...} if a read completed with bytes that are not one whole object
 * some worker wrote, or if a read of a healthy store failed as corrupt.
 */
public final class DirectoryLayerStoreWorker {
  private static final int MAGIC = 0x48414c43;
  private static final int HEADER = 16;

  private DirectoryLayerStoreWorker() {}

  public static void main(String[] args) throws Exception {
    Path root = Path.of(args[0]);
    int worker = Integer.parseInt(args[1]);
    int operations = Integer.parseInt(args[2]);
    int keys = Integer.parseInt(args[3]);
    DirectoryLayerStore store = new DirectoryLayerStore(root);
    Path scratch = Files.createTempDirectory("halcyon-worker-" + worker);

    System.out.println("ready");
    System.out.flush();
    new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();

    SplittableRandom random = new SplittableRandom(worker);
    int whole = 0;
    int empty = 0;
    int transientFailures = 0;
    int written = 0;
    int deleted = 0;
    for (int seq = 0; seq < operations; seq++) {
      String key = "shared/k" + random.nextInt(keys);
      int dice = random.nextInt(100);
      try {
        if (dice < 30) {
          byte[] bytes = content(worker, seq, 32 * 1024 + random.nextInt(480 * 1024));
          Path file = Files.write(scratch.resolve("src"), bytes);
          store.put(key, file, Digest.sha256(bytes), PutMode.OVERWRITE);
          written++;
        } else if (dice < 45) {
          byte[] bytes = content(worker, seq, 32 * 1024 + random.nextInt(480 * 1024));
          if (store.put(key, bytes, PutMode.IF_ABSENT).written()) {
            written++;
          }
        } else if (dice < 90) {
          Optional<StoredObject> object = store.get(key);
          if (object.isEmpty()) {
            empty++;
            continue;
          }
          byte[] bytes;
          try (StoredObject o = object.get()) {
            bytes = o.stream().readAllBytes();
            if (o.info().digest().isEmpty()) {
              bad("read of " + key + " had no digest");
            }
          }
          String problem = problem(bytes);
          if (problem != null) {
            bad("read of " + key + " completed but " + problem);
          }
          whole++;
        } else {
          if (store.delete(key)) {
            deleted++;
          }
        }
      } catch (CorruptObjectException e) {
        bad("operation on " + key + " failed as corrupt: " + e.getMessage());
      } catch (TransientStoreException e) {
        transientFailures++;
      }
    }
    System.out.println(
        "result whole="
            + whole
            + " empty="
            + empty
            + " transient="
            + transientFailures
            + " written="
            + written
            + " deleted="
            + deleted);
    System.out.flush();
    Files.deleteIfExists(scratch.resolve("src"));
    Files.delete(scratch);
  }

  /** Bytes that say who wrote them: a header, then bytes seeded by that header. */
  static byte[] content(int worker, int seq, int length) {
    byte[] bytes = new byte[length];
    ByteBuffer.wrap(bytes).putInt(MAGIC).putInt(worker).putInt(seq).putInt(length);
    fill(bytes, worker, seq);
    return bytes;
  }

  /** Why {@code bytes} is not one whole object written by {@link #content}, or null if it is. */
  static String problem(byte[] bytes) {
    if (bytes.length < HEADER) {
      return "has only " + bytes.length + " bytes";
    }
    ByteBuffer header = ByteBuffer.wrap(bytes);
    if (header.getInt() != MAGIC) {
      return "does not start with the magic number";
    }
    int worker = header.getInt();
    int seq = header.getInt();
    int length = header.getInt();
    if (length != bytes.length) {
      return "has " + bytes.length + " bytes but its header says " + length;
    }
    byte[] expected = new byte[length];
    System.arraycopy(bytes, 0, expected, 0, HEADER);
    fill(expected, worker, seq);
    return Arrays.equals(bytes, expected)
        ? null
        : "its body differs from what worker " + worker + " wrote in operation " + seq;
  }

  private static void fill(byte[] bytes, int worker, int seq) {
    SplittableRandom random = new SplittableRandom(worker * 1_000_003L + seq);
    for (int i = HEADER; i < bytes.length; i++) {
      bytes[i] = (byte) random.nextInt(256);
    }
  }

  private static void bad(String message) {
    System.out.println("BAD " + message);
    System.out.flush();
    System.exit(1);
  }
}
