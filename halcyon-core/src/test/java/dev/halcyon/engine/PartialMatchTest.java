package dev.halcyon.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.halcyon.layer.Constraints;
import dev.halcyon.layer.Digest;
import dev.halcyon.layer.LayerKind;
import dev.halcyon.layer.LayerTag;
import dev.halcyon.manifest.ArchiveManifest;
import dev.halcyon.naming.DefaultArchiveNamer;
import dev.halcyon.recipe.AppRecipe;
import dev.halcyon.recipe.ConstraintsSource;
import dev.halcyon.recipe.DependencyConstraints;
import dev.halcyon.recipe.HookFailedException;
import dev.halcyon.recipe.LayerBuilder;
import dev.halcyon.recipe.LayerSpec;
import dev.halcyon.recipe.PartialMatchRule;
import dev.halcyon.store.ForwardingLayerStore;
import dev.halcyon.store.InMemoryLayerStore;
import dev.halcyon.store.LayerStore;
import dev.halcyon.store.PutMode;
import dev.halcyon.store.StoredObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dependencies layer's partial match (spec §7.1) on the in-memory store: each build runs on a
 * fresh machine (own work directory and cache) against one shared private store, so a layer is only
 * ever restored from there. The dependencies builder adds one file per needed entry that the layer
 * directory lacks, and records what it added.
 */
class PartialMatchTest {
  private static final String MAGIC = Digest.sha256("hooks v1").toString();

  @TempDir Path tmp;
  private final InMemoryLayerStore shared = new InMemoryLayerStore();
  private final List<String> added = new ArrayList<>();
  private final List<String> warnings = new ArrayList<>();
  private final List<String> steps = new ArrayList<>();
  private Instant now = Instant.parse("2026-01-01T00:00:00Z");
  private int machines;
  private String sourceEdit = "";
  private dev.halcyon.naming.ArchiveNamer namer = new DefaultArchiveNamer();
  private String toolchain = "jdk-17";

  private static Constraints list(String... entries) {
    Map<String, String> versions = new LinkedHashMap<>();
    for (String e : entries) {
      String[] parts = e.split(" ");
      versions.put(parts[0], parts[1]);
    }
    return Constraints.of(versions);
  }

  private final LayerBuilder addMissing =
      c -> {
        Constraints needed =
            Constraints.parse(Files.readString(c.sourceDir().resolve("needed.txt")));
        for (Map.Entry<String, String> e : needed.versions().entrySet()) {
          Path jar = c.layerDir().resolve("repo/" + e.getKey() + "-" + e.getValue());
          if (!Files.exists(jar)) {
            Files.createDirectories(jar.getParent());
            Files.writeString(jar, e.getKey());
            added.add(e.getKey() + " " + e.getValue());
          }
        }
      };

  private AppRecipe recipe(String label, Constraints needed, PartialMatchRule rule)
      throws IOException {
    return recipe(label, DependencyConstraints.of(needed, rule), needed, addMissing);
  }

  private AppRecipe recipe(
      String label, DependencyConstraints constraints, Constraints needed, LayerBuilder deps)
      throws IOException {
    Path src = tmp.resolve("src-" + label + "-" + needed.digest().shortHex());
    Files.createDirectories(src);
    Files.writeString(src.resolve("needed.txt"), needed.format());
    Digest sourceHash = Digest.sha256(label + needed.format() + sourceEdit);
    LayerTag depsTag =
        LayerTag.of(LayerKind.DEPENDENCIES, TestRecipes.PLATFORM, toolchain, label)
            .with(LayerTag.MAGIC_HASH, MAGIC)
            .with(
                LayerTag.CONSTRAINTS_HASH,
                constraints.source().isPresent() ? "" : needed.digest().toString());
    LayerTag buildTag =
        LayerTag.of(LayerKind.BUILD, TestRecipes.PLATFORM, toolchain, label)
            .with(LayerTag.SOURCE_HASH, sourceHash.toString());
    LayerTag installTag =
        LayerTag.of(LayerKind.INSTALL, TestRecipes.PLATFORM, toolchain, label)
            .with(LayerTag.SOURCE_HASH, sourceHash.toString())
            .with(LayerTag.PREFIX, "/app");
    return new AppRecipe(
        src,
        Optional.empty(),
        Optional.of(new LayerSpec(depsTag, deps)),
        new LayerSpec(buildTag, c -> Files.writeString(c.layerDir().resolve("out"), "b")),
        new LayerSpec(installTag, c -> Files.writeString(c.layerDir().resolve("app"), "i")),
        Optional.empty(),
        constraints);
  }

