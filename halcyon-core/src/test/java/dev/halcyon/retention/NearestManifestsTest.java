package dev.halcyon.retention;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.halcyon.layer.Digest;
import dev.halcyon.layer.LayerKind;
import dev.halcyon.layer.LayerTag;
import dev.halcyon.manifest.ArchiveManifest;
import dev.halcyon.naming.ArchiveNamer;
import dev.halcyon.naming.DefaultArchiveNamer;
import dev.halcyon.retention.NearestManifests.Match;
import dev.halcyon.store.InMemoryLayerStore;
import dev.halcyon.store.LayerStore;
import dev.halcyon.store.ObjectInfo;
import dev.halcyon.store.PutMode;
import dev.halcyon.store.PutResult;
import dev.halcyon.store.StoredObject;
import dev.halcyon.store.TransientStoreException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class NearestManifestsTest {
  private static final ArchiveNamer NAMER = new DefaultArchiveNamer();
  private static final String PLATFORM = "linux-debian-12-x86_64";
  private static final String JDK = "jdk-17.0.15";

  private static LayerTag install(String label, char sourceHash) {
    return LayerTag.of(LayerKind.INSTALL, PLATFORM, JDK, label)
        .with(LayerTag.SOURCE_HASH, "sha256:" + String.valueOf(sourceHash).repeat(64))
        .with(LayerTag.PREFIX, "/app");
  }

  /** Stores the manifest of {@code tag}'s archive under its manifest key; returns that manifest. */
  private static ArchiveManifest storeManifest(LayerStore store, LayerTag tag) throws IOException {
    ArchiveManifest manifest =
        ArchiveManifest.of(
            NAMER.key(tag, "tar.zst"),
            Digest.sha256(tag.format()),
            1234,
            Instant.parse("2026-11-25T10:00:00Z"),
            tag);
    store.put(
        NAMER.key(tag, ArchiveManifest.EXTENSION),
        manifest.format().getBytes(StandardCharsets.UTF_8),
        PutMode.OVERWRITE);
    return manifest;
  }

  @Test
  void find_sameKindAndLabel_returnsThatManifestWithTheInputThatDiffers() throws IOException {
    InMemoryLayerStore store = new InMemoryLayerStore();
    LayerTag wanted = install("shop-1.4.2", 'a');
    ArchiveManifest stored = storeManifest(store, install("shop-1.4.2", 'b'));

    List<Match> matches = NearestManifests.find(List.of(store), NAMER, wanted);

    assertThat(matches)
        .containsExactly(
            new Match(
                store,
                stored,
                List.of(
                    "source-hash: needed 'sha256:"
                        + "a".repeat(64)
                        + "', found 'sha256:"
                        + "b".repeat(64)
                        + "'")));
    store.assertNoOpenStreams();
  }

  @Test
  void find_otherLabelKindFolderOrNoManifest_skipsThem() throws IOException {
    InMemoryLayerStore store = new InMemoryLayerStore();
    LayerTag wanted = install("shop-1.4.2", 'a');
    storeManifest(store, install("shop-1.5.0", 'b')); // another label
    storeManifest(store, LayerTag.of(LayerKind.BUILD, PLATFORM, JDK, "shop-1.4.2")); // another kind
    storeManifest(
        store,
        LayerTag.of(LayerKind.INSTALL, PLATFORM, "jdk-21.0.3", "shop-1.4.2")
            .with(LayerTag.SOURCE_HASH, "sha256:" + "b".repeat(64))); // another toolchain folder
    LayerTag archived = install("shop-1.4.2", 'c');
    store.put(NAMER.key(archived, "tar.zst"), new byte[] {1, 2, 3}, PutMode.OVERWRITE); // archive
    store.put(
        NAMER.key(install("shop-1.4.2", 'd'), ArchiveManifest.EXTENSION),
        "not a manifest".getBytes(StandardCharsets.UTF_8),
        PutMode.OVERWRITE); // does not parse
    store.put(PLATFORM + "/" + JDK + "/notes.txt", new byte[] {4}, PutMode.OVERWRITE); // foreign

    assertThat(NearestManifests.find(List.of(store), NAMER, wanted)).isEmpty();
    store.assertNoOpenStreams();
  }

  @Test
  void find_equalTagStored_matchesWithNoDifferences() throws IOException {
    InMemoryLayerStore store = new InMemoryLayerStore();
    LayerTag wanted = install("shop-1.4.2", 'a');
    ArchiveManifest stored = storeManifest(store, wanted);

    assertThat(NearestManifests.find(List.of(store), NAMER, wanted))
        .containsExactly(new Match(store, stored, List.of()));
  }

  @Test
  void find_severalStores_storeByStoreThenByKey() throws IOException {
    InMemoryLayerStore first = new InMemoryLayerStore();
    InMemoryLayerStore second = new InMemoryLayerStore();
    LayerTag wanted = install("shop-1.4.2", 'a');
    ArchiveManifest inSecond = storeManifest(second, install("shop-1.4.2", 'b'));
    ArchiveManifest laterKey = storeManifest(first, install("shop-1.4.2", 'e'));
    ArchiveManifest earlierKey = storeManifest(first, install("shop-1.4.2", 'c'));

    List<Match> matches = NearestManifests.find(List.of(first, second), NAMER, wanted);

    assertThat(matches)
        .extracting(Match::store, Match::manifest)
        .containsExactly(tuple(first, earlierKey), tuple(first, laterKey), tuple(second, inSecond));
  }

  @Test
  void find_toolchainLayer_searchesEveryToolchainOfThePlatform() throws IOException {
    InMemoryLayerStore store = new InMemoryLayerStore();
    LayerTag wanted = LayerTag.of(LayerKind.TOOLCHAIN, PLATFORM, JDK, "");
    ArchiveManifest otherJdk =
        storeManifest(store, LayerTag.of(LayerKind.TOOLCHAIN, PLATFORM, "jdk-21.0.3", ""));
    storeManifest(
        store, LayerTag.of(LayerKind.TOOLCHAIN, "linux-alpine-3.19-aarch64", JDK, "")); // platform
    storeManifest(store, install("shop-1.4.2", 'b')); // same platform, another kind

    assertThat(NearestManifests.find(List.of(store), NAMER, wanted))
        .containsExactly(
            new Match(
                store, otherJdk, List.of("toolchain: needed '" + JDK + "', found 'jdk-21.0.3'")));
  }

  @Test
  void find_laterStoreFails_handsOverEarlierMatchesFirst() throws IOException {
    InMemoryLayerStore store = new InMemoryLayerStore();
    LayerTag wanted = install("shop-1.4.2", 'a');
    ArchiveManifest stored = storeManifest(store, install("shop-1.4.2", 'b'));
    List<Match> seen = new ArrayList<>();

    assertThatThrownBy(
            () ->
                NearestManifests.find(
                    List.of(store, new UnlistableStore()), NAMER, wanted, seen::add))
        .isInstanceOf(TransientStoreException.class)
        .hasMessage("listing failed");
    assertThat(seen).extracting(Match::manifest).containsExactly(stored);
  }

  /** A store whose listing fails, as a bucket that is unreachable does. */
  private static final class UnlistableStore implements LayerStore {
    @Override
    public Optional<ObjectInfo> head(String key) {
      return Optional.empty();
    }

    @Override
    public Optional<StoredObject> get(String key) {
      return Optional.empty();
    }

    @Override
    public PutResult put(String key, Path source, Digest digest, PutMode mode) {
      throw new UnsupportedOperationException();
    }

    @Override
    public PutResult put(String key, byte[] bytes, PutMode mode) {
      throw new UnsupportedOperationException();
    }

    @Override
    public List<ObjectInfo> list(String prefix) throws IOException {
      throw new TransientStoreException("listing failed");
    }

    @Override
    public boolean delete(String key) {
      return false;
    }

    @Override
    public String describe() {
      return "unlistable";
    }
  }
}
