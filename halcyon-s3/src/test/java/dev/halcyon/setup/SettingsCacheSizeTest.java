package dev.halcyon.setup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SettingsCacheSizeTest {
  private static final Path HOME = Path.of("/home/someone");

  @ParameterizedTest
  @CsvSource({
    "2g,2147483648",
    "500m,524288000",
    "10k,10240",
    "1048576,1048576",
    "3GB,3221225472",
    "1tib,1099511627776",
    "0,0",
    "7b,7"
  })
  void from_cacheMaxSize_parsesBytesAndUnits(String text, long bytes) {
    Settings c = Settings.from(Map.of("HALCYON_CACHE_MAX_SIZE", text), HOME);

    assertThat(c.cacheMaxSize()).isEqualTo(OptionalLong.of(bytes));
  }

  @Test
  void from_noCacheMaxSize_isUncapped() {
    assertThat(Settings.from(Map.of(), HOME).cacheMaxSize()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"2x", "-1", "1.5g", "g", "99999999999999999999", "9000000000000t"})
  void from_badCacheMaxSize_namesTheSetting(String text) {
    assertThatThrownBy(() -> Settings.from(Map.of("HALCYON_CACHE_MAX_SIZE", text), HOME))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "HALCYON_CACHE_MAX_SIZE must be a size such as 2g, 500m or 1048576 (bytes), got '"
                + text
                + "'");
  }
}
