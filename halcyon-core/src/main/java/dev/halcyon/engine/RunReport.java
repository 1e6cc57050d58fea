package dev.halcyon.engine;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.halcyon.layer.LayerKind;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What one {@link Engine} run did: everything the CLI prints, so a build tool can render the same.
 * Immutable.
 *
 * @param layers every layer touched, in order (toolchain, dependencies, build, install)
 * @param installedAt where the app was installed, or empty for {@link Engine#build}
 * @param alreadyInstalled true if the installed app was already current and nothing was done
 * @param took wall time of the whole run
 * @param uploaded the keys of the archives uploaded to private storage, in order
 * @param evicted the keys deleted from the local cache by cleaning and the size cap
 * @param pruned the pruner's summary, when private storage was pruned after an upload
 * @param warnings every warning the run's listeners heard, in order
 * @param installArchive the install archive's key: the one this run restored, built or found, and
 *     when the app was already installed (no layer touched) the one its configuration names
 */
public record RunReport(
    List<LayerOutcome> layers,
    Optional<Path> installedAt,
    boolean alreadyInstalled,
    Duration took,
    List<String> uploaded,
    List<String> evicted,
    Optional<String> pruned,
    List<String> warnings,
    String installArchive) {
  /**
   * Copies the lists.
   *
   * @param layers every layer touched, in order; copied
   * @param installedAt where the app was installed, or empty
   * @param alreadyInstalled true if nothing was done
   * @param took wall time of the whole run
   * @param uploaded the keys uploaded, in order; copied
   * @param evicted the keys deleted from the cache; copied
   * @param pruned the pruner's summary, or empty
   * @param warnings in order; copied
   * @param installArchive the install archive's key; empty only for a report without an install
   *     layer
   */
  public RunReport {
    layers = List.copyOf(layers);
    checkNotNull(installedAt, "installedAt");
    checkNotNull(took, "took");
    uploaded = List.copyOf(uploaded);
    evicted = List.copyOf(evicted);
    checkNotNull(pruned, "pruned");
    warnings = List.copyOf(warnings);
    checkNotNull(installArchive, "installArchive");
  }

  /**
   * A report of layers only: nothing uploaded, evicted or pruned, no warnings; the install archive
   * is the install layer's key, or empty when no install layer is among {@code layers}.
   *
   * @param layers every layer touched, in order
   * @param installedAt where the app was installed, or empty for a build
   * @param alreadyInstalled true if the installed app was already current
   * @param took wall time of the whole run
   */
  public RunReport(
      List<LayerOutcome> layers,
      Optional<Path> installedAt,
      boolean alreadyInstalled,
      Duration took) {
    this(
        layers,
        installedAt,
        alreadyInstalled,
        took,
        List.of(),
        List.of(),
        Optional.empty(),
        List.of(),
        layers.stream()
            .filter(l -> l.tag().kind() == LayerKind.INSTALL)
            .map(LayerOutcome::key)
            .findFirst()
            .orElse(""));
  }

  /**
   * True if any layer had to be built in this run.
   *
   * @return true if some layer's source is {@link LayerSource#BUILT}
   */
  public boolean builtAnything() {
    return layers.stream().anyMatch(l -> l.source() == LayerSource.BUILT);
  }

  /**
   * The layers restored from the cache or a store, in order.
   *
   * @return the layers whose source is the cache, private or public storage; neither built nor
   *     already in place
   */
  public List<LayerOutcome> restored() {
    return layers.stream()
        .filter(l -> l.source() != LayerSource.BUILT && l.source() != LayerSource.EXISTING)
        .toList();
  }

  /**
   * The layers built in this run, in order.
   *
   * @return the layers whose source is {@link LayerSource#BUILT}
   */
  public List<LayerOutcome> built() {
    return layers.stream().filter(l -> l.source() == LayerSource.BUILT).toList();
  }

  /** This report with {@code more} warnings appended. */
  RunReport withWarnings(List<String> more) {
    if (more.isEmpty()) {
      return this;
    }
    List<String> all = new java.util.ArrayList<>(warnings);
    all.addAll(more);
    return new RunReport(
        layers,
        installedAt,
        alreadyInstalled,
        took,
        uploaded,
        evicted,
        pruned,
        all,
        installArchive);
  }
}
