package dev.halcyon.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import dev.halcyon.engine.DeltaPlan;
import dev.halcyon.engine.LayerOutcome;
import dev.halcyon.engine.LayerSource;
import dev.halcyon.engine.RunReport;
import dev.halcyon.layer.LayerKind;
import dev.halcyon.layer.LayerTag;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * {@code install}/{@code build} output is the {@link RunReport} rendered, nothing counted twice.
 */
class RunDocumentsTest {
  private static final String INSTALL_KEY =
      "linux-x/jdk-17/halcyon-install-aaaaaaa-app-1.0.tar.zst";
  private static final String DEPS_KEY =
      "linux-x/jdk-17/halcyon-dependencies-bbbbbbb-app-1.0.tar.zst";

  private static LayerOutcome outcome(LayerKind kind, LayerSource source, String key, long bytes) {
    return new LayerOutcome(
        LayerTag.of(kind, "linux-x", "jdk-17", "app-1.0"),
        source,
        key,
        bytes,
        Duration.ofMillis(1_250));
  }

  private static RunReport report() {
    return new RunReport(
        List.of(
            outcome(LayerKind.DEPENDENCIES, LayerSource.BUILT, DEPS_KEY, 3_000_000),
            outcome(LayerKind.INSTALL, LayerSource.BUILT, INSTALL_KEY, 1_000)),
        Optional.of(Path.of("/srv/app")),
        false,
        Duration.ofMillis(4_321),
        List.of(DEPS_KEY, INSTALL_KEY),
        List.of("linux-x/jdk-17/halcyon-install-ccccccc-app-0.9.tar.zst"),
        Optional.of("pruned 1 archive(s) of linux-x/jdk-17/"),
        List.of("the cache is over its cap"),
        INSTALL_KEY);
  }

  @Test
  void run_fullReport_carriesUploadsEvictionsPruneAndWarnings() {
    JsonObject doc = JsonDocuments.run("install", "app-1.0", "linux-x", report());

    assertThat(doc.get("installArchive").getAsString()).isEqualTo(INSTALL_KEY);
    assertThat(doc.getAsJsonArray("uploaded").toString()).contains(DEPS_KEY, INSTALL_KEY);
    assertThat(doc.getAsJsonArray("evicted")).hasSize(1);
    assertThat(doc.getAsJsonArray("evicted").get(0).getAsString()).contains("ccccccc");
    assertThat(doc.get("pruned").getAsString()).startsWith("pruned 1 archive");
    assertThat(doc.getAsJsonArray("warnings").get(0).getAsString()).contains("over its cap");
    assertThat(doc.get("bytes").getAsLong()).isEqualTo(3_001_000);
    assertThat(doc.get("seconds").getAsDouble()).isEqualTo(4.321);
  }

  @Test
  void run_alreadyInstalled_namesTheInstallArchiveFromTheReport() {
    RunReport current =
        new RunReport(
            List.of(),
            Optional.of(Path.of("/srv/app")),
            true,
            Duration.ofMillis(7),
            List.of(),
            List.of(),
            Optional.empty(),
            List.of(),
            INSTALL_KEY);

    JsonObject doc = JsonDocuments.run("install", "app-1.0", "linux-x", current);

    assertThat(doc.get("installArchive").getAsString()).isEqualTo(INSTALL_KEY);
    assertThat(doc.get("pruned").isJsonNull()).isTrue();
    assertThat(RunLines.installed("app-1.0", current))
        .isEqualTo("-----> Already installed app-1.0 in /srv/app (0.01 s)");
  }

  @Test
  void run_deltaLayer_carriesThePlanWithTheFilesHashed() {
    LayerOutcome delta =
        new LayerOutcome(
            LayerTag.of(LayerKind.INSTALL, "linux-x", "jdk-17", "app-1.0"),
            LayerSource.DELTA,
            INSTALL_KEY,
            266_000_000,
            Duration.ofMillis(500),
            Optional.of(
                new DeltaPlan(1_102, 1_100, 2, 333_881, 266_000_000, 5, 1_099, 3, 1, 4_096)),
            Optional.empty());
    RunReport r =
        new RunReport(
            List.of(delta),
            Optional.of(Path.of("/srv/app")),
            false,
            Duration.ofMillis(700),
            List.of(),
            List.of(),
            Optional.empty(),
            List.of(),
            INSTALL_KEY);

    JsonObject d =
        JsonDocuments.run("install", "app-1.0", "linux-x", r)
            .getAsJsonArray("layers")
            .get(0)
            .getAsJsonObject()
            .getAsJsonObject("delta");

    assertThat(d.toString())
        .isEqualTo(
            "{\"files\":1102,\"reused\":1100,\"fetched\":2,\"linked\":1099,"
                + "\"bytesFetched\":333881,\"requests\":5,\"hashed\":3,\"fromArchives\":1,"
                + "\"bytesFromArchives\":4096}");
  }

  @Test
  void layerLines_listenerAndReport_printTheSameLine() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    ConsoleListener listener =
        new ConsoleListener(new PrintStream(err, true, StandardCharsets.UTF_8), false, false);
    report().layers().forEach(listener::layerReady);

    assertThat(err.toString(StandardCharsets.UTF_8).lines())
        .containsExactlyElementsOf(report().layers().stream().map(RunLines::layer).toList());
    assertThat(RunLines.layer(report().layers().get(0)))
        .matches("-----> dependencies built +2\\.9 MB +1\\.25 s  " + DEPS_KEY);
    assertThat(RunLines.installed("app-1.0", report()))
        .isEqualTo("-----> Installed app-1.0 in /srv/app (4.32 s)");
    assertThat(RunLines.built("app-1.0", report())).isEqualTo("-----> Built app-1.0 (4.32 s)");
  }
}
