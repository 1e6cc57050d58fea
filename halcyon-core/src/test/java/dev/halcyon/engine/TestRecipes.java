package dev.halcyon.engine;

import dev.halcyon.layer.Digest;
import dev.halcyon.layer.LayerKind;
import dev.halcyon.layer.LayerTag;
import dev.halcyon.recipe.AppRecipe;
import dev.halcyon.recipe.LayerBuilder;
import dev.halcyon.recipe.LayerSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The app the engine tests build: {@code app-1.0} on {@value #PLATFORM} with {@code jdk-17},
 * installed under {@code /app}. Tests supply the layer builders; the tags come from here.
 */
final class TestRecipes {
  static final String PLATFORM = "linux-test-1.0-x86_64";

  private TestRecipes() {}

  /** Creates {@code dir} holding {@code Main.txt} with {@code text}; returns {@code dir}. */
  static Path sources(Path dir, String text) throws IOException {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("Main.txt"), text);
    return dir;
  }

  static LayerTag toolchain() {
    return LayerTag.of(LayerKind.TOOLCHAIN, PLATFORM, "jdk-17", "");
  }

  static LayerTag dependencies() {
    return LayerTag.of(LayerKind.DEPENDENCIES, PLATFORM, "jdk-17", "app-1.0")
        .with(LayerTag.CONSTRAINTS_HASH, Digest.sha256("guava 33").toString());
  }

  static LayerTag build(Digest sourceHash) {
    return LayerTag.of(LayerKind.BUILD, PLATFORM, "jdk-17", "app-1.0")
        .with(LayerTag.SOURCE_HASH, sourceHash.toString());
  }

  static LayerTag install(Digest sourceHash) {
    return LayerTag.of(LayerKind.INSTALL, PLATFORM, "jdk-17", "app-1.0")
        .with(LayerTag.SOURCE_HASH, sourceHash.toString())
        .with(LayerTag.PREFIX, "/app");
  }

  /** A recipe of only the build and install layers, with no post-install hook. */
  static AppRecipe buildAndInstall(
      Path sources, Digest sourceHash, LayerBuilder build, LayerBuilder install) {
    return new AppRecipe(
        sources,
        Optional.empty(),
        Optional.empty(),
        new LayerSpec(build(sourceHash), build),
        new LayerSpec(install(sourceHash), install),
        Optional.empty());
  }

  /** Writes {@code content} as UTF-8, creating the parent directories. */
  static void write(Path file, String content) throws IOException {
    Files.createDirectories(file.getParent());
    Files.writeString(file, content, StandardCharsets.UTF_8);
  }
}
