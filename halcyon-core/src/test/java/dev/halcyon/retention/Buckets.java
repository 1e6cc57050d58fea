package dev.halcyon.retention;

import dev.halcyon.layer.Digest;
import dev.halcyon.layer.LayerKind;
import dev.halcyon.layer.LayerTag;
import dev.halcyon.manifest.ArchiveManifest;
import dev.halcyon.naming.ArchiveName;
import dev.halcyon.naming.ArchiveNamer;
import dev.halcyon.naming.DefaultArchiveNamer;
import dev.halcyon.store.ObjectInfo;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

/** Generated bucket contents for property tests: archives, manifests, sidecars, foreign keys. */
final class Buckets {
  static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");
  static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
  static final ArchiveNamer NAMER = new DefaultArchiveNamer();

  private static final String[] PLATFORMS = {"linux-debian-12-x86_64", "linux-alpine-3.19-aarch64"};
  private static final String[] TOOLCHAINS = {"jdk-17.0.15", "jdk-21.0.3"};
  private static final String[] LABELS = {"shop-1.4.2", "app-1.0", "tool-0.3-SNAPSHOT"};

  private Buckets() {}

  /** What a bucket holds: every object, and the bytes of the manifests. */
  record Bucket(List<ObjectInfo> objects, Map<String, byte[]> contents) {
    Listing listing() {
      Map<String, ArchiveManifest> manifests = new LinkedHashMap<>();
      contents.forEach(
          (key, bytes) -> {
            if (key.endsWith("." + ArchiveManifest.EXTENSION)) {
              manifests.put(key, ArchiveManifest.parse(new String(bytes, StandardCharsets.UTF_8)));
            }
          });
      return Listing.of(objects, manifests, NAMER);
    }
  }

  /** A random bucket of roughly {@code archives} archives, reproducible from {@code random}. */
  static Bucket generate(Random random, int archives) {
    List<ObjectInfo> objects = new ArrayList<>();
    Map<String, byte[]> contents = new LinkedHashMap<>();
    List<String> taken = new ArrayList<>();
    Map<String, List<String>> toolchainsOf = new LinkedHashMap<>();
    Map<String, List<String>> lowerOf = new LinkedHashMap<>();
    for (int i = 0; i < archives; i++) {
      String platform = PLATFORMS[random.nextInt(PLATFORMS.length)];
      String toolchain = TOOLCHAINS[random.nextInt(TOOLCHAINS.length)];
      String label = LABELS[random.nextInt(LABELS.length)];
      String folder = platform + "/" + toolchain;
      LayerKind kind = LayerKind.values()[random.nextInt(4)];
      ArchiveName name =
          switch (kind) {
            case TOOLCHAIN ->
                new ArchiveName(
                    kind,
                    platform,
                    toolchain,
                    "",
                    "",
                    random.nextBoolean()
                        ? ""
                        : "central-2026-"
                            + two(1 + random.nextInt(11))
                            + "-"
                            + two(1 + random.nextInt(28)),
                    "tar.zst");
            case DEPENDENCIES ->
                new ArchiveName(kind, platform, toolchain, label, hex(random, 7), "", "tar.zst");
            case BUILD -> new ArchiveName(kind, platform, toolchain, label, "", "", "tar.zst");
            case INSTALL ->
                new ArchiveName(
                    kind,
                    platform,
                    toolchain,
                    label,
                    hex(random, 7),
                    "",
                    random.nextInt(10) == 0 ? "tar.gz" : "tar.zst");
          };
      String key = NAMER.key(name);
      if (taken.contains(key)) {
        continue;
      }
      taken.add(key);
      Instant written = randomTime(random);
      long size = 1 + random.nextInt(50_000_000);
      objects.add(new ObjectInfo(key, size, Optional.empty(), written));
      List<String> builtOn = new ArrayList<>();
      if (kind == LayerKind.TOOLCHAIN) {
        toolchainsOf.computeIfAbsent(folder, f -> new ArrayList<>()).add(key);
      } else {
        for (String candidate : toolchainsOf.getOrDefault(folder, List.of())) {
          if (random.nextInt(3) == 0) {
            builtOn.add(candidate);
          }
        }
        if (kind == LayerKind.INSTALL) {
          for (String candidate : lowerOf.getOrDefault(folder, List.of())) {
            if (random.nextInt(4) == 0) {
              builtOn.add(candidate);
            }
          }
        } else {
          lowerOf.computeIfAbsent(folder, f -> new ArrayList<>()).add(key);
        }
      }
      if (random.nextInt(10) < 8) {
        LayerTag tag =
            kind == LayerKind.TOOLCHAIN
                ? LayerTag.of(kind, platform, toolchain, "")
                : LayerTag.of(kind, platform, toolchain, label);
        ArchiveManifest manifest =
            new ArchiveManifest(key, Digest.sha256(key), size, written, tag, builtOn);
        byte[] bytes = manifest.format().getBytes(StandardCharsets.UTF_8);
        String manifestKey = Listing.manifestKey(NAMER, name);
        // Manifests are written just before their archive, sometimes a little after (clock skew).
        Instant manifestTime = written.plusSeconds(random.nextInt(5) - 3);
        objects.add(new ObjectInfo(manifestKey, bytes.length, Optional.empty(), manifestTime));
        contents.put(manifestKey, bytes);
      }
      if (random.nextInt(10) == 0) {
        objects.add(
            new ObjectInfo(NAMER.key(name.withExtension("tag")), 200, Optional.empty(), written));
      }
    }
    for (int i = 0; i < 1 + archives / 20; i++) {
      // Orphaned sidecars, some young (an upload in progress), some old (an interrupted delete).
      ArchiveName gone =
          new ArchiveName(
              LayerKind.INSTALL,
              PLATFORMS[0],
              TOOLCHAINS[0],
              LABELS[random.nextInt(LABELS.length)],
              hex(random, 7),
              "",
              ArchiveManifest.EXTENSION);
      String key = NAMER.key(gone);
      if (!taken.contains(key)) {
        taken.add(key);
        objects.add(new ObjectInfo(key, 300, Optional.empty(), randomTime(random)));
      }
    }
    objects.add(
        new ObjectInfo(
            "original/jdk-17.0.15_linux-x64_bin.tar.gz",
            190_000_000,
            Optional.empty(),
            NOW.minus(Duration.ofDays(400))));
    objects.add(
        new ObjectInfo("README.txt", 12, Optional.empty(), NOW.minus(Duration.ofDays(999))));
    return new Bucket(objects, contents);
  }

  /** Mostly days old, some minutes old, a few in the future (skewed clocks). */
  static Instant randomTime(Random random) {
    return switch (random.nextInt(10)) {
      case 0 -> NOW.minusSeconds(random.nextInt(7_200));
      case 1 -> NOW.plusSeconds(random.nextInt(120));
      default -> NOW.minusSeconds(random.nextInt(60 * 86_400));
    };
  }

  static String hex(Random random, int length) {
    byte[] bytes = new byte[(length + 1) / 2];
    random.nextBytes(bytes);
    return HexFormat.of().formatHex(bytes).substring(0, length);
  }

  private static String two(int n) {
    return n < 10 ? "0" + n : Integer.toString(n);
  }
}
