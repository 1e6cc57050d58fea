package dev.halcyon.engine;

import static com.google.common.base.Preconditions.checkNotNull;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What one {@link Engine} run did.
 *
 * @param layers every layer touched, in order (toolchain, dependencies, build, install)
 * @param installedAt where the app was installed, or empty for {@link Engine#build}
 * @param alreadyInstalled true if the installed app was already current and nothing was done
 * @param took wall time of the whole run
 */
public record RunReport(
    List<LayerOutcome> layers,
    Optional<Path> installedAt,
    boolean alreadyInstalled,
    Duration took) {
  public RunReport {
    layers = List.copyOf(layers);
    checkNotNull(installedAt, "installedAt");
    checkNotNull(took, "took");
  }

  /** True if any layer had to be built in this run. */
  public boolean builtAnything() {
    return layers.stream().anyMatch(l -> l.source() == LayerSource.BUILT);
  }
}