  private RunReport build(AppRecipe recipe) throws Exception {
    return build(recipe, shared);
  }

  private RunReport build(AppRecipe recipe, LayerStore store) throws Exception {
    Clock clock = Clock.fixed(now, ZoneOffset.UTC);
    now = now.plusSeconds(60);
    added.clear();
    Engine engine =
        Engine.builder()
            .cache(new InMemoryLayerStore())
            .privateStore(store)
            .namer(namer)
            .workDir(tmp.resolve("machine-" + machines++))
            .clock(clock)
            .listener(
                new EngineListener() {
                  @Override
                  public void warning(String message) {
                    warnings.add(message);
                  }

                  @Override
                  public void step(String message) {
                    steps.add(message);
                  }
                })
            .build();
    return engine.build(recipe);
  }

  private static LayerOutcome deps(RunReport report) {
    return report.layers().stream()
        .filter(l -> l.tag().kind() == LayerKind.DEPENDENCIES)
        .findFirst()
        .orElseThrow();
  }

  private ArchiveManifest manifestOf(String archiveKey) throws IOException {
    String key = archiveKey.replaceAll("\\.tar\\.zst$", "." + ArchiveManifest.EXTENSION);
    try (StoredObject o = shared.get(key).orElseThrow()) {
      return ArchiveManifest.parse(new String(o.stream().readAllBytes(), StandardCharsets.UTF_8));
    }
  }

  @Test
  void build_exactLayerStored_restoresItAndExtendsNothing() throws Exception {
    Constraints needed = list("guava 33", "slf4j 2");
    build(recipe("app-1.0", needed, PartialMatchRule.SUBSET));
    sourceEdit = "a changed source file";

    LayerOutcome again = deps(build(recipe("app-1.0", needed, PartialMatchRule.SUBSET)));

    assertThat(again.source()).isEqualTo(LayerSource.PRIVATE);
    assertThat(again.extendedFrom()).isEmpty();
    assertThat(added).isEmpty();
  }

  @Test
  void build_subsetRule_oneDependencyBumped_extendsThePreviousLayerAndAddsOnlyTheBump()
      throws Exception {
    LayerOutcome first =
        deps(build(recipe("app-1.0", list("guava 33", "slf4j 2"), PartialMatchRule.SUBSET)));
    assertThat(first.source()).isEqualTo(LayerSource.BUILT);
    assertThat(manifestOf(first.key()).constraints()).contains(list("guava 33", "slf4j 2"));

    // The bump itself is not a subset; the previous list without slf4j 2 would be. So the rule
    // keeps the earlier layer out: it holds slf4j 2, which is not needed.
    LayerOutcome bumped =
        deps(
            build(
                recipe(
                    "app-1.0",
                    list("guava 33", "slf4j 2", "jackson 2.18"),
                    PartialMatchRule.SUBSET)));

    assertThat(bumped.source()).isEqualTo(LayerSource.EXTENDED);
    assertThat(bumped.extendedFrom()).contains(new ExtendedFrom(first.key(), 2, 3));
    assertThat(added).containsExactly("jackson 2.18");
    ArchiveManifest manifest = manifestOf(bumped.key());
    assertThat(manifest.extendedFrom()).contains(first.key());
    assertThat(manifest.constraints()).contains(list("guava 33", "slf4j 2", "jackson 2.18"));
    assertThat(bumped.key()).isNotEqualTo(first.key());
  }

  @Test
  void build_subsetRule_candidateHoldsAnOtherVersion_doesNotQualifyAndBuildsFromNothing()
      throws Exception {
    build(recipe("app-1.0", list("guava 33", "slf4j 2"), PartialMatchRule.SUBSET));

    LayerOutcome bumped =
        deps(build(recipe("app-1.0", list("guava 33", "slf4j 3"), PartialMatchRule.SUBSET)));

    assertThat(bumped.source()).isEqualTo(LayerSource.BUILT);
    assertThat(added).containsExactly("guava 33", "slf4j 3");
    assertThat(steps).anyMatch(s -> s.startsWith("no stored dependencies layer qualifies"));
  }

