package dev.halcyon.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.halcyon.archive.TocEntry;
import dev.halcyon.layer.Digest;
import dev.halcyon.layer.LayerKind;
import dev.halcyon.layer.LayerTag;
import dev.halcyon.naming.DefaultArchiveNamer;
import dev.halcyon.store.InMemoryLayerStore;
import dev.halcyon.store.ObjectInfo;
import dev.halcyon.store.PutMode;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which cached archives a delta restore considers, and in what order. */
class CachedArchivesTest {
  private final DefaultArchiveNamer namer = new DefaultArchiveNamer();
  private final List<String> steps = new ArrayList<>();
  private Instant now = Instant.parse("2026-01-01T00:00:00Z");
  private final InMemoryLayerStore cache =
      new InMemoryLayerStore(
          new Clock() {
            @Override
            public ZoneId getZone() {
              return ZoneId.of("UTC");
            }

            @Override
            public Clock withZone(ZoneId zone) {
              return this;
            }

            @Override
            public Instant instant() {
              return now;
            }
          });
  private final CachedArchives archives =
      new CachedArchives(
          cache,
          namer,
          new EngineListener() {
            @Override
            public void step(String message) {
              steps.add(message);
            }
          });

  private String install(String label, String source, String toolchain) {
    LayerTag tag =
        LayerTag.of(LayerKind.INSTALL, TestRecipes.PLATFORM, toolchain, label)
            .with(LayerTag.SOURCE_HASH, Digest.sha256(source).toString())
            .with(LayerTag.PREFIX, "/app");
    return namer.key(tag, "tar.zst");
  }

  private String cached(String key) throws Exception {
    cache.put(key, new byte[] {1, 2, 3}, PutMode.OVERWRITE);
    now = now.plusSeconds(60);
    return key;
  }

  @Test
  void candidates_sameLabelNewestFirst_thenTheLabelSharingMost_neverOtherKindsOrFolders()
      throws Exception {
    String wanted = install("shop-1.4.3", "v9", "jdk-17");
    String oldSame = cached(install("shop-1.4.3", "v1", "jdk-17"));
    String sibling = cached(install("shop-1.4.2", "v0", "jdk-17"));
    String newSame = cached(install("shop-1.4.3", "v2", "jdk-17"));
    String other = cached(install("billing-2.0", "v5", "jdk-17"));
    cached(install("shop-1.4.3", "v3", "jdk-21")); // another toolchain folder
    cached(wanted); // the archive itself: a full restore from the cache, not a source
    cached(
        namer.key(
            LayerTag.of(LayerKind.BUILD, TestRecipes.PLATFORM, "jdk-17", "shop-1.4.3")
                .with(LayerTag.SOURCE_HASH, Digest.sha256("v2").toString()),
            "tar.zst"));
    cached(install("shop-1.4.3", "v4", "jdk-17").replace(".tar.zst", ".tar.gz"));

    List<String> keys = archives.candidates(wanted).stream().map(ObjectInfo::key).toList();

    assertThat(keys).containsExactly(newSame, oldSame, sibling, other);
  }

  @Test
  void open_archivesWithoutTableOfContents_areSkippedWithAStepLine() throws Exception {
    String wanted = install("shop-1.4.3", "v9", "jdk-17");
    String garbage = install("shop-1.4.3", "v1", "jdk-17");
    cache.put(garbage, new byte[200], PutMode.OVERWRITE);

    assertThat(archives.any(wanted)).isTrue();
    ArchiveChunks chunks = archives.open(wanted, List.of(file(CachedArchives.MIN_BYTES_LEFT)));

    assertThat(steps)
        .containsExactly(
            "delta: not using "
                + garbage
                + " from the local cache: no table of contents in "
                + garbage);
    assertThat(chunks.read(List.of(), e -> null).toFetch()).isEmpty();
    assertThat(archives.any(install("other", "v1", "jdk-17"))).isTrue();
    assertThat(archives.any(install("shop-1.4.3", "v1", "jdk-21"))).isFalse();
  }

  @Test
  void open_lessThanTheMinimumLeftToFetch_readsNoArchive() throws Exception {
    String wanted = install("shop-1.4.3", "v9", "jdk-17");
    cache.put(install("shop-1.4.3", "v1", "jdk-17"), new byte[200], PutMode.OVERWRITE);

    archives.open(wanted, List.of(file(CachedArchives.MIN_BYTES_LEFT - 1)));

    assertThat(steps).isEmpty();
  }

  /** A file of the new archive, to be fetched. */
  private static TocEntry file(long size) {
    return TocEntry.file("lib/a.jar", 0644, size, Digest.sha256("a"), 0, List.of());
  }
}
