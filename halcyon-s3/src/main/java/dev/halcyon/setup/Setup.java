package dev.halcyon.setup;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.halcyon.engine.Engine;
import dev.halcyon.layer.LayerTag;
import dev.halcyon.layer.Platforms;
import dev.halcyon.naming.ArchiveNamer;
import dev.halcyon.naming.DefaultArchiveNamer;
import dev.halcyon.naming.OriginalHalcyonNamer;
import dev.halcyon.retention.GarbageCollector;
import dev.halcyon.retention.GcReport;
import dev.halcyon.retention.RetentionPolicies;
import dev.halcyon.retention.RetentionPolicy;
import dev.halcyon.s3.S3LayerStore;
import dev.halcyon.s3.S3Settings;
import dev.halcyon.store.DirectoryLayerStore;
import dev.halcyon.store.HttpLayerStore;
import dev.halcyon.store.LayerStore;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * What the {@code halcyon} command wires from its settings, for a build tool to get with one call:
 * the local cache, private storage (an S3 bucket or a directory), public storage, the namer, the
 * retention policy, the pruner a build machine runs after uploading, and an {@link Engine.Builder}
 * with all of them and the run flags set.
 *
 * <pre>{@code
 * try (Setup setup = Setup.open(System.getenv())) {
 *   Engine engine = setup.engineBuilder().listener(myListener).build();
 *   engine.install(recipe, setup.settings().root().resolve("app"));
 * }
 * }</pre>
 *
 * Stores are opened on first use (an S3 client only when a request is made) and closed by {@link
 * #close}. Not thread-safe; the stores and engines it hands out are.
 */
public final class Setup implements Closeable {
  private final Settings settings;
  private final String platform;
  private final ArchiveNamer namer;
  private final Consumer<String> notices;
  private final List<LayerStore> opened = new ArrayList<>();
  private LayerStore cache;
  private Optional<LayerStore> privateStore;
  private Optional<LayerStore> publicStore;

  private Setup(Settings settings, Consumer<String> notices) {
    this.settings = settings;
    this.notices = notices;
    this.platform = settings.platform().orElseGet(Platforms::detect);
    this.namer =
        settings.naming().equals("original")
            ? new OriginalHalcyonNamer()
            : new DefaultArchiveNamer();
  }

  /**
   * The setup of settings keyed by environment variable names ({@code HALCYON_*}, the S3
   * variables), with defaults under the user's home ({@code HOME}, else {@code user.home}).
   *
   * @param values settings by environment variable name, e.g. {@code System.getenv()}
   * @return the setup; nothing is opened yet. Close it when done
   * @throws IllegalArgumentException naming the setting and what it accepts
   */
  public static Setup open(Map<String, String> values) {
    return open(values, line -> {});
  }

  /**
   * Like {@link #open(Map)}; the S3 store tells {@code notices} how it adapted to its service.
   *
   * @param values settings by environment variable name, e.g. {@code System.getenv()}
   * @param notices gets one line per fallback the S3 store makes; must not block
   * @return the setup; nothing is opened yet. Close it when done
   */
  public static Setup open(Map<String, String> values, Consumer<String> notices) {
    checkNotNull(values, "values");
    checkNotNull(notices, "notices");
    String home = values.getOrDefault("HOME", System.getProperty("user.home"));
    return new Setup(Settings.from(values, Path.of(home)), notices);
  }

  /**
   * The settings, as parsed.
   *
   * @return the settings this setup was made from
   */
  public Settings settings() {
    return settings;
  }

  /**
   * The platform id: the configured one, else the detected one.
   *
   * @return the platform id, e.g. {@code linux-debian-12-x86_64}
   */
  public String platform() {
    return platform;
  }

  /**
   * The namer the settings choose.
   *
   * @return the {@code original} namer when {@code HALCYON_NAMING} says so, else the default one
   */
  public ArchiveNamer namer() {
    return namer;
  }

  /**
   * The local cache directory store.
   *
   * @return the cache store, opened on the first call and closed by {@link #close}
   * @throws IOException if the cache directory cannot be created
   */
  public LayerStore cache() throws IOException {
    if (cache == null) {
      cache = remember(new DirectoryLayerStore(settings.cache()));
    }
    return cache;
  }

  /**
   * Private storage: the S3 bucket, else the storage directory, else none.
   *
   * @return the private store, opened on the first call and closed by {@link #close}; empty when
   *     none is configured or it is switched off
   * @throws IOException if the storage directory cannot be created
   */
  public Optional<LayerStore> privateStore() throws IOException {
    if (privateStore == null) {
      if (!settings.hasPrivateStorage()) {
        privateStore = Optional.empty();
      } else if (settings.s3Bucket().isPresent()) {
        S3Settings s3 = S3Settings.fromEnvironment(settings.values());
        privateStore =
            Optional.of(
                remember(
                    new LazyLayerStore(
                        () -> S3LayerStore.builder().settings(s3).notices(notices).build(),
                        s3.describe())));
      } else {
        privateStore =
            Optional.of(remember(new DirectoryLayerStore(settings.storageDir().orElseThrow())));
      }
    }
    return privateStore;
  }

  /**
   * Read-only public storage, when configured.
   *
   * @return the public store, opened on the first call and closed by {@link #close}; empty when
   *     none is configured
   */
  public Optional<LayerStore> publicStore() {
    if (publicStore == null) {
      publicStore = settings.publicStorageUrl().map(u -> remember(new HttpLayerStore(u)));
    }
    return publicStore;
  }

  /**
   * The retention policy ({@code HALCYON_RETENTION}).
   *
   * @return the policy, with reference protection and the default grace period unless the text
   *     turns them off
   * @throws IllegalArgumentException naming the setting, when the policy does not parse
   */
  public RetentionPolicy retentionPolicy() {
    try {
      return RetentionPolicies.parse(settings.retention(), Clock.systemUTC());
    } catch (IllegalArgumentException e) {
      throw new InvalidSettingException(
          "HALCYON_RETENTION", "HALCYON_RETENTION: " + e.getMessage(), e);
    }
  }

  /**
   * Prunes the folder of the app's toolchain (its dependencies, build and install archives) after
   * an upload, as the original did; a whole-bucket collection is {@code GarbageCollector}'s job.
   *
   * @return a pruner using {@link #retentionPolicy()} and {@link #namer()}; its summary line names
   *     the count, bytes and store
   */
  public Engine.Pruner pruner() {
    RetentionPolicy policy = retentionPolicy();
    return (store, recipe) -> {
      LayerTag tag = recipe.install().tag();
      GcReport report =
          GarbageCollector.of(store, namer, policy)
              .withPrefix(namer.toolchainPrefix(tag.platform(), tag.toolchain()))
              .collect(false);
      return String.format(
          Locale.ROOT,
          "pruned %d out-of-date archive(s) and sidecar(s), %s, from %s",
          report.plan().condemned().size(),
          bytes(report.bytesFreed()),
          store.describe());
    };
  }

  /**
   * An engine builder with the stores, namer, codec, work directory, cache cap, run flags and
   * (unless uploads or deletes are off) the pruner set; add a listener and build. Empties the cache
   * first when the settings say so ({@code HALCYON_PURGE_CACHE}).
   *
   * @return a new builder; the stores in it are closed by {@link #close}, not by the engine
   * @throws IOException if a store cannot be opened, or emptying the cache fails
   */
  public Engine.Builder engineBuilder() throws IOException {
    if (settings.purgeCache()) {
      LayerStore c = cache();
      c.deleteAll(c.list("").stream().map(i -> i.key()).toList());
    }
    Engine.Builder b =
        Engine.builder()
            .cache(cache())
            .namer(namer)
            .compression(settings.compression())
            .workDir(settings.base())
            .noBuild(settings.noBuild())
            .noBuildDependencies(settings.noBuildDependencies())
            .noUpload(settings.noUpload())
            .noCleanCache(settings.noCleanCache())
            .deltaRestore(settings.deltaRestore());
    settings.cacheMaxSize().ifPresent(b::cacheMaxSize);
    privateStore().ifPresent(b::privateStore);
    publicStore().ifPresent(b::publicStore);
    if (!settings.noDelete() && !settings.noUpload()) {
      b.pruner(pruner());
    }
    return b;
  }

  /**
   * {@code n} bytes for a person: {@code 512 B}, {@code 1.5 KB}, {@code 2.0 GB}.
   *
   * @param n a number of bytes, not negative
   * @return the size with one decimal in units of 1024, or plain bytes below 1024
   */
  public static String bytes(long n) {
    if (n < 1024) {
      return n + " B";
    }
    double v = n;
    String[] units = {"KB", "MB", "GB", "TB"};
    int i = -1;
    while (v >= 1024 && i < units.length - 1) {
      v /= 1024;
      i++;
    }
    return String.format(Locale.ROOT, "%.1f %s", v, units[i]);
  }

  private <T extends LayerStore> T remember(T store) {
    opened.add(store);
    return store;
  }

  /**
   * Removes temporary files of killed writers (older than an hour) from directory stores, then
   * closes every store opened; the first failure is thrown after all were tried.
   */
  @Override
  public void close() throws IOException {
    for (LayerStore s : opened) {
      if (s instanceof DirectoryLayerStore directory) {
        directory.removeStaleTemporaryFiles(Duration.ofHours(1));
      }
    }
    IOException first = null;
    for (LayerStore s : opened) {
      try {
        s.close();
      } catch (IOException e) {
        first = first == null ? e : first;
      }
    }
    if (first != null) {
      throw first;
    }
  }
}
