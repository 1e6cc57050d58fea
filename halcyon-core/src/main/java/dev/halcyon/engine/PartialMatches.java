package dev.halcyon.engine;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.halcyon.layer.Constraints;
import dev.halcyon.layer.Digest;
import dev.halcyon.layer.LayerKind;
import dev.halcyon.layer.LayerTag;
import dev.halcyon.manifest.ArchiveManifest;
import dev.halcyon.naming.ArchiveName;
import dev.halcyon.naming.ArchiveNamer;
import dev.halcyon.recipe.PartialMatchRule;
import dev.halcyon.store.CorruptObjectException;
import dev.halcyon.store.LayerStore;
import dev.halcyon.store.ObjectInfo;
import dev.halcyon.store.StoredObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Finds the stored dependencies layers a missing one can be extended from (the original Halcyon's
 * partial sandbox match, spec §7.1): every dependencies archive of the same platform and toolchain,
 * of any app, built by the same hooks (magic hash), whose dependency list is read from the {@value
 * ArchiveManifest#EXTENSION} sidecar beside it — or, for archives that have none, from the
 * original's {@code .constraints} companion. Only sidecars are read, never an archive.
 *
 * <p>Used by the engine on a build machine and by {@code halcyon explain}. Stateless and
 * thread-safe; the caller keeps and closes the stores.
 */
public final class PartialMatches {
  /** The original Halcyon's sidecar holding an archive's constraints. */
  public static final String CONSTRAINTS_EXTENSION = "constraints";

  private PartialMatches() {}

  /**
   * A stored dependencies layer considered for extension.
   *
   * @param store the store that lists it
   * @param archiveKey the key of its archive
   * @param tag the tag its manifest records, or empty when only a {@code .constraints} companion
   *     describes it (the restored archive's tag is then checked against the list)
   * @param constraints its dependency list (empty when it could not be read)
   * @param created when it was made (the manifest's time, else the sidecar's)
   * @param overlap how many needed entries it holds at the needed version
   * @param missing the needed {@code name version} entries it lacks
   * @param rejected why it does not qualify, or empty if it does
   */
  public record Candidate(
      LayerStore store,
      String archiveKey,
      Optional<LayerTag> tag,
      Constraints constraints,
      Instant created,
      int overlap,
      List<String> missing,
      Optional<String> rejected) {
    /**
     * Checks the fields and copies {@code missing}.
     *
     * @param store the store that lists it
     * @param archiveKey the key of its archive
     * @param tag the tag its manifest records, or empty
     * @param constraints its dependency list
     * @param created when it was made
     * @param overlap how many needed entries it holds
     * @param missing the needed entries it lacks; copied
     * @param rejected why it does not qualify, or empty
     */
    public Candidate {
      checkNotNull(store, "store");
      checkNotNull(archiveKey, "archiveKey");
      checkNotNull(tag, "tag");
      checkNotNull(constraints, "constraints");
      checkNotNull(created, "created");
      missing = List.copyOf(missing);
      checkNotNull(rejected, "rejected");
    }

    /**
     * Whether the candidate may be extended.
     *
     * @return true if it has no reason for rejection
     */
    public boolean qualifies() {
      return rejected.isEmpty();
    }

    /** Whether {@code restored}, the tag found in its archive, is the layer this candidate says. */
    boolean accepts(LayerTag restored, LayerTag wanted) {
      if (tag.isPresent()) {
        return tag.get().equals(restored);
      }
      return sameLayerFamily(restored, wanted)
          && restored.input(LayerTag.CONSTRAINTS_HASH).equals(constraints.digest().toString());
    }
  }

  /**
   * Every candidate for {@code wanted}: the qualifying ones first, best first (largest overlap,
   * then newest, then key), then those that do not qualify, each with its reason. An archive listed
   * by several stores is considered once, from the first store.
   *
   * @param extension the archive extension the run uses (a candidate of another codec cannot be
   *     restored by it)
   * @param stores the stores to search, in tier order; not closed
   * @param namer reads the stores' keys
   * @param wanted the tag of the missing dependencies layer
   * @param needed the dependency list the layer needs
   * @param rule which candidates qualify and how they rank
   * @return every candidate, qualifying ones first; empty if no other dependencies archive of that
   *     platform and toolchain is stored
   * @throws IOException if a store fails to list or read
   * @throws IllegalArgumentException if {@code wanted} is not a dependencies layer
   */
  public static List<Candidate> find(
      List<? extends LayerStore> stores,
      ArchiveNamer namer,
      String extension,
      LayerTag wanted,
      Constraints needed,
      PartialMatchRule rule)
      throws IOException {
    checkNotNull(stores, "stores");
    checkNotNull(namer, "namer");
    checkNotNull(extension, "extension");
    checkNotNull(needed, "needed");
    checkNotNull(rule, "rule");
    checkArgument(
        wanted.kind() == LayerKind.DEPENDENCIES, "only dependencies layers are partially matched");
    String exactKey = namer.key(wanted, extension);
    Set<String> seen = new HashSet<>();
    List<Candidate> all = new ArrayList<>();
    for (LayerStore store : stores) {
      Map<String, ObjectInfo> archives = new HashMap<>();
      Map<String, ObjectInfo> manifests = new HashMap<>();
      Map<String, ObjectInfo> companions = new HashMap<>();
      for (ObjectInfo info :
          store.list(namer.toolchainPrefix(wanted.platform(), wanted.toolchain()))) {
        Optional<ArchiveName> name = namer.parse(info.key());
        if (name.isEmpty() || name.get().kind() != LayerKind.DEPENDENCIES) {
          continue;
        }
        String archiveKey = namer.key(name.get().withExtension(extension));
        if (archiveKey.equals(exactKey)) {
          continue;
        }
        String ext = name.get().extension();
        if (ext.equals(extension)) {
          archives.put(archiveKey, info);
        } else if (ext.equals(ArchiveManifest.EXTENSION)) {
          manifests.put(archiveKey, info);
        } else if (ext.equals(CONSTRAINTS_EXTENSION)) {
          companions.put(archiveKey, info);
        }
      }
      for (String archiveKey : archives.keySet().stream().sorted().toList()) {
        if (!seen.add(archiveKey)) {
          continue;
        }
        ObjectInfo manifest = manifests.get(archiveKey);
        ObjectInfo companion = companions.get(archiveKey);
        if (manifest != null) {
          all.add(fromManifest(store, archiveKey, manifest, wanted, needed, rule));
        } else if (companion != null) {
          all.add(fromCompanion(store, namer, archiveKey, companion, wanted, needed, rule));
        } else {
          all.add(
              rejected(
                  store,
                  archiveKey,
                  archives.get(archiveKey).lastModified(),
                  "no manifest or .constraints beside it says what it holds"));
        }
      }
    }
    Comparator<Candidate> better =
        Comparator.comparingInt(Candidate::overlap)
            .reversed()
            .thenComparing(Candidate::created, Comparator.reverseOrder())
            .thenComparing(Candidate::archiveKey);
    List<Candidate> ordered = new ArrayList<>();
    all.stream().filter(Candidate::qualifies).sorted(better).forEach(ordered::add);
    all.stream().filter(c -> !c.qualifies()).forEach(ordered::add);
    return ordered;
  }

  private static Candidate fromManifest(
      LayerStore store,
      String archiveKey,
      ObjectInfo info,
      LayerTag wanted,
      Constraints needed,
      PartialMatchRule rule)
      throws IOException {
    Optional<String> text = read(store, info.key());
    if (text.isEmpty()) {
      return rejected(
          store, archiveKey, info.lastModified(), "its manifest vanished or is damaged");
    }
    ArchiveManifest manifest;
    try {
      manifest = ArchiveManifest.parse(text.get());
    } catch (IllegalArgumentException e) {
      return rejected(
          store, archiveKey, info.lastModified(), "its manifest does not parse: " + e.getMessage());
    }
    if (!manifest.archiveKey().equals(archiveKey)) {
      return rejected(
          store,
          archiveKey,
          manifest.created(),
          "its manifest describes " + manifest.archiveKey() + " instead");
    }
    LayerTag tag = manifest.tag();
    if (!sameLayerFamily(tag, wanted)) {
      return rejected(
          store,
          archiveKey,
          manifest.created(),
          "built by other hooks or for another toolchain: "
              + String.join("; ", wanted.differences(tag).stream().limit(2).toList()));
    }
    if (manifest.constraints().isEmpty()) {
      return rejected(
          store,
          archiveKey,
          manifest.created(),
          "its manifest lists no constraints (written before partial matching)");
    }
    Constraints has = manifest.constraints().get();
    if (!has.digest().toString().equals(tag.input(LayerTag.CONSTRAINTS_HASH))) {
      return rejected(
          store,
          archiveKey,
          manifest.created(),
          "its manifest's constraints do not hash to its tag's constraints-hash; the manifest"
              + " is damaged or lies");
    }
    return scored(store, archiveKey, Optional.of(tag), has, manifest.created(), needed, rule);
  }

  private static Candidate fromCompanion(
      LayerStore store,
      ArchiveNamer namer,
      String archiveKey,
      ObjectInfo info,
      LayerTag wanted,
      Constraints needed,
      PartialMatchRule rule)
      throws IOException {
    Optional<String> text = read(store, info.key());
    if (text.isEmpty()) {
      return rejected(
          store, archiveKey, info.lastModified(), "its .constraints vanished or is damaged");
    }
    Constraints has;
    try {
      has = Constraints.parse(text.get());
    } catch (IllegalArgumentException e) {
      return rejected(
          store,
          archiveKey,
          info.lastModified(),
          "its .constraints does not parse: " + e.getMessage());
    }
    // The name carries the short constraints hash (and magic hash): a companion whose content does
    // not hash to its name lies, as the original checked (spec §7.1 step 4).
    String[] hashes = namer.parse(info.key()).orElseThrow().hash().split("\\.", -1);
    String wantedMagic = wanted.input(LayerTag.MAGIC_HASH);
    String magicShort = wantedMagic.isEmpty() ? "" : Digest.parse(wantedMagic).shortHex();
    if (!hashes[0].equals(has.digest().shortHex())) {
      return rejected(
          store,
          archiveKey,
          info.lastModified(),
          "its .constraints does not hash to the name's constraints hash; it is damaged or lies");
    }
    if (!(hashes.length > 1 ? hashes[1] : "").equals(magicShort)) {
      return rejected(store, archiveKey, info.lastModified(), "built by other hooks (magic hash)");
    }
    return scored(store, archiveKey, Optional.empty(), has, info.lastModified(), needed, rule);
  }

  private static Candidate scored(
      LayerStore store,
      String archiveKey,
      Optional<LayerTag> tag,
      Constraints has,
      Instant created,
      Constraints needed,
      PartialMatchRule rule) {
    int overlap = 0;
    String reason = null;
    for (Map.Entry<String, String> e : has.versions().entrySet()) {
      String version = needed.versions().get(e.getKey());
      if (e.getValue().equals(version)) {
        overlap++;
      } else if (rule == PartialMatchRule.SUBSET && reason == null) {
        reason =
            version == null
                ? "holds " + e.getKey() + " " + e.getValue() + ", which is not needed"
                : "holds " + e.getKey() + " " + e.getValue() + ", but " + version + " is needed";
      }
    }
    if (reason == null && overlap == 0) {
      reason = "holds none of the needed entries";
    }
    List<String> missing = new ArrayList<>();
    needed
        .versions()
        .forEach(
            (name, version) -> {
              if (!version.equals(has.versions().get(name))) {
                missing.add(name + " " + version);
              }
            });
    return new Candidate(
        store, archiveKey, tag, has, created, overlap, missing, Optional.ofNullable(reason));
  }

  private static Candidate rejected(
      LayerStore store, String archiveKey, Instant created, String reason) {
    return new Candidate(
        store,
        archiveKey,
        Optional.empty(),
        Constraints.EMPTY,
        created,
        0,
        List.of(),
        Optional.of(reason));
  }

  /** Same kind, platform, toolchain and hooks: a layer the wanted one's hook can add to. */
  static boolean sameLayerFamily(LayerTag tag, LayerTag wanted) {
    return tag.kind() == wanted.kind()
        && tag.platform().equals(wanted.platform())
        && tag.toolchain().equals(wanted.toolchain())
        && tag.input(LayerTag.MAGIC_HASH).equals(wanted.input(LayerTag.MAGIC_HASH));
  }

  private static Optional<String> read(LayerStore store, String key) throws IOException {
    Optional<StoredObject> object = store.get(key);
    if (object.isEmpty()) {
      return Optional.empty();
    }
    try (StoredObject o = object.get()) {
      return Optional.of(new String(o.stream().readNBytes(1 << 20), StandardCharsets.UTF_8));
    } catch (CorruptObjectException e) {
      // A sidecar that fails its digest says nothing trustworthy; the candidate is skipped.
      return Optional.empty();
    }
  }
}
