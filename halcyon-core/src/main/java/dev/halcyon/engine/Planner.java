package dev.halcyon.engine;

import dev.halcyon.layer.Constraints;
import dev.halcyon.layer.LayerKind;
import dev.halcyon.layer.LayerTag;
import dev.halcyon.manifest.ArchiveManifest;
import dev.halcyon.naming.ArchiveName;
import dev.halcyon.recipe.AppRecipe;
import dev.halcyon.recipe.LayerSpec;
import dev.halcyon.store.LayerStore;
import dev.halcyon.store.ObjectInfo;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Works out an {@link Engine#plan}: only reads (tag files in place, {@code head} and {@code list}
 * on the stores, manifests), never writes, takes no lock. Stateless apart from its configuration.
 */
final class Planner {
  private final EngineConfig config;

  Planner(EngineConfig config) {
    this.config = config;
  }

  Plan plan(AppRecipe recipe, Optional<Path> installDir) throws IOException {
    LayerTag installTag = recipe.install().tag();
    List<PlanStep.Copy> installCopies = copies(installTag);
    LayerSource installSource;
    if (installDir.isPresent() && TagFiles.matches(installDir.get(), installTag)) {
      installSource = LayerSource.EXISTING;
    } else {
      installSource = firstTier(installCopies).orElse(LayerSource.BUILT);
    }
    boolean installStored = installSource != LayerSource.BUILT;
    List<PlanStep> steps = new ArrayList<>();
    boolean dependencyWouldBuild = false;
    for (LayerSpec spec : recipe.layers()) {
      LayerTag tag = spec.tag();
      if (recipe.constraintsPending()
          && (tag.kind() == LayerKind.DEPENDENCIES || tag.kind() == LayerKind.BUILD)) {
        // Named only once a build machine has run the constraints hook, which a plan (no side
        // effects) does not: Engine.nameDependencies names them first for a fuller plan.
        continue;
      }
      boolean install = tag.kind() == LayerKind.INSTALL;
      List<PlanStep.Copy> copies = install ? installCopies : copies(tag);
      LayerSource source;
      if (install) {
        source = installSource;
      } else if (TagFiles.matches(config.layout().layerDir(tag), tag)) {
        source = LayerSource.EXISTING;
      } else if (tag.kind() == LayerKind.BUILD) {
        source = buildSource(tag, copies);
      } else {
        source = firstTier(copies).orElse(LayerSource.BUILT);
      }
      boolean needed = install || !installStored;
      boolean wouldBuild = needed && source == LayerSource.BUILT;
      List<PlanStep.Nearby> nearby =
          copies.isEmpty() || wouldBuild ? nearby(tag) : List.<PlanStep.Nearby>of();
      Optional<LayerTag> nearest = Optional.empty();
      List<String> differences = List.of();
      if (wouldBuild) {
        nearest = nearest(tag, nearby);
        differences = nearest.map(tag::differences).orElse(List.of());
        dependencyWouldBuild |=
            tag.kind() == LayerKind.TOOLCHAIN || tag.kind() == LayerKind.DEPENDENCIES;
      }
      Optional<PlanStep.Partial> partial = Optional.empty();
      if (tag.kind() == LayerKind.DEPENDENCIES
          && copies.stream().noneMatch(PlanStep.Copy::current)
          && recipe.constraints().declared().isPresent()) {
        partial = Optional.of(partial(tag, recipe.constraints().declared().get(), recipe));
      }
      steps.add(
          new PlanStep(
              tag, config.key(tag), source, needed, nearest, differences, copies, nearby, partial));
    }
    boolean forbidden =
        (config.noBuild() && !installStored)
            || (config.noBuildDependencies() && dependencyWouldBuild);
    return new Plan(
        recipe.label(), steps, forbidden, stores().stream().map(LayerStore::describe).toList());
  }

  /**
   * Where the build layer would come from. Its key names the label, not the source, so a stored
   * archive may hold an older build: the run then builds over it incrementally, as it does over an
   * older build of the label in place. A manifest tells which source an archive holds (the first
   * copy with one decides); an archive without one (the cache keeps none) is taken to be current.
   */
  private LayerSource buildSource(LayerTag tag, List<PlanStep.Copy> copies) throws IOException {
    Optional<LayerTag> inPlace = TagFiles.read(config.layout().layerDir(tag));
    if (inPlace.isPresent() && inPlace.get().label().equals(tag.label())) {
      return LayerSource.BUILT;
    }
    Optional<LayerSource> stored = firstTier(copies);
    if (stored.isEmpty()) {
      return LayerSource.BUILT;
    }
    for (PlanStep.Copy copy : copies) {
      if (copy.recorded().isPresent()) {
        return copy.recorded().get().equals(tag) ? stored.get() : LayerSource.BUILT;
      }
    }
    return stored.get();
  }