  @Test
  void build_supersetRule_candidateHoldsAnOtherVersion_isExtendedAndKeepsTheExtra()
      throws Exception {
    LayerOutcome first =
        deps(build(recipe("app-1.0", list("guava 33", "slf4j 2"), PartialMatchRule.SUPERSET)));

    LayerOutcome bumped =
        deps(build(recipe("app-1.0", list("guava 33", "slf4j 3"), PartialMatchRule.SUPERSET)));

    assertThat(bumped.source()).isEqualTo(LayerSource.EXTENDED);
    assertThat(bumped.extendedFrom()).contains(new ExtendedFrom(first.key(), 1, 2));
    assertThat(added).containsExactly("slf4j 3");
  }

  @Test
  void build_nothingOverlaps_buildsFromNothing() throws Exception {
    build(recipe("app-1.0", list("guava 33"), PartialMatchRule.SUPERSET));

    LayerOutcome other =
        deps(build(recipe("app-1.0", list("jackson 2.18"), PartialMatchRule.SUPERSET)));

    assertThat(other.source()).isEqualTo(LayerSource.BUILT);
    assertThat(other.extendedFrom()).isEmpty();
  }

  @Test
  void build_candidateOfAnotherApp_isExtended() throws Exception {
    LayerOutcome other =
        deps(build(recipe("other-2.0", list("guava 33"), PartialMatchRule.SUBSET)));

    LayerOutcome mine =
        deps(build(recipe("app-1.0", list("guava 33", "slf4j 2"), PartialMatchRule.SUBSET)));

    assertThat(mine.source()).isEqualTo(LayerSource.EXTENDED);
    assertThat(mine.extendedFrom().orElseThrow().key()).isEqualTo(other.key());
    assertThat(mine.key()).contains("app-1.0");
    assertThat(added).containsExactly("slf4j 2");
  }

  @Test
  void build_largestOverlapWins_andTiesGoToTheNewest() throws Exception {
    build(recipe("a-1.0", list("guava 33"), PartialMatchRule.SUBSET));
    LayerOutcome older =
        deps(build(recipe("b-1.0", list("guava 33", "slf4j 2"), PartialMatchRule.SUBSET)));
    LayerOutcome newer =
        deps(build(recipe("c-1.0", list("guava 33", "jackson 2"), PartialMatchRule.SUBSET)));
    assertThat(older.key()).isNotEqualTo(newer.key());

    LayerOutcome mine =
        deps(
            build(
                recipe(
                    "app-1.0",
                    list("guava 33", "slf4j 2", "jackson 2", "okio 3"),
                    PartialMatchRule.SUBSET)));

    assertThat(mine.extendedFrom()).contains(new ExtendedFrom(newer.key(), 2, 4));
  }

  @Test
  void build_candidateArchiveDamaged_skipsToTheNextCandidate() throws Exception {
    LayerOutcome small = deps(build(recipe("a-1.0", list("guava 33"), PartialMatchRule.SUBSET)));
    LayerOutcome large =
        deps(build(recipe("b-1.0", list("guava 33", "slf4j 2"), PartialMatchRule.SUBSET)));
    byte[] bytes;
    try (StoredObject o = shared.get(large.key()).orElseThrow()) {
      bytes = o.stream().readAllBytes();
    }
    shared.put(large.key(), java.util.Arrays.copyOf(bytes, bytes.length / 2), PutMode.OVERWRITE);

    LayerOutcome mine =
        deps(
            build(
                recipe("app-1.0", list("guava 33", "slf4j 2", "okio 3"), PartialMatchRule.SUBSET)));

    assertThat(mine.extendedFrom()).contains(new ExtendedFrom(small.key(), 1, 3));
    assertThat(warnings).anyMatch(w -> w.contains(large.key()) && w.contains("next candidate"));
    assertThat(added).containsExactly("okio 3", "slf4j 2");
  }

