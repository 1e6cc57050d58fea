package dev.halcyon.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Four JVMs share one folder store: they overwrite, create, read and delete the same keys at once
 * ({@link DirectoryLayerStoreWorker}), and every read must be empty or one whole, verified object.
 */
class DirectoryLayerStoreMultiProcessIT {
  private static final int WORKERS = 4;
  private static final int OPERATIONS = 300;
  private static final int KEYS = 3;
  private static final Pattern RESULT =
      Pattern.compile(
          "result whole=(\\d+) empty=(\\d+) transient=(\\d+) written=(\\d+) deleted=(\\d+)");

  @TempDir Path tempDir;

  @Test
  void fourProcesses_sameKeysConcurrently_everyReadWholeAndFinalStateConsistent() throws Exception {
    Path root = tempDir.resolve("shared-store");
    new DirectoryLayerStore(root).close();
    List<Process> workers = new ArrayList<>();
    List<BufferedReader> outputs = new ArrayList<>();
    try {
      for (int id = 0; id < WORKERS; id++) {
        Process p =
            new ProcessBuilder(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx64m",
                    "-cp",
                    System.getProperty("java.class.path"),
                    DirectoryLayerStoreWorker.class.getName(),
                    root.toString(),
                    Integer.toString(id),
                    Integer.toString(OPERATIONS),
                    Integer.toString(KEYS))
                .redirectError(tempDir.resolve("worker-" + id + ".err").toFile())
                .start();
        workers.add(p);
        outputs.add(
            new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)));
      }
      for (int id = 0; id < WORKERS; id++) {
        assertThat(outputs.get(id).readLine())
            .as("worker %s: %s", id, errors(id))
            .isEqualTo("ready");
      }
      for (Process p : workers) {
        try (OutputStream go = p.getOutputStream()) {
          go.write("go\n".getBytes(StandardCharsets.UTF_8));
        }
      }

      int whole = 0;
      int written = 0;
      for (int id = 0; id < WORKERS; id++) {
        Process p = workers.get(id);
        String last = null;
        for (String line = outputs.get(id).readLine();
            line != null;
            line = outputs.get(id).readLine()) {
          last = line;
        }
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("worker %s finished", id).isTrue();
        assertThat(p.exitValue()).as("worker %s said %s; %s", id, last, errors(id)).isZero();
        Matcher m = RESULT.matcher(String.valueOf(last));
        assertThat(m.matches()).as("worker %s result line: %s", id, last).isTrue();
        whole += Integer.parseInt(m.group(1));
        written += Integer.parseInt(m.group(4));
      }
      assertThat(whole).as("whole reads across workers").isPositive();
      assertThat(written).as("writes across workers").isPositive();
    } finally {
      for (Process p : workers) {
        p.destroyForcibly();
      }
    }

    DirectoryLayerStore store = new DirectoryLayerStore(root);
    assertFinalStateConsistent(store, root);
    store.removeStaleTemporaryFiles(Duration.ZERO);
    assertFinalStateConsistent(store, root);
  }

  private static void assertFinalStateConsistent(DirectoryLayerStore store, Path root)
      throws IOException {
    List<String> present = new ArrayList<>();
    for (int k = 0; k < KEYS; k++) {
      String key = "shared/k" + k;
      if (store.head(key).isEmpty()) {
        continue;
      }
      present.add(key);
      ObjectInfo info = store.head(key).orElseThrow();
      assertThat(info.digest()).as("digest of %s", key).isPresent();
      byte[] bytes;
      try (StoredObject object = store.get(key).orElseThrow()) {
        bytes = object.stream().readAllBytes();
      }
      assertThat(DirectoryLayerStoreWorker.problem(bytes)).as(key).isNull();
      assertThat((long) bytes.length).isEqualTo(info.size());
    }
    assertThat(store.list("")).extracting(ObjectInfo::key).containsExactlyElementsOf(present);
    try (Stream<Path> files = Files.walk(root)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .noneMatch(name -> name.startsWith(DirectoryLayout.TEMP_PREFIX));
    }
  }

  private String errors(int id) throws IOException {
    Path err = tempDir.resolve("worker-" + id + ".err");
    return Files.exists(err) ? "stderr: " + Files.readString(err) : "no stderr";
  }
}
