package dev.halcyon.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import dev.halcyon.engine.ExtendedFrom;
import dev.halcyon.engine.LayerOutcome;
import dev.halcyon.engine.LayerSource;
import dev.halcyon.engine.RunReport;
import dev.halcyon.layer.LayerKind;
import dev.halcyon.layer.LayerTag;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** How an extended dependencies layer reads on the console and in {@code --json}. */
class ExtendedLayerOutputTest {
  private static final LayerOutcome EXTENDED =
      new LayerOutcome(
          LayerTag.of(LayerKind.DEPENDENCIES, "linux-x", "maven-3.9.9", "hello-maven-1.0")
              .with(LayerTag.CONSTRAINTS_HASH, "sha256:" + "a".repeat(64)),
          LayerSource.EXTENDED,
          "linux-x/maven-3.9.9/halcyon-dependencies-aaaaaaa-hello-maven-1.0.tar.zst",
          4_200_000,
          Duration.ofMillis(12_300),
          Optional.empty(),
          Optional.of(
              new ExtendedFrom(
                  "linux-x/maven-3.9.9/halcyon-dependencies-bbbbbbb-hello-maven-1.0.tar.zst",
                  41,
                  43)));

  @Test
  void layerReady_extended_saysFromWhichLayerAndTheOverlap() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    new ConsoleListener(new PrintStream(err, true, StandardCharsets.UTF_8), false, false)
        .layerReady(EXTENDED);

    assertThat(err.toString(StandardCharsets.UTF_8))
        .containsPattern("dependencies\\s+extended\\s+.*\\s12\\.30 s  ")
        .contains(
            "halcyon-dependencies-aaaaaaa-hello-maven-1.0.tar.zst  from"
                + " linux-x/maven-3.9.9/halcyon-dependencies-bbbbbbb-hello-maven-1.0.tar.zst"
                + " (41 of 43)");
  }

  @Test
  void run_extended_carriesExtendedFrom() {
    RunReport report =
        new RunReport(List.of(EXTENDED), Optional.empty(), false, Duration.ofSeconds(20));

    JsonObject doc = JsonDocuments.run("build", "hello-maven-1.0", "linux-x", report);

    JsonObject layer = doc.getAsJsonArray("layers").get(0).getAsJsonObject();
    assertThat(layer.get("source").getAsString()).isEqualTo("extended");
    JsonObject from = layer.getAsJsonObject("extendedFrom");
    assertThat(from.get("key").getAsString()).contains("bbbbbbb");
    assertThat(from.get("overlap").getAsInt()).isEqualTo(41);
    assertThat(from.get("needed").getAsInt()).isEqualTo(43);
  }
}