  @Test
  void build_manifestLiesAboutItsConstraints_candidateIsSkipped() throws Exception {
    LayerOutcome first = deps(build(recipe("a-1.0", list("guava 33"), PartialMatchRule.SUBSET)));
    ArchiveManifest honest = manifestOf(first.key());
    ArchiveManifest lying = honest.withConstraints(Optional.of(list("guava 33", "slf4j 2")));
    String manifestKey = first.key().replaceAll("\\.tar\\.zst$", ".manifest");
    shared.put(manifestKey, lying.format().getBytes(StandardCharsets.UTF_8), PutMode.OVERWRITE);

    LayerOutcome mine =
        deps(build(recipe("app-1.0", list("guava 33", "slf4j 2"), PartialMatchRule.SUBSET)));

    assertThat(mine.source()).isEqualTo(LayerSource.BUILT);
    List<PartialMatches.Candidate> candidates =
        PartialMatches.find(
            List.of(shared),
            new DefaultArchiveNamer(),
            "tar.zst",
            recipe("app-2.0", list("guava 33"), PartialMatchRule.SUBSET).dependencies().get().tag(),
            list("guava 33"),
            PartialMatchRule.SUBSET);
    assertThat(candidates)
        .filteredOn(c -> c.archiveKey().equals(first.key()))
        .singleElement()
        .satisfies(c -> assertThat(c.rejected().orElseThrow()).contains("lies"));
  }

  @Test
  void build_originalNamer_candidateKnownOnlyByItsConstraintsCompanion_isExtended()
      throws Exception {
    namer = new dev.halcyon.naming.OriginalHalcyonNamer();
    toolchain = "ghc-7.8.4";
    LayerOutcome first = deps(build(recipe("a-1.0", list("guava 33"), PartialMatchRule.SUBSET)));
    String stem = first.key().replaceAll("\\.tar\\.zst$", "");
    try (StoredObject o = shared.get(stem + ".constraints").orElseThrow()) {
      assertThat(new String(o.stream().readAllBytes(), StandardCharsets.UTF_8))
          .isEqualTo("guava 33\n");
    }
    // As in a bucket the original Halcyon wrote: the companion, and no manifest.
    assertThat(shared.delete(stem + ".manifest")).isTrue();

    LayerOutcome mine =
        deps(build(recipe("app-1.0", list("guava 33", "slf4j 2"), PartialMatchRule.SUBSET)));

    assertThat(mine.extendedFrom()).contains(new ExtendedFrom(first.key(), 1, 2));
    assertThat(added).containsExactly("slf4j 2");
  }

  @Test
  void build_manifestMissing_candidateIsSkipped() throws Exception {
    LayerOutcome first = deps(build(recipe("a-1.0", list("guava 33"), PartialMatchRule.SUBSET)));
    shared.delete(first.key().replaceAll("\\.tar\\.zst$", ".manifest"));

    LayerOutcome mine =
        deps(build(recipe("app-1.0", list("guava 33", "slf4j 2"), PartialMatchRule.SUBSET)));

    assertThat(mine.source()).isEqualTo(LayerSource.BUILT);
  }

  @Test
  void build_hookFailsOnTopOfThePartialLayer_buildsFromNothingAndUploadsOnlyTheWholeLayer()
      throws Exception {
    build(recipe("a-1.0", list("guava 33"), PartialMatchRule.SUBSET));
    Constraints needed = list("guava 33", "slf4j 2");
    LayerBuilder failsOnTop =
        c -> {
          if (Files.exists(c.layerDir().resolve("repo"))) {
            Files.writeString(c.layerDir().resolve("half-written"), "x");
            throw new HookFailedException(".halcyon/dependencies-build failed with exit status 1");
          }
          addMissing.build(c);
        };

    LayerOutcome mine =
        deps(
            build(
                recipe(
                    "app-1.0",
                    DependencyConstraints.of(needed, PartialMatchRule.SUBSET),
                    needed,
                    failsOnTop)));

    assertThat(mine.source()).isEqualTo(LayerSource.BUILT);
    assertThat(warnings).anyMatch(w -> w.contains("failed on top of the partial match"));
    assertThat(added).containsExactly("guava 33", "slf4j 2");
    Path restoredElsewhere = tmp.resolve("check");
    try (StoredObject o = shared.get(mine.key()).orElseThrow()) {
      Files.createDirectories(restoredElsewhere);
      dev.halcyon.archive.Archives.extract(
          o.stream(),
          dev.halcyon.archive.Compression.ZSTD,
          restoredElsewhere.resolve("x"),
          dev.halcyon.archive.ExtractLimits.DEFAULT,
          d -> {});
    }
    assertThat(restoredElsewhere.resolve("x/half-written")).doesNotExist();
  }