  /** The tiers, in the order a run tries them. */
  private List<LayerStore> stores() {
    List<LayerStore> stores = new ArrayList<>();
    stores.add(config.cache());
    config.privateStore().ifPresent(stores::add);
    config.publicStore().ifPresent(stores::add);
    return stores;
  }

  /** The tier {@code store} is, of {@link #stores()}. */
  private LayerSource tier(LayerStore store) {
    if (store == config.cache()) {
      return LayerSource.CACHE;
    }
    return config.privateStore().isPresent() && store == config.privateStore().get()
        ? LayerSource.PRIVATE
        : LayerSource.PUBLIC;
  }

  /** The tier of the first copy: the one a run would restore from. */
  private static Optional<LayerSource> firstTier(List<PlanStep.Copy> copies) {
    return copies.stream().findFirst().map(PlanStep.Copy::tier);
  }

  /**
   * Every tier that lists {@code tag}'s key ({@code head}), each with the manifest beside it (a
   * read of the sidecar, never of the archive).
   */
  private List<PlanStep.Copy> copies(LayerTag tag) throws IOException {
    String key = config.key(tag);
    Optional<String> manifestKey = Manifests.keyBeside(config.namer(), key);
    List<PlanStep.Copy> copies = new ArrayList<>();
    for (LayerStore store : stores()) {
      if (store.head(key).isEmpty()) {
        continue;
      }
      Optional<LayerTag> recorded = Optional.empty();
      if (manifestKey.isPresent()) {
        recorded = Manifests.read(store, manifestKey.get()).map(ArchiveManifest::tag);
      }
      List<String> differences = recorded.map(tag::differences).orElse(List.of());
      boolean current =
          recorded.isPresent() ? differences.isEmpty() : tag.kind() != LayerKind.BUILD;
      copies.add(new PlanStep.Copy(tier(store), store.describe(), recorded, differences, current));
    }
    return copies;
  }

  /**
   * The manifests of {@code wanted}'s kind and label in every store: under its toolchain folder, or
   * for a toolchain layer under its platform folder.
   */
  private List<PlanStep.Nearby> nearby(LayerTag wanted) throws IOException {
    String prefix =
        wanted.kind() == LayerKind.TOOLCHAIN
            ? wanted.platform() + "/"
            : config.namer().toolchainPrefix(wanted.platform(), wanted.toolchain());
    List<PlanStep.Nearby> found = new ArrayList<>();
    for (LayerStore store : stores()) {
      for (ObjectInfo info : store.list(prefix)) {
        Optional<ArchiveName> name = config.namer().parse(info.key());
        if (name.isPresent()
            && name.get().extension().equals(ArchiveManifest.EXTENSION)
            && name.get().kind() == wanted.kind()
            && name.get().label().equals(wanted.label())) {
          Optional<ArchiveManifest> manifest = Manifests.read(store, info.key());
          if (manifest.isPresent()) {
            LayerTag tag = manifest.get().tag();
            found.add(
                new PlanStep.Nearby(
                    manifest.get().archiveKey(), store.describe(), tag, wanted.differences(tag)));
          }
        }
      }
    }
    return found;
  }

  /**
   * The tag of the same kind and label closest to {@code wanted} (fewest differences): the one in
   * the layer's directory, else the first of the stored manifests with the fewest.
   */
  private Optional<LayerTag> nearest(LayerTag wanted, List<PlanStep.Nearby> nearby)
      throws IOException {
    List<LayerTag> candidates = new ArrayList<>();
    if (wanted.kind() != LayerKind.INSTALL) {
      TagFiles.read(config.layout().layerDir(wanted))
          .filter(t -> t.kind() == wanted.kind() && t.label().equals(wanted.label()))
          .ifPresent(candidates::add);
    }
    nearby.forEach(n -> candidates.add(n.tag()));
    LayerTag best = null;
    int fewest = Integer.MAX_VALUE;
    for (LayerTag candidate : candidates) {
      int n = wanted.differences(candidate).size();
      if (n < fewest) {
        best = candidate;
        fewest = n;
      }
    }
    return Optional.ofNullable(best);
  }

  /** The partial-match search a build would make for the dependencies layer {@code tag}. */
  private PlanStep.Partial partial(LayerTag tag, Constraints needed, AppRecipe recipe)
      throws IOException {
    List<LayerStore> remote = new ArrayList<>();
    config.privateStore().ifPresent(remote::add);
    config.publicStore().ifPresent(remote::add);
    return new PlanStep.Partial(
        recipe.constraints().rule(),
        needed,
        remote.stream().map(LayerStore::describe).toList(),
        PartialMatches.find(
            remote,
            config.namer(),
            config.compression().extension(),
            tag,
            needed,
            recipe.constraints().rule()));
  }
}
