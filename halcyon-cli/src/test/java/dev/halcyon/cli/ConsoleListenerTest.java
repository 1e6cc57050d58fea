package dev.halcyon.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.halcyon.engine.Progress;
import dev.halcyon.layer.TreeHashes;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** How the console shows hashing, archiving and transfer progress. */
class ConsoleListenerTest {
  private static final long MB = 1L << 20;

  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private ConsoleListener listener(boolean terminal) {
    return new ConsoleListener(new PrintStream(err, true, StandardCharsets.UTF_8), false, terminal);
  }

  private String output() {
    return err.toString(StandardCharsets.UTF_8);
  }

  /** Feeds a tree of {@code files} files of one megabyte each through the listener's hashing. */
  private static void hashTree(ConsoleListener console, int files) {
    TreeHashes.Listener hashing = console.hashing("/src/app");
    for (int i = 1; i <= files; i++) {
      hashing.hashed(i, i * MB);
    }
    hashing.finished(files, files * MB);
  }

  @Test
  void hashing_largeTreeOnTerminal_showsAProgressLineThenTheTotal() {
    ConsoleListener console = listener(true);

    hashTree(console, 40);
    console.step("next step");

    assertThat(output())
        .contains("\r       hashing source: 8.0 MB")
        .contains("\r       hashing source: 32.0 MB")
        .doesNotContain("hashing source: 9.0 MB")
        .contains("\r       hashed source: 40.0 MB   \n")
        .endsWith("\n       next step\n");
  }

  @Test
  void hashing_smallTree_showsNothing() {
    ConsoleListener console = listener(true);

    hashTree(console, 7);

    assertThat(output()).isEmpty();
  }

  @Test
  void hashing_notOnTerminal_showsNothing() {
    ConsoleListener console = listener(false);

    hashTree(console, 40);

    assertThat(output()).isEmpty();
  }

  @Test
  void progress_downloadOnTerminal_stillShowsTheTransferLine() {
    ConsoleListener console = listener(true);

    console.progress(new Progress(Progress.Phase.DOWNLOADING, "p/t/app.tar.zst", MB, 4 * MB));

    assertThat(output()).contains("app.tar.zst  25% 1.0 MB of 4.0 MB");
  }

  @Test
  void progress_uploadOnTerminal_showsTheTransferLineGrowingToTheEnd() {
    ConsoleListener console = listener(true);

    for (long done = 0; done <= 16 * MB; done += 8 * MB) {
      console.progress(new Progress(Progress.Phase.UPLOADING, "p/t/app.tar.zst", done, 16 * MB));
    }
    console.step("next step");

    assertThat(output())
        .contains("\r       app.tar.zst   0% 0 B of 16.0 MB")
        .contains("\r       app.tar.zst  50% 8.0 MB of 16.0 MB")
        .contains("\r       app.tar.zst 100% 16.0 MB of 16.0 MB   \n")
        .endsWith("\n       next step\n");
  }

  @Test
  void progress_uploadNotOnTerminal_showsNothing() {
    ConsoleListener console = listener(false);

    console.progress(new Progress(Progress.Phase.UPLOADING, "p/t/app.tar.zst", 8 * MB, 16 * MB));

    assertThat(output()).isEmpty();
  }

  @Test
  void progress_archivingOnTerminal_showsBytesWrittenThenTheSize() {
    ConsoleListener console = listener(true);

    console.progress(new Progress(Progress.Phase.ARCHIVING, "p/t/app.tar.zst", 0, -1));
    console.progress(new Progress(Progress.Phase.ARCHIVING, "p/t/app.tar.zst", 8 * MB, -1));
    console.progress(new Progress(Progress.Phase.ARCHIVING, "p/t/app.tar.zst", 16 * MB, -1));
    console.progress(new Progress(Progress.Phase.ARCHIVING, "p/t/app.tar.zst", 17 * MB, 17 * MB));
    console.step("next step");

    assertThat(output())
        .doesNotContain("archiving: 0 B")
        .contains("\r       archiving: 8.0 MB written")
        .contains("\r       archiving: 16.0 MB written")
        .contains("\r       archived: 17.0 MB   \n")
        .endsWith("\n       next step\n");
  }

  @Test
  void progress_uploadOverlappingTheArchiving_sharesItsLineThenGoesOnAlone() {
    ConsoleListener console = listener(true);
    String key = "p/t/app.tar.zst";

    console.progress(new Progress(Progress.Phase.ARCHIVING, key, 0, -1));
    console.progress(new Progress(Progress.Phase.ARCHIVING, key, 8 * MB, -1));
    console.progress(new Progress(Progress.Phase.UPLOADING, key, 0, -1));
    console.progress(new Progress(Progress.Phase.UPLOADING, key, 8 * MB, -1));
    console.progress(new Progress(Progress.Phase.ARCHIVING, key, 16 * MB, -1));
    console.progress(new Progress(Progress.Phase.ARCHIVING, key, 17 * MB, 17 * MB));
    console.progress(new Progress(Progress.Phase.UPLOADING, key, 16 * MB, -1));
    console.step("next step");

    assertThat(output())
        .contains("\r       archiving: 8.0 MB written   ")
        .contains("\r       archiving: 16.0 MB written, 8.0 MB sent   ")
        .contains("\r       archived: 17.0 MB   \n")
        .contains("\r       app.tar.zst  16.0 MB   \n")
        .doesNotContain("app.tar.zst  8.0 MB")
        .endsWith("\n       next step\n");
  }

  @Test
  void progress_smallArchive_showsNothing() {
    ConsoleListener console = listener(true);

    console.progress(new Progress(Progress.Phase.ARCHIVING, "p/t/app.tar.zst", 0, -1));
    console.progress(new Progress(Progress.Phase.ARCHIVING, "p/t/app.tar.zst", MB, MB));

    assertThat(output()).isEmpty();
  }
}
