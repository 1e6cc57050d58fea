package dev.halcyon.recipe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.halcyon.layer.Constraints;
import dev.halcyon.layer.Digest;
import dev.halcyon.layer.IgnoreRules;
import dev.halcyon.layer.LayerKind;
import dev.halcyon.layer.LayerTag;
import dev.halcyon.layer.TreeHashes;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecipeBuilderTest {
  private static final LayerBuilder NOTHING = context -> {};

  @TempDir Path tmp;

  private Path sources() throws Exception {
    Path src = Files.createDirectories(tmp.resolve("src"));
    Files.writeString(src.resolve("Main.java"), "class Main {}");
    Files.createDirectories(src.resolve("target"));
    Files.writeString(src.resolve("target/app.jar"), "old output");
    return src;
  }

  private RecipeBuilder builder(Path src) {
    return AppRecipe.builder(src)
        .label("shop-1.0-SNAPSHOT")
        .platform("linux-test-1.0-x86_64")
        .toolchain("jdk-17")
        .install(NOTHING);
  }

  @Test
  void build_derivesEveryTagFromTheInputs() throws Exception {
    Path src = sources();
    IgnoreRules ignore = IgnoreRules.DEFAULT.plus(IgnoreRules.of("target"));
    Constraints constraints = Constraints.of(Map.of("org.slf4j:slf4j-api", "2.0.16"));

    AppRecipe recipe =
        builder(src)
            .prefix("/srv/shop")
            .ignore(ignore)
            .constraints(constraints)
            .dependenciesLayer(NOTHING)
            .buildLayer(NOTHING)
            .build();

    String sourceHash = TreeHashes.hash(src, ignore).toString();
    assertThat(recipe.build().tag().input(LayerTag.SOURCE_HASH)).isEqualTo(sourceHash);
    assertThat(recipe.install().tag().input(LayerTag.SOURCE_HASH)).isEqualTo(sourceHash);
    assertThat(recipe.install().tag().input(LayerTag.PREFIX)).isEqualTo("/srv/shop");
    assertThat(recipe.dependencies().orElseThrow().tag().input(LayerTag.CONSTRAINTS_HASH))
        .isEqualTo(constraints.digest().toString());
    assertThat(recipe.build().tag().input(LayerTag.CONSTRAINTS_HASH))
        .isEqualTo(constraints.digest().toString());
    assertThat(recipe.layers())
        .extracting(s -> s.tag().kind())
        .containsExactly(LayerKind.DEPENDENCIES, LayerKind.BUILD, LayerKind.INSTALL);
    assertThat(recipe.sourceIgnore()).isEqualTo(ignore);
  }

  @Test
  void build_changedSource_changesBuildAndInstallTags() throws Exception {
    Path src = sources();
    AppRecipe before = builder(src).buildLayer(NOTHING).build();
    Files.writeString(src.resolve("Main.java"), "class Main { int x; }");
    AppRecipe after = builder(src).buildLayer(NOTHING).build();

    assertThat(after.build().tag()).isNotEqualTo(before.build().tag());
    assertThat(after.install().tag()).isNotEqualTo(before.install().tag());
  }

  @Test
  void build_ignoredOutputChanges_keepTheTags() throws Exception {
    Path src = sources();
    IgnoreRules ignore = IgnoreRules.DEFAULT.plus(IgnoreRules.of("target"));
    AppRecipe before = builder(src).ignore(ignore).build();
    Files.writeString(src.resolve("target/app.jar"), "new output");

    assertThat(builder(src).ignore(ignore).build().install().tag())
        .isEqualTo(before.install().tag());
  }

  @Test
  void build_withoutBuildLayer_hasInstallOnly() throws Exception {
    AppRecipe recipe = builder(sources()).build();

    assertThat(recipe.buildLayer()).isEmpty();
    assertThat(recipe.layers()).extracting(s -> s.tag().kind()).containsExactly(LayerKind.INSTALL);
    assertThatThrownBy(recipe::build)
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("the recipe of shop-1.0-SNAPSHOT has no build layer");
  }

  @Test
  void build_toolchainLayer_suffixesTheToolchainIdWithItsRecipeHash() throws Exception {
    Digest script = Digest.sha256("install jdk 17.0.15");
    AppRecipe recipe = builder(sources()).toolchainLayer(NOTHING, script).build();

    String id = "jdk-17." + script.shortHex();
    assertThat(recipe.toolchain().orElseThrow().tag().toolchain()).isEqualTo(id);
    assertThat(recipe.toolchain().orElseThrow().tag().input(LayerTag.MAGIC_HASH))
        .isEqualTo(script.toString());
    assertThat(recipe.install().tag().toolchain()).isEqualTo(id);
  }

  @Test
  void build_mavenCoordinatesAsLabel_refusedInOneLine() throws Exception {
    RecipeBuilder b = builder(sources()).label("com.acme:app-1.0-SNAPSHOT");

    assertThatThrownBy(b::build)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("bad app label 'com.acme:app-1.0-SNAPSHOT': use name-version")
        .hasMessageNotContaining("\n");
  }

  @Test
  void build_badIds_refusedNamingTheInput() throws Exception {
    Path src = sources();
    assertThatThrownBy(() -> builder(src).toolchain("jdk17").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("bad toolchain id 'jdk17'");
    assertThatThrownBy(() -> builder(src).platform("Linux x86").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("bad platform id 'Linux x86'");
    assertThatThrownBy(() -> builder(src).prefix("app").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("bad prefix 'app'");
    assertThatThrownBy(() -> AppRecipe.builder(src).install(NOTHING).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("needs a label");
  }

  @Test
  void magicRecipes_giveTheSameTagsAsTheBuilder() throws Exception {
    Path src = sources();
    Path magic = Files.createDirectories(src.resolve(".halcyon"));
    Files.writeString(magic.resolve("label"), "shop-1.0\n");
    Files.writeString(magic.resolve("extra-source-hash-ignore"), "target\n");
    Files.writeString(magic.resolve("constraints"), "guava 33\n");
    for (String hook : List.of("build", "install")) {
      Files.writeString(magic.resolve(hook), "#!/bin/sh\n");
    }
    RecipeSettings settings =
        new RecipeSettings(
            "linux-test-1.0-x86_64",
            "/app",
            tmp,
            Optional.empty(),
            Optional.of("jdk-17"),
            new ByteArrayOutputStream());

    AppRecipe magicRecipe = MagicRecipes.load(src, settings);
    IgnoreRules ignore = IgnoreRules.DEFAULT.plus(IgnoreRules.of("target"));
    AppRecipe built =
        AppRecipe.builder(src)
            .label("shop-1.0")
            .platform("linux-test-1.0-x86_64")
            .toolchain("jdk-17")
            .prefix("/app")
            .ignore(ignore)
            .constraints(Constraints.parse("guava 33\n"))
            .buildLayer(NOTHING)
            .install(NOTHING)
            .build();

    assertThat(magicRecipe.build().tag()).isEqualTo(built.build().tag());
    assertThat(magicRecipe.install().tag()).isEqualTo(built.install().tag());
    assertThat(magicRecipe.sourceIgnore()).isEqualTo(ignore);
  }

  @Test
  void magicRecipes_withHashListener_hearTheSourceTreeBeingHashed() throws Exception {
    Path src = sources();
    Files.write(src.resolve("big.bin"), new byte[300_000]);
    Files.write(Files.createDirectories(src.resolve("target")).resolve("out.jar"), new byte[9_999]);
    Path magic = Files.createDirectories(src.resolve(".halcyon"));
    Files.writeString(magic.resolve("extra-source-hash-ignore"), "target\n");
    for (String hook : List.of("build", "install")) {
      Files.writeString(magic.resolve(hook), "#!/bin/sh\n");
    }
    AtomicLong events = new AtomicLong();
    AtomicLong finishedBytes = new AtomicLong(-1);
    TreeHashes.Listener listener =
        new TreeHashes.Listener() {
          @Override
          public void hashed(long files, long bytes) {
            events.incrementAndGet();
          }

          @Override
          public void finished(long files, long bytes) {
            finishedBytes.set(bytes);
          }
        };

    RecipeSettings settings =
        new RecipeSettings(
            "linux-test-1.0-x86_64",
            "/app",
            tmp,
            Optional.of("shop-1.0"),
            Optional.of("jdk-17"),
            new ByteArrayOutputStream());
    MagicRecipes.load(src, settings, listener);

    AtomicLong direct = new AtomicLong(-1);
    TreeHashes.hash(
        src,
        IgnoreRules.DEFAULT.plus(IgnoreRules.of("target")),
        new TreeHashes.Listener() {
          @Override
          public void hashed(long files, long bytes) {}

          @Override
          public void finished(long files, long bytes) {
            direct.set(bytes);
          }
        });
    assertThat(events.get()).isGreaterThan(1);
    assertThat(finishedBytes.get()).isGreaterThanOrEqualTo(300_000).isEqualTo(direct.get());
  }
}
