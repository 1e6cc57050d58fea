package dev.halcyon.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.halcyon.archive.Archives;
import dev.halcyon.archive.Compression;
import dev.halcyon.archive.ExtractLimits;
import dev.halcyon.layer.Digest;
import dev.halcyon.layer.LayerKind;
import dev.halcyon.layer.LayerTag;
import dev.halcyon.recipe.AppRecipe;
import dev.halcyon.recipe.HookFailedException;
import dev.halcyon.recipe.LayerBuilder;
import dev.halcyon.store.InMemoryLayerStore;
import dev.halcyon.store.StoredObject;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An install layer filled by {@link LayerBuilder#linking}: the build's output is hard-linked into
 * the staging tree, archived as a copy would be, and the build layer is never written through the
 * links.
 */
class InstallFromTest {
  @TempDir Path tmp;
  private final InMemoryLayerStore cache = new InMemoryLayerStore();
  private final InMemoryLayerStore privateStore = new InMemoryLayerStore();

  @Test
  void build_installFromTheBuildOutput_stagedByLinksArchivedWhole() throws Exception {
    List<Object> inodes = new ArrayList<>();
    LayerBuilder linking = LayerBuilder.linking("target/app");
    AppRecipe recipe =
        recipe(
            c -> {
              linking.build(c);
              Path build = c.dir(LayerKind.BUILD).orElseThrow();
              inodes.add(inode(build.resolve("target/app/lib/app.jar")));
              inodes.add(inode(c.layerDir().resolve("lib/app.jar")));
            });

    RunReport report = engine().build(recipe);

    assertThat(inodes).hasSize(2).containsOnly(inodes.get(0));
    Path installed = extractInstallArchive(report);
    assertThat(installed.resolve("lib/app.jar")).hasContent("app v1");
    assertThat(installed.resolve("bin/run")).hasContent("#!/bin/sh");
    assertThat(installed.resolve(LayerTag.FILE_NAME))
        .hasContent(TestRecipes.install(Digest.sha256("v1")).format());
    assertThat(privateStore.head(installKey(report))).isPresent();
  }

  @Test
  void build_installFromTheWholeBuildLayer_buildLayersTagIsNotOverwritten() throws Exception {
    RunReport report = engine().build(recipe(LayerBuilder.linking(".")));

    Path buildDir = tmp.resolve("base").resolve("build");
    Path buildTag =
        Files.walk(tmp.resolve("base"))
            .filter(p -> p.getFileName().toString().equals(LayerTag.FILE_NAME))
            .filter(p -> Files.exists(p.resolveSibling("target/app/lib/app.jar")))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no build layer under " + buildDir));
    assertThat(buildTag).hasContent(TestRecipes.build(Digest.sha256("v1")).format());
    Path installed = extractInstallArchive(report);
    assertThat(installed.resolve(LayerTag.FILE_NAME))
        .hasContent(TestRecipes.install(Digest.sha256("v1")).format());
    assertThat(installed.resolve("target/app/lib/app.jar")).hasContent("app v1");
  }

  @Test
  void build_installFromAMissingDirectory_failsAndArchivesNothing() throws Exception {
    AppRecipe recipe = recipe(LayerBuilder.linking("target/missing"));

    assertThatThrownBy(() -> engine().build(recipe))
        .isInstanceOf(HookFailedException.class)
        .hasMessageContaining("target/missing: it is not a directory");
    assertThat(cache.list("")).extracting(o -> o.key()).noneMatch(k -> k.contains("-install-"));
    assertThat(privateStore.list(""))
        .extracting(o -> o.key())
        .isNotEmpty()
        .noneMatch(k -> k.contains("-install-"));
  }

  private AppRecipe recipe(LayerBuilder install) throws Exception {
    return TestRecipes.buildAndInstall(
        TestRecipes.sources(tmp.resolve("src"), "v1"),
        Digest.sha256("v1"),
        c -> {
          TestRecipes.write(c.layerDir().resolve("target/app/lib/app.jar"), "app v1");
          TestRecipes.write(c.layerDir().resolve("target/app/bin/run"), "#!/bin/sh");
        },
        install);
  }

  private Engine engine() {
    return Engine.builder()
        .cache(cache)
        .privateStore(privateStore)
        .workDir(tmp.resolve("base"))
        .build();
  }

  private static String installKey(RunReport report) {
    return report.layers().stream()
        .filter(o -> o.tag().kind() == LayerKind.INSTALL)
        .findFirst()
        .orElseThrow()
        .key();
  }

  private Path extractInstallArchive(RunReport report) throws Exception {
    Path target = tmp.resolve("extracted");
    try (StoredObject in = cache.get(installKey(report)).orElseThrow()) {
      Archives.extract(in.stream(), Compression.ZSTD, target, ExtractLimits.DEFAULT);
    }
    return target;
  }

  private static Object inode(Path p) throws java.io.IOException {
    return Files.getAttribute(p, "unix:ino", LinkOption.NOFOLLOW_LINKS);
  }
}
