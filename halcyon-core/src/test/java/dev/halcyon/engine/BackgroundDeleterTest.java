package dev.halcyon.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Background deletion of staging trees: moved aside at once, deleted meanwhile, safe when two
 * deleters (another process's run sweeping the same trash) work on one tree.
 */
class BackgroundDeleterTest {
  @TempDir Path tmp;

  @Test
  void delete_movesTheTreeAsideAtOnceAndDeletesIt() throws Exception {
    Path stage = tree(tmp.resolve("install/app-1"), 300);
    List<String> warnings = new ArrayList<>();
    BackgroundDeleter deleter = new BackgroundDeleter(listener(warnings));

    deleter.delete(stage);

    assertThat(stage).as("moved aside before delete returns").doesNotExist();
    BackgroundDeleter.awaitAllForTests();
    deleter.reportFailures();
    assertThat(listing(tmp.resolve("install"))).isEmpty();
    assertThat(warnings).isEmpty();
  }

  @Test
  void sweep_trashAndAKilledRunsStage_deletesBoth() throws Exception {
    Path install = tmp.resolve("install");
    tree(install.resolve(".trash-left"), 50);
    tree(install.resolve("app-killed"), 50);
    Path readOnly = tree(install.resolve("app-readonly"), 5);
    Files.setPosixFilePermissions(readOnly, PosixFilePermissions.fromString("r-xr-xr-x"));

    BackgroundDeleter.sweep(install);
    BackgroundDeleter.awaitAllForTests();

    assertThat(listing(install)).isEmpty();
  }

  @Test
  void finish_nextRun_waitsForTheTreesOfEarlierRuns() throws Exception {
    Path install = tmp.resolve("install");
    List<String> warnings = new ArrayList<>();
    BackgroundDeleter first = new BackgroundDeleter(listener(warnings));
    first.delete(tree(install.resolve("app-1"), 3_000));
    first.reportFailures(); // the first run ends without waiting

    BackgroundDeleter second = new BackgroundDeleter(listener(warnings));
    BackgroundDeleter.sweep(install);
    second.delete(tree(install.resolve("app-2"), 10));
    second.finish();

    assertThat(listing(install))
        .as("the first run's tree is gone; at most the second's own is left")
        .allMatch(name -> name.startsWith(BackgroundDeleter.TRASH_PREFIX))
        .hasSizeLessThanOrEqualTo(1);
    BackgroundDeleter.awaitAllForTests();
    assertThat(listing(install)).isEmpty();
    assertThat(warnings).isEmpty();
  }

  @Test
  void deleteTree_twoDeletersOnOneTree_bothFinishWithoutFailing() throws Exception {
    for (int round = 0; round < 5; round++) {
      Path trash = tree(tmp.resolve(".trash-" + round), 2_000);
      CyclicBarrier start = new CyclicBarrier(2);
      Callable<Void> delete =
          () -> {
            start.await();
            BackgroundDeleter.deleteTree(trash);
            return null;
          };
      ExecutorService pool = Executors.newFixedThreadPool(2);
      try {
        Future<Void> a = pool.submit(delete);
        Future<Void> b = pool.submit(delete);
        a.get();
        b.get();
      } finally {
        pool.shutdownNow();
      }
      assertThat(trash).doesNotExist();
    }
  }

  private static EngineListener listener(List<String> warnings) {
    return new EngineListener() {
      @Override
      public void warning(String message) {
        warnings.add(message);
      }
    };
  }

  private static Path tree(Path root, int files) throws IOException {
    for (int i = 0; i < files; i++) {
      Path f = root.resolve("d" + (i % 7) + "/e" + (i % 3) + "/f" + i + ".txt");
      Files.createDirectories(f.getParent());
      Files.writeString(f, "file " + i);
    }
    return root;
  }

  private static List<String> listing(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return List.of();
    }
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.map(p -> p.getFileName().toString()).toList();
    }
  }
}
