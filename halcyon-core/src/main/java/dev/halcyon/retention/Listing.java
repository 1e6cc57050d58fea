package dev.halcyon.retention;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.halcyon.manifest.ArchiveManifest;
import dev.halcyon.naming.ArchiveName;
import dev.halcyon.naming.ArchiveNamer;
import dev.halcyon.store.ObjectInfo;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * What a store holds, as retention policies see it: the objects a namer understands (archives and
 * their sidecars, archives paired with their manifests) and, apart, the keys it does not.
 *
 * <p>Policies only ever condemn {@link #objects()}; {@link #unknown()} is listed so that {@code ls}
 * can show it, and is never deleted. Immutable and thread-safe.
 *
 * @param objects every archive and sidecar, sorted by key, keys unique
 * @param unknown the objects whose keys the namer does not write, sorted by key
 */
public record Listing(List<StoredArchive> objects, List<ObjectInfo> unknown) {

  /**
   * Sorts and copies both lists and checks that no key appears twice.
   *
   * @param objects every understood archive and sidecar, in any order
   * @param unknown the objects the namer does not understand, in any order
   * @throws IllegalArgumentException naming the key, if a key is listed twice (in either list)
   */
  public Listing {
    objects = sortedCopy(objects, StoredArchive::key);
    unknown = sortedCopy(unknown, ObjectInfo::key);
    Set<String> keys = new HashSet<>();
    for (StoredArchive object : objects) {
      checkArgument(keys.add(object.key()), "listing has key %s twice", object.key());
    }
    for (ObjectInfo info : unknown) {
      checkArgument(keys.add(info.key()), "listing has key %s twice", info.key());
    }
  }

  /**
   * A listing of understood objects only.
   *
   * @param objects understood archives and sidecars, in any order
   * @return a listing with no unknown keys
   */
  public static Listing of(List<StoredArchive> objects) {
    return new Listing(objects, List.of());
  }

  /**
   * Builds a listing from a store listing: parses every key with {@code namer}, pairs each archive
   * with the manifest stored under its name with extension {@value ArchiveManifest#EXTENSION}, and
   * sets aside keys the namer does not know.
   *
   * <p>A manifest is paired only when it names this exact archive key ({@link
   * ArchiveManifest#archiveKey()}), so two codecs of one layer never borrow each other's manifest.
   *
   * @param manifests parsed manifests by the key of the manifest object; missing or unreadable ones
   *     are simply absent
   * @param objects a store listing, e.g. {@code LayerStore.list(prefix)}
   * @param namer reads the keys
   * @return the listing; manifests are paired where found
   */
  public static Listing of(
      List<ObjectInfo> objects, Map<String, ArchiveManifest> manifests, ArchiveNamer namer) {
    checkNotNull(objects, "objects");
    checkNotNull(manifests, "manifests");
    checkNotNull(namer, "namer");
    Map<String, StoredArchive> parsed = new LinkedHashMap<>();
    List<ObjectInfo> unknown = new ArrayList<>();
    for (ObjectInfo info : objects) {
      Optional<ArchiveName> name = namer.parse(info.key());
      if (name.isEmpty()) {
        unknown.add(info);
        continue;
      }
      Optional<ArchiveManifest> manifest = Optional.empty();
      if (name.get().isArchive()) {
        manifest =
            Optional.ofNullable(manifests.get(manifestKey(namer, name.get())))
                .filter(m -> m.archiveKey().equals(info.key()));
      }
      parsed.put(
          info.key(),
          new StoredArchive(info.key(), name.get(), info.size(), info.lastModified(), manifest));
    }
    return new Listing(new ArrayList<>(parsed.values()), unknown);
  }

  /**
   * The key under which {@code namer} stores the manifest of the archive named {@code name}.
   *
   * @param namer the store's namer
   * @param name the archive's name
   * @return the manifest sidecar's key
   */
  public static String manifestKey(ArchiveNamer namer, ArchiveName name) {
    return namer.key(name.withExtension(ArchiveManifest.EXTENSION));
  }

  /**
   * The archives only (no sidecars), sorted by key.
   *
   * @return the tar archives, without their sidecars
   */
  public List<StoredArchive> archives() {
    return objects.stream().filter(StoredArchive::isArchive).toList();
  }

  /**
   * The sidecars only, sorted by key.
   *
   * @return the manifests, tags and other sidecars
   */
  public List<StoredArchive> sidecars() {
    return objects.stream().filter(o -> !o.isArchive()).toList();
  }

  /**
   * The object under {@code key}, if this listing understood one.
   *
   * @param key an object key
   * @return the understood object with that key, or empty (also for a key in {@link #unknown()})
   */
  public Optional<StoredArchive> find(String key) {
    return objects.stream().filter(o -> o.key().equals(key)).findFirst();
  }

  /**
   * This listing without the objects whose keys are in {@code keys} (what a deletion leaves).
   *
   * @param keys the keys to leave out; keys not listed are ignored
   * @return a new listing; this one is unchanged
   */
  public Listing without(Set<String> keys) {
    return new Listing(
        objects.stream().filter(o -> !keys.contains(o.key())).toList(),
        unknown.stream().filter(o -> !keys.contains(o.key())).toList());
  }

  /**
   * For {@code ls}: by referenced key, the keys of the archives in this listing whose manifests
   * list it in {@link ArchiveManifest#builtOn()}, in key order. Keys nobody references are absent.
   *
   * @return an unmodifiable map from referenced key to its referrers' keys
   */
  public Map<String, List<String>> referrers() {
    Map<String, List<String>> out = new TreeMap<>();
    for (StoredArchive archive : objects) {
      for (String reference : archive.builtOn()) {
        out.computeIfAbsent(reference, k -> new ArrayList<>()).add(archive.key());
      }
    }
    out.replaceAll((k, v) -> List.copyOf(v));
    return Collections.unmodifiableMap(out);
  }

  /**
   * Total bytes of the understood objects.
   *
   * @return the sum of the sizes of archives and sidecars, unknown objects not counted
   */
  public long totalBytes() {
    return objects.stream().mapToLong(StoredArchive::size).sum();
  }

  private static <T> List<T> sortedCopy(List<T> items, Function<T, String> key) {
    checkNotNull(items, "items");
    List<T> copy = new ArrayList<>(items);
    copy.sort(Comparator.comparing(key));
    return List.copyOf(copy);
  }
}
