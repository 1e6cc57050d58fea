package dev.halcyon.retention;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.halcyon.layer.LayerKind;
import dev.halcyon.layer.LayerTag;
import dev.halcyon.manifest.ArchiveManifest;
import dev.halcyon.naming.ArchiveName;
import dev.halcyon.naming.ArchiveNamer;
import dev.halcyon.store.LayerStore;
import dev.halcyon.store.ObjectInfo;
import dev.halcyon.store.StoredObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Finds the stored archives a missing layer is nearest to, and how their tags differ from the one
 * wanted: what {@code halcyon explain} shows when an archive is not stored, so a person can see
 * which input changed.
 *
 * <p>The nearest archives of a layer are those of the same kind and label in the same place: every
 * {@value ArchiveManifest#EXTENSION} object under the wanted layer's toolchain folder ({@link
 * ArchiveNamer#toolchainPrefix}), or for a toolchain layer under its platform folder, whose key the
 * namer reads as a manifest of that kind and label. Only the manifests are read (never an archive),
 * so the search costs one listing per store and one small read per candidate. Manifests that do not
 * parse, or vanish between listing and reading, are skipped. Stateless and thread-safe; the caller
 * keeps and closes the stores.
 */
public final class NearestManifests {
  private NearestManifests() {}

  /**
   * A stored manifest near the wanted layer.
   *
   * @param store the store that holds it
   * @param manifest the manifest as stored
   * @param differences {@code wanted.differences(manifest.tag())}: one line per field or input that
   *     differs, empty if the tags are equal
   */
  public record Match(LayerStore store, ArchiveManifest manifest, List<String> differences) {
    /**
     * Checks the fields and copies the differences.
     *
     * @param store the store that holds it
     * @param manifest the manifest as stored
     * @param differences one line per differing field; empty if the tags are equal
     */
    public Match {
      checkNotNull(store, "store");
      checkNotNull(manifest, "manifest");
      differences = List.copyOf(differences);
    }
  }

  /**
   * The manifests near {@code wanted}, store by store in the order given, each store's in its
   * listing order (sorted by key).
   *
   * @param stores the stores to search, in order; not closed
   * @param namer reads the stores' keys
   * @param wanted the tag of the layer that is missing
   * @return every near manifest with its differences; empty if none is stored
   * @throws IOException if a store fails to list or read
   * @throws IllegalArgumentException if {@code namer} cannot name the wanted layer's folder
   */
  public static List<Match> find(
      List<? extends LayerStore> stores, ArchiveNamer namer, LayerTag wanted) throws IOException {
    List<Match> matches = new ArrayList<>();
    find(stores, namer, wanted, matches::add);
    return matches;
  }

  /**
   * Like {@link #find(List, ArchiveNamer, LayerTag)}, handing each match to {@code found} as soon
   * as it is read, so a caller that prints them has printed every match before a later failure.
   *
   * @param stores the stores to search, in order; not closed
   * @param namer reads the stores' keys
   * @param wanted the tag of the layer that is missing
   * @param found gets each match, on the calling thread
   * @throws IOException if a store fails to list or read; matches found before were handed over
   * @throws IllegalArgumentException if {@code namer} cannot name the wanted layer's folder
   */
  public static void find(
      List<? extends LayerStore> stores,
      ArchiveNamer namer,
      LayerTag wanted,
      Consumer<? super Match> found)
      throws IOException {
    checkNotNull(stores, "stores");
    checkNotNull(namer, "namer");
    checkNotNull(wanted, "wanted");
    checkNotNull(found, "found");
    for (LayerStore store : stores) {
      String prefix =
          wanted.kind() == LayerKind.TOOLCHAIN
              ? wanted.platform() + "/"
              : namer.toolchainPrefix(wanted.platform(), wanted.toolchain());
      for (ObjectInfo info : store.list(prefix)) {
        Optional<ArchiveName> name = namer.parse(info.key());
        if (name.isEmpty()
            || !name.get().extension().equals(ArchiveManifest.EXTENSION)
            || name.get().kind() != wanted.kind()
            || !name.get().label().equals(wanted.label())) {
          continue;
        }
        Optional<ArchiveManifest> manifest = read(store, info.key());
        if (manifest.isPresent()) {
          found.accept(new Match(store, manifest.get(), wanted.differences(manifest.get().tag())));
        }
      }
    }
  }

  /** The manifest stored under {@code key}, or empty if it is gone or does not parse. */
  private static Optional<ArchiveManifest> read(LayerStore store, String key) throws IOException {
    Optional<StoredObject> object = store.get(key);
    if (object.isEmpty()) {
      return Optional.empty();
    }
    try (StoredObject o = object.get()) {
      return Optional.of(
          ArchiveManifest.parse(new String(o.stream().readAllBytes(), StandardCharsets.UTF_8)));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
