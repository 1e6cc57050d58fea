package dev.halcyon.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.halcyon.layer.Digest;
import dev.halcyon.recipe.AppRecipe;
import dev.halcyon.store.DirectoryLayerStore;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A deploy machine whose private storage is a folder on the same file system as its cache: the
 * cache takes the store's archive by a hard link instead of a second copy, and still only after
 * every byte was verified.
 */
class FolderStoreLinkTest {
  @TempDir Path tmp;
  private DirectoryLayerStore folder;
  private final List<String> warnings = new ArrayList<>();

  @BeforeEach
  void openFolder() throws IOException {
    folder = new DirectoryLayerStore(tmp.resolve("folder"));
  }

  private AppRecipe recipe() throws IOException {
    Path src = TestRecipes.sources(tmp.resolve("src"), "v1");
    return TestRecipes.buildAndInstall(
        src,
        Digest.sha256("v1"),
        c -> TestRecipes.write(c.layerDir().resolve("out.txt"), "v1"),
        c -> {
          Files.createDirectories(c.layerDir().resolve("lib"));
          byte[] jar = new byte[300_000];
          new Random(7).nextBytes(jar);
          Files.write(c.layerDir().resolve("lib/app.jar"), jar);
        });
  }

  private Engine engine(String machine) {
    return Engine.builder()
        .cache(cache(machine))
        .privateStore(folder)
        .workDir(tmp.resolve(machine).resolve("base"))
        .noBuild(machine.equals("deployer"))
        .listener(
            new EngineListener() {
              @Override
              public void warning(String message) {
                warnings.add(message);
              }
            })
        .build();
  }

  private DirectoryLayerStore cache(String machine) {
    try {
      return new DirectoryLayerStore(tmp.resolve(machine).resolve("cache"));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private String installKey() throws IOException {
    return engine("deployer").archiveKey(recipe().install().tag());
  }

  private static Object inode(Path p) throws IOException {
    return Files.getAttribute(p, "unix:ino");
  }

  @Test
  void install_fromAFolderStore_cacheLinksTheStoresFileInsteadOfCopyingIt() throws Exception {
    engine("builder").install(recipe(), tmp.resolve("builder/root/app"));
    Path stored = folder.root().resolve(installKey());
    byte[] archive = Files.readAllBytes(stored);

    engine("deployer").install(recipe(), tmp.resolve("deployer/root/app"));

    Path cached = tmp.resolve("deployer/cache").resolve(installKey());
    assertThat(inode(cached)).isEqualTo(inode(stored));
    assertThat(stored).hasBinaryContent(archive);
    assertThat(tmp.resolve("deployer/root/app/lib/app.jar")).hasSize(300_000);
    assertThat(warnings).isEmpty();
    // The cache's entry is a sound object of its own: a second install restores from it.
    Files.walk(tmp.resolve("deployer/root/app"))
        .sorted(java.util.Comparator.reverseOrder())
        .forEach(p -> p.toFile().delete());
    engine("deployer").install(recipe(), tmp.resolve("deployer/root/app"));
    assertThat(tmp.resolve("deployer/root/app/lib/app.jar")).hasSize(300_000);
    assertThat(cache("deployer").head(installKey()).orElseThrow().digest())
        .isEqualTo(folder.head(installKey()).orElseThrow().digest());
  }

  @Test
  void install_linkedArchiveDamagedInPlace_isRefusedAndNotKeptInTheCache() throws Exception {
    engine("builder").install(recipe(), tmp.resolve("builder/root/app"));
    Path stored = folder.root().resolve(installKey());
    // Bit rot: one byte changed in place, the file's time put back, so the store's digest record
    // still names this version and only reading the bytes can tell.
    FileTime time = Files.getLastModifiedTime(stored);
    try (RandomAccessFile f = new RandomAccessFile(stored.toFile(), "rw")) {
      f.seek(f.length() / 2);
      int b = f.read();
      f.seek(f.length() / 2);
      f.write(b ^ 0xff);
    }
    Files.setLastModifiedTime(stored, time);

    assertThatThrownBy(() -> engine("deployer").install(recipe(), tmp.resolve("deployer/root/app")))
        .isInstanceOf(IOException.class);

    String key = installKey();
    assertThat(warnings).anyMatch(w -> w.contains(key) && w.contains("damaged"));
    assertThat(cache("deployer").head(key)).isEmpty();
    assertThat(Files.getAttribute(stored, "unix:nlink")).isEqualTo(1);
    assertThat(tmp.resolve("deployer/root/app")).doesNotExist();
  }
}
