package dev.halcyon.engine;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.halcyon.archive.Compression;
import dev.halcyon.layer.LayerTag;
import dev.halcyon.naming.ArchiveNamer;
import dev.halcyon.store.LayerStore;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The configuration of an {@link Engine}, as {@link Engine.Builder#build} fixed it; see the
 * builder's methods for what each component means. Immutable; the stores are shared, not owned.
 */
record EngineConfig(
    LayerStore cache,
    Optional<LayerStore> privateStore,
    Optional<LayerStore> publicStore,
    ArchiveNamer namer,
    Compression compression,
    WorkDirLayout layout,
    boolean noBuild,
    boolean noBuildDependencies,
    boolean noUpload,
    boolean noCleanCache,
    boolean cleanCacheAcrossApps,
    boolean noMirror,
    Optional<Engine.Pruner> pruner,
    EngineListener listener,
    Clock clock,
    Duration cacheGrace,
    OptionalLong cacheMaxSize,
    boolean deltaRestore) {

  EngineConfig {
    checkNotNull(cache, "cache");
    checkNotNull(privateStore, "privateStore");
    checkNotNull(publicStore, "publicStore");
    checkNotNull(namer, "namer");
    checkNotNull(compression, "compression");
    checkNotNull(layout, "layout");
    checkNotNull(pruner, "pruner");
    checkNotNull(listener, "listener");
    checkNotNull(clock, "clock");
    checkArgument(!cacheGrace.isNegative(), "grace must not be negative");
    checkNotNull(cacheMaxSize, "cacheMaxSize");
  }

  /** This configuration with {@code other} as its listener. */
  EngineConfig withListener(EngineListener other) {
    return new EngineConfig(
        cache,
        privateStore,
        publicStore,
        namer,
        compression,
        layout,
        noBuild,
        noBuildDependencies,
        noUpload,
        noCleanCache,
        cleanCacheAcrossApps,
        noMirror,
        pruner,
        other,
        clock,
        cacheGrace,
        cacheMaxSize,
        deltaRestore);
  }

  /** The key of the archive that holds {@code tag}. */
  String key(LayerTag tag) {
    return namer.key(tag, compression.extension());
  }

  /** Whether this run may upload to private storage: there is one, and uploads are on. */
  boolean uploads() {
    return !noUpload && privateStore.isPresent();
  }

  /** The stores, in the order they are tried, for messages. */
  String describeStores() {
    List<String> names = new ArrayList<>();
    names.add("the local cache (" + cache.describe() + ")");
    privateStore.ifPresent(p -> names.add("private storage (" + p.describe() + ")"));
    publicStore.ifPresent(p -> names.add("public storage (" + p.describe() + ")"));
    return String.join(", ", names);
  }
}
