package dev.halcyon.engine;

import dev.halcyon.layer.LayerKind;
import dev.halcyon.layer.LayerTag;
import dev.halcyon.manifest.ArchiveManifest;
import dev.halcyon.naming.ArchiveName;
import dev.halcyon.recipe.AppRecipe;
import dev.halcyon.recipe.LayerSpec;
import dev.halcyon.store.LayerStore;
import dev.halcyon.store.ObjectInfo;
import dev.halcyon.store.StoredObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
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
    LayerSource installSource;
    if (installDir.isPresent() && TagFiles.matches(installDir.get(), installTag)) {
      installSource = LayerSource.EXISTING;
    } else {
      installSource = storedIn(config.key(installTag)).orElse(LayerSource.BUILT);
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
      LayerSource source;
      if (install) {
        source = installSource;
      } else if (TagFiles.matches(config.layout().layerDir(tag), tag)) {
        source = LayerSource.EXISTING;
      } else if (tag.kind() == LayerKind.BUILD) {
        source = buildSource(tag);
      } else {
        source = storedIn(config.key(tag)).orElse(LayerSource.BUILT);
      }
      boolean needed = install || !installStored;
      Optional<LayerTag> nearest = Optional.empty();
      List<String> differences = List.of();
      if (needed && source == LayerSource.BUILT) {
        nearest = nearest(tag);
        differences = nearest.map(tag::differences).orElse(List.of());
        dependencyWouldBuild |=
            tag.kind() == LayerKind.TOOLCHAIN || tag.kind() == LayerKind.DEPENDENCIES;
      }
      steps.add(new PlanStep(tag, config.key(tag), source, needed, nearest, differences));
    }
    boolean forbidden =
        (config.noBuild() && !installStored)
            || (config.noBuildDependencies() && dependencyWouldBuild);
    return new Plan(recipe.label(), steps, forbidden);
  }

  /**
   * Where the build layer would come from. Its key names the label, not the source, so a stored
   * archive may hold an older build: the run then builds over it incrementally, as it does over an
   * older build of the label in place. A manifest tells which source an archive holds; an archive
   * without one (the cache keeps none) is taken to be current.
   */
  private LayerSource buildSource(LayerTag tag) throws IOException {
    Optional<LayerTag> inPlace = TagFiles.read(config.layout().layerDir(tag));
    if (inPlace.isPresent() && inPlace.get().label().equals(tag.label())) {
      return LayerSource.BUILT;
    }
    String key = config.key(tag);
    Optional<LayerSource> stored = storedIn(key);
    if (stored.isEmpty()) {
      return LayerSource.BUILT;
    }
    for (LayerStore store : stores()) {
      Optional<String> manifestKey =
          config
              .namer()
              .parse(key)
              .map(n -> config.namer().key(n.withExtension(ArchiveManifest.EXTENSION)));
      if (manifestKey.isPresent()) {
        Optional<ArchiveManifest> manifest = manifest(store, manifestKey.get());
        if (manifest.isPresent()) {
          return manifest.get().tag().equals(tag) ? stored.get() : LayerSource.BUILT;
        }
      }
    }
    return stored.get();
  }

  private List<LayerStore> stores() {
    List<LayerStore> stores = new ArrayList<>();
    stores.add(config.cache());
    config.privateStore().ifPresent(stores::add);
    config.publicStore().ifPresent(stores::add);
    return stores;
  }

  /** The first tier that lists {@code key}, by {@code head} alone. */
  private Optional<LayerSource> storedIn(String key) throws IOException {
    if (config.cache().head(key).isPresent()) {
      return Optional.of(LayerSource.CACHE);
    }
    if (config.privateStore().isPresent() && config.privateStore().get().head(key).isPresent()) {
      return Optional.of(LayerSource.PRIVATE);
    }
    if (config.publicStore().isPresent() && config.publicStore().get().head(key).isPresent()) {
      return Optional.of(LayerSource.PUBLIC);
    }
    return Optional.empty();
  }

  /**
   * The tag of the same kind and label closest to {@code wanted} (fewest differences): the one in
   * the layer's directory, or one a stored manifest records.
   */
  private Optional<LayerTag> nearest(LayerTag wanted) throws IOException {
    List<LayerTag> candidates = new ArrayList<>();
    if (wanted.kind() != LayerKind.INSTALL) {
      TagFiles.read(config.layout().layerDir(wanted))
          .filter(t -> t.kind() == wanted.kind() && t.label().equals(wanted.label()))
          .ifPresent(candidates::add);
    }
    List<LayerStore> stores = stores();
    String prefix =
        wanted.kind() == LayerKind.TOOLCHAIN
            ? wanted.platform() + "/"
            : config.namer().toolchainPrefix(wanted.platform(), wanted.toolchain());
    for (LayerStore store : stores) {
      for (ObjectInfo info : store.list(prefix)) {
        Optional<ArchiveName> name = config.namer().parse(info.key());
        if (name.isPresent()
            && name.get().extension().equals(ArchiveManifest.EXTENSION)
            && name.get().kind() == wanted.kind()
            && name.get().label().equals(wanted.label())) {
          manifest(store, info.key()).ifPresent(m -> candidates.add(m.tag()));
        }
      }
    }
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

  private static Optional<ArchiveManifest> manifest(LayerStore store, String key)
      throws IOException {
    Optional<StoredObject> object = store.get(key);
    if (object.isEmpty()) {
      return Optional.empty();
    }
    try (StoredObject o = object.get()) {
      return Optional.of(
          ArchiveManifest.parse(new String(o.stream().readAllBytes(), StandardCharsets.UTF_8)));
    } catch (IllegalArgumentException e) {
      return Optional.empty(); // a manifest that does not parse is no candidate
    }
  }
}