  @Test
  void build_candidateDeletedBetweenChoosingAndRestoring_fallsBackToTheNext() throws Exception {
    LayerOutcome small = deps(build(recipe("a-1.0", list("guava 33"), PartialMatchRule.SUBSET)));
    LayerOutcome large =
        deps(build(recipe("b-1.0", list("guava 33", "slf4j 2"), PartialMatchRule.SUBSET)));
    AtomicReference<Boolean> deleted = new AtomicReference<>(false);
    // gc deletes the best candidate after the listing chose it, just before the engine reads it.
    LayerStore gcRacing =
        new ForwardingLayerStore() {
          @Override
          protected LayerStore delegate() {
            return shared;
          }

          @Override
          public Optional<StoredObject> get(String key) throws IOException {
            if (key.equals(large.key()) && !deleted.get()) {
              shared.delete(key);
              deleted.set(true);
            }
            return super.get(key);
          }
        };

    LayerOutcome mine =
        deps(
            build(
                recipe("app-1.0", list("guava 33", "slf4j 2", "okio 3"), PartialMatchRule.SUBSET),
                gcRacing));

    assertThat(deleted.get()).isTrue();
    assertThat(mine.extendedFrom()).contains(new ExtendedFrom(small.key(), 1, 3));
  }

  @Test
  void build_constraintsFromASource_namesTheLayerAfterItsListAndExtends() throws Exception {
    LayerOutcome first = deps(build(recipe("app-1.0", list("guava 33"), PartialMatchRule.SUBSET)));
    Constraints needed = list("guava 33", "slf4j 2");
    ConstraintsSource source = c -> needed;

    RunReport report =
        build(
            recipe(
                "app-1.0",
                DependencyConstraints.from(source, PartialMatchRule.SUBSET),
                needed,
                addMissing));

    LayerOutcome mine = deps(report);
    assertThat(mine.tag().input(LayerTag.CONSTRAINTS_HASH)).isEqualTo(needed.digest().toString());
    assertThat(mine.extendedFrom()).contains(new ExtendedFrom(first.key(), 1, 2));
    assertThat(
            report.layers().stream()
                .filter(l -> l.tag().kind() == LayerKind.BUILD)
                .map(l -> l.tag().input(LayerTag.CONSTRAINTS_HASH)))
        .containsExactly(needed.digest().toString());
  }

  @Test
  void install_deployMachine_neverRunsTheConstraintsSource() throws Exception {
    Constraints needed = list("guava 33");
    List<String> sourceRuns = new ArrayList<>();
    ConstraintsSource counted =
        c -> {
          sourceRuns.add("ran");
          return needed;
        };
    AppRecipe recipe =
        recipe(
            "app-1.0",
            DependencyConstraints.from(counted, PartialMatchRule.SUBSET),
            needed,
            addMissing);
    build(recipe);
    assertThat(sourceRuns).hasSize(1);

    Engine deploy =
        Engine.builder()
            .cache(new InMemoryLayerStore())
            .privateStore(shared)
            .workDir(tmp.resolve("deployer"))
            .noBuild(true)
            .build();
    RunReport deployed = deploy.install(recipe, tmp.resolve("root/app"));

    assertThat(sourceRuns).as("the install archive's name needs no list").hasSize(1);
    assertThat(deployed.layers())
        .singleElement()
        .extracting(l -> l.tag().kind())
        .isEqualTo(LayerKind.INSTALL);
  }

  @Test
  void build_constraintsSourceFails_failsWithItsLineAndNamesNoLayer() throws Exception {
    Constraints needed = list("guava 33");
    ConstraintsSource failing =
        c -> {
          throw new HookFailedException(".halcyon/constraints-hook failed with exit status 3");
        };

    assertThatThrownBy(
            () ->
                build(
                    recipe(
                        "app-1.0",
                        DependencyConstraints.from(failing, PartialMatchRule.SUBSET),
                        needed,
                        addMissing)))
        .isInstanceOf(HookFailedException.class)
        .hasMessageContaining("exit status 3");
    try (Stream<String> keys = shared.list("").stream().map(i -> i.key())) {
      assertThat(keys).noneMatch(k -> k.contains("dependencies"));
    }
  }
}
