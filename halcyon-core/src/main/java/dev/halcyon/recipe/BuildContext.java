package dev.halcyon.recipe;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.halcyon.layer.LayerKind;
import dev.halcyon.layer.LayerTag;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

/**
 * What a {@link LayerBuilder} gets: the directory to fill and the layers below it.
 *
 * @param tag the identity of the layer being built
 * @param layerDir the directory to fill (for a build layer: a copy of the source tree, possibly
 *     over the previous build of the same label)
 * @param sourceDir the app's source tree
 * @param layerDirs the directories of the layers already in place, by kind (for the install layer,
 *     includes {@link LayerKind#BUILD})
 */
public record BuildContext(
    LayerTag tag, Path layerDir, Path sourceDir, Map<LayerKind, Path> layerDirs) {
  /**
   * Checks the paths and copies {@code layerDirs}.
   *
   * @param tag the identity of the layer being built
   * @param layerDir the directory to fill
   * @param sourceDir the app's source tree
   * @param layerDirs the directories of the layers already in place, by kind; may be empty
   */
  public BuildContext {
    checkNotNull(tag, "tag");
    checkNotNull(layerDir, "layerDir");
    checkNotNull(sourceDir, "sourceDir");
    layerDirs = Map.copyOf(layerDirs.isEmpty() ? new EnumMap<>(LayerKind.class) : layerDirs);
  }

  /**
   * The directory of layer {@code kind}, if that layer exists in this app.
   *
   * @param kind a layer kind
   * @return its directory, or empty if the app has no such layer or it is not in place yet
   */
  public Optional<Path> dir(LayerKind kind) {
    return Optional.ofNullable(layerDirs.get(kind));
  }
}
