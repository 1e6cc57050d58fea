package dev.halcyon.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.halcyon.manifest.ArchiveManifest;
import dev.halcyon.store.DirectoryLayerStore;
import dev.halcyon.store.ObjectInfo;
import dev.halcyon.store.StoredObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Checks the reliability tests assert after every fault: whole trees, verified objects, no litter.
 */
final class Invariants {
  /**
   * Names of temporary files and staging or trash directories that a finished run must not leave.
   */
  static final Pattern LITTER = Pattern.compile("\\.halcyon-tmp-.*|\\..*\\.halcyon-(new|old)-.*");

  private Invariants() {}

  /**
   * A tree as relative path to content hash (files), link target (symlinks) or "dir", with the x
   * bit.
   */
  static Optional<Map<String, String>> snapshot(Path root) throws IOException {
    if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
      return Optional.empty();
    }
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : (Iterable<Path>) walk::iterator) {
        String rel = root.relativize(p).toString();
        if (Files.isSymbolicLink(p)) {
          out.put(rel, "link:" + Files.readSymbolicLink(p));
        } else if (Files.isDirectory(p)) {
          out.put(rel, "dir");
        } else {
          out.put(rel, sha256(Files.readAllBytes(p)) + (Files.isExecutable(p) ? " x" : ""));
        }
      }
    }
    return Optional.of(out);
  }

  /**
   * Reads every object of the folder store at {@code dir} through {@link DirectoryLayerStore#get}
   * to its end (which verifies size and digest); a corrupt object fails the test.
   *
   * @return the number of objects read
   */
  static int verifyAll(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    return verifyAll(new DirectoryLayerStore(dir));
  }

  /** {@link #verifyAll(Path)} for any store (an S3 bucket). */
  static int verifyAll(dev.halcyon.store.LayerStore store) throws IOException {
    String dir = store.describe();
    int n = 0;
    for (ObjectInfo info : store.list("")) {
      Optional<StoredObject> o = store.get(info.key());
      if (o.isEmpty()) {
        continue; // deleted since the listing
      }
      try (StoredObject obj = o.get();
          InputStream in = obj.stream()) {
        in.transferTo(java.io.OutputStream.nullOutputStream());
      } catch (IOException e) {
        throw new AssertionError(
            "object " + info.key() + " in " + dir + " does not verify: " + e, e);
      }
      n++;
    }
    return n;
  }

  /** Every archive present whose manifest is present has every archive it was built on present. */
  static void referencesIntact(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return;
    }
    referencesIntact(new DirectoryLayerStore(dir));
  }

  /** {@link #referencesIntact(Path)} for any store (an S3 bucket). */
  static void referencesIntact(dev.halcyon.store.LayerStore store) throws IOException {
    List<String> keys = store.list("").stream().map(ObjectInfo::key).toList();
    for (String key : keys) {
      if (!key.endsWith("." + ArchiveManifest.EXTENSION)) {
        continue;
      }
      Optional<StoredObject> o = store.get(key);
      if (o.isEmpty()) {
        continue;
      }
      ArchiveManifest m;
      try (StoredObject obj = o.get();
          InputStream in = obj.stream()) {
        m = ArchiveManifest.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      }
      if (keys.contains(m.archiveKey()) && store.head(m.archiveKey()).isPresent()) {
        for (String ref : m.builtOn()) {
          assertThat(store.head(ref))
              .as("%s is present but %s, which it was built on, is gone", m.archiveKey(), ref)
              .isPresent();
        }
      }
    }
  }

  /** Temporary files, staging and trash directories under {@code dirs}. */
  static List<Path> litter(Path... dirs) throws IOException {
    List<Path> out = new java.util.ArrayList<>();
    for (Path d : dirs) {
      if (!Files.isDirectory(d)) {
        continue;
      }
      try (Stream<Path> walk = Files.walk(d)) {
        walk.filter(p -> LITTER.matcher(p.getFileName().toString()).matches()).forEach(out::add);
      }
    }
    return out;
  }

  /** Makes every temporary file under {@code dirs} look two hours old, as if time had passed. */
  static int age(Path... dirs) throws IOException {
    int n = 0;
    FileTime old = FileTime.from(Instant.now().minus(Duration.ofHours(2)));
    for (Path p : litter(dirs)) {
      if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
        Files.setLastModifiedTime(p, old);
        n++;
      }
    }
    return n;
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
