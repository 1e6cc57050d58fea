package dev.halcyon.setup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.halcyon.archive.Compression;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SettingsTest {
  private static final Path HOME = Path.of("/home/u");

  @Test
  void from_nothingSet_usesDefaultsUnderHome() {
    Settings c = Settings.from(Map.of(), HOME);

    assertThat(c.base()).isEqualTo(Path.of("/home/u/.halcyon/base"));
    assertThat(c.cache()).isEqualTo(Path.of("/home/u/.halcyon/cache"));
    assertThat(c.root()).isEqualTo(Path.of("/"));
    assertThat(c.prefix()).isEmpty();
    assertThat(c.compression()).isEqualTo(Compression.ZSTD);
    assertThat(c.noBuild()).isFalse();
    assertThat(c.hasPrivateStorage()).isFalse();
    assertThat(c.retention()).isEqualTo("halcyon");
  }

  @Test
  void from_flags_acceptOneTrueYesOnAndTheirOpposites() {
    for (String yes : new String[] {"1", "true", "YES", "on"}) {
      assertThat(Settings.from(Map.of("HALCYON_NO_BUILD", yes), HOME).noBuild()).as(yes).isTrue();
    }
    for (String no : new String[] {"0", "false", "no", "OFF", ""}) {
      assertThat(Settings.from(Map.of("HALCYON_NO_BUILD", no), HOME).noBuild()).as(no).isFalse();
    }
  }

  @Test
  void deltaRestore_onUnlessHalcyonDeltaIsZero() {
    assertThat(Settings.from(Map.of(), HOME).deltaRestore()).isTrue();
    assertThat(Settings.from(Map.of("HALCYON_DELTA", "1"), HOME).deltaRestore()).isTrue();
    assertThat(Settings.from(Map.of("HALCYON_DELTA", "0"), HOME).deltaRestore()).isFalse();
    assertThatThrownBy(() -> Settings.from(Map.of("HALCYON_DELTA", "maybe"), HOME).deltaRestore())
        .hasMessageContaining("HALCYON_DELTA");
  }

  @Test
  void from_eitherDeleteName_turnsDeletesOff() {
    assertThat(Settings.from(Map.of("HALCYON_NO_DELETE", "1"), HOME).noDelete()).isTrue();
    assertThat(Settings.from(Map.of("HALCYON_NO_CLEAN_PRIVATE_STORAGE", "1"), HOME).noDelete())
        .isTrue();
  }

  @Test
  void from_storage_privateOnlyWhenConfiguredAndNotSwitchedOff() {
    assertThat(Settings.from(Map.of("HALCYON_S3_BUCKET", "b/f"), HOME).hasPrivateStorage())
        .isTrue();
    assertThat(Settings.from(Map.of("HALCYON_STORAGE_DIR", "/srv/b"), HOME).storageDir())
        .contains(Path.of("/srv/b"));
    assertThat(
            Settings.from(Map.of("HALCYON_S3_BUCKET", "b", "HALCYON_NO_PRIVATE_STORAGE", "1"), HOME)
                .hasPrivateStorage())
        .isFalse();
    assertThat(
            Settings.from(Map.of("HALCYON_PUBLIC_STORAGE_URL", "https://x.example/b/"), HOME)
                .publicStorageUrl())
        .isEqualTo(Optional.of(URI.create("https://x.example/b/")));
    assertThat(
            Settings.from(
                    Map.of(
                        "HALCYON_PUBLIC_STORAGE_URL",
                        "https://x.example/b/",
                        "HALCYON_NO_PUBLIC_STORAGE",
                        "1"),
                    HOME)
                .publicStorageUrl())
        .isEmpty();
  }

  @Test
  void from_badValues_nameTheSettingInLibraryTerms() {
    assertThatThrownBy(() -> Settings.from(Map.of("HALCYON_NO_UPLOAD", "perhaps"), HOME))
        .isInstanceOfSatisfying(
            InvalidSettingException.class,
            e -> assertThat(e.setting()).isEqualTo("HALCYON_NO_UPLOAD"))
        .hasMessage(
            "HALCYON_NO_UPLOAD must be 1, true, yes or on, or 0, false, no or off, got 'perhaps'");
    assertThatThrownBy(() -> Settings.from(Map.of("HALCYON_PREFIX", "app"), HOME))
        .hasMessage("HALCYON_PREFIX must be an absolute path such as /app, got 'app'");
    assertThatThrownBy(() -> Settings.from(Map.of("HALCYON_COMPRESSION", "lz4"), HOME))
        .hasMessage("HALCYON_COMPRESSION: unknown compression 'lz4': use zstd, gzip, xz or none");
    assertThatThrownBy(() -> Settings.from(Map.of("HALCYON_NAMING", "fancy"), HOME))
        .isInstanceOfSatisfying(
            InvalidSettingException.class, e -> assertThat(e.getMessage()).doesNotContain("--"));
    assertThatThrownBy(() -> Settings.from(Map.of("HALCYON_PUBLIC_STORAGE_URL", "ftp://x"), HOME))
        .hasMessageContaining("HALCYON_PUBLIC_STORAGE_URL must be an http:// or https:// URL");
    assertThatThrownBy(() -> Settings.from(Map.of("HALCYON_NAMING", "fancy"), HOME))
        .hasMessageContaining("HALCYON_NAMING must be 'default' or 'original'");
  }

  @Test
  void optionFor_mapsVariableToOption() {
    assertThat(Settings.optionFor("HALCYON_NO_BUILD_DEPENDENCIES"))
        .isEqualTo("--no-build-dependencies");
    assertThat(Settings.optionFor("HALCYON_S3_BUCKET")).isEqualTo("--s3-bucket");
  }
}
