package dev.halcyon.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class S3EndpointsTest {

  @ParameterizedTest(name = "{0} -> {1} dualstack={2} fips={3}")
  @CsvSource({
    // US Standard, in every spelling
    "s3.amazonaws.com, us-east-1, false, false",
    "S3.AMAZONAWS.COM, us-east-1, false, false",
    "https://s3.amazonaws.com, us-east-1, false, false",
    "https://s3.amazonaws.com/, us-east-1, false, false",
    "s3-external-1.amazonaws.com, us-east-1, false, false",
    "s3.us-east-1.amazonaws.com, us-east-1, false, false",
    "s3-us-east-1.amazonaws.com, us-east-1, false, false",
    // legacy dash form and current dot form
    "s3-eu-west-1.amazonaws.com, eu-west-1, false, false",
    "s3-us-west-2.amazonaws.com, us-west-2, false, false",
    "s3-ap-southeast-2.amazonaws.com, ap-southeast-2, false, false",
    "s3-sa-east-1.amazonaws.com, sa-east-1, false, false",
    "s3.eu-central-1.amazonaws.com, eu-central-1, false, false",
    "s3.ap-northeast-3.amazonaws.com, ap-northeast-3, false, false",
    "s3.il-central-1.amazonaws.com, il-central-1, false, false",
    "http://s3.eu-central-1.amazonaws.com, eu-central-1, false, false",
    "s3.eu-central-1.amazonaws.com:443, eu-central-1, false, false",
    // GovCloud
    "s3-us-gov-west-1.amazonaws.com, us-gov-west-1, false, false",
    "s3.us-gov-east-1.amazonaws.com, us-gov-east-1, false, false",
    // dual-stack
    "s3.dualstack.us-west-2.amazonaws.com, us-west-2, true, false",
    "s3.dualstack.eu-west-1.amazonaws.com, eu-west-1, true, false",
    "s3-dualstack.us-east-1.amazonaws.com, us-east-1, true, false",
    // FIPS
    "s3-fips.us-east-2.amazonaws.com, us-east-2, false, true",
    "s3-fips.dualstack.us-west-1.amazonaws.com, us-west-1, true, true",
    "s3-fips-us-gov-west-1.amazonaws.com, us-gov-west-1, false, true",
    // China
    "s3.cn-north-1.amazonaws.com.cn, cn-north-1, false, false",
    "s3.cn-northwest-1.amazonaws.com.cn, cn-northwest-1, false, false",
    "s3.dualstack.cn-north-1.amazonaws.com.cn, cn-north-1, true, false",
  })
  void parse_awsHost_selectsRegionAndLeavesEndpointToSdk(
      String value, String region, boolean dualstack, boolean fips) {
    S3Endpoints.Target target = S3Endpoints.parse(value, "HALCYON_S3_ENDPOINT");

    assertThat(target.region()).contains(region);
    assertThat(target.custom()).isEmpty();
    assertThat(target.dualstack()).isEqualTo(dualstack);
    assertThat(target.fips()).isEqualTo(fips);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    "http://127.0.0.1:9000, http://127.0.0.1:9000",
    "http://127.0.0.1:9000/, http://127.0.0.1:9000",
    "HTTP://LocalHost:8080, http://localhost:8080",
    "https://minio.example.com, https://minio.example.com",
    "minio.example.com:9000, https://minio.example.com:9000",
    "storage.googleapis.com, https://storage.googleapis.com",
    "https://s3.fr-par.scw.cloud, https://s3.fr-par.scw.cloud",
    "https://nyc3.digitaloceanspaces.com, https://nyc3.digitaloceanspaces.com",
    "http://[::1]:9000, http://[::1]:9000",
  })
  void parse_otherHost_isCustomPathStyleEndpoint(String value, String uri) {
    S3Endpoints.Target target = S3Endpoints.parse(value, "HALCYON_S3_ENDPOINT");

    assertThat(target.custom()).contains(URI.create(uri));
    assertThat(target.region()).isEqualTo(Optional.empty());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "   ",
        "ftp://127.0.0.1:21",
        "http://",
        "http://exa mple.com",
        "http://127.0.0.1:9000/bucket",
        "http://127.0.0.1:9000?x=1",
        "bucket.s3.amazonaws.com",
        "s3-accelerate.amazonaws.com",
        "ec2.amazonaws.com",
        "s3.cn-north-1.amazonaws.com",
        "s3.eu-west-1.amazonaws.com.cn",
        "s3.amazonaws.com.cn",
      })
  void parse_malformed_failsNamingTheSetting(String value) {
    assertThatThrownBy(() -> S3Endpoints.parse(value, "HALCYON_S3_ENDPOINT"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("HALCYON_S3_ENDPOINT='" + value + "' is not usable: ")
        .hasMessageContaining("examples: s3.eu-central-1.amazonaws.com, http://127.0.0.1:9000");
  }

  @org.junit.jupiter.api.Test
  void parse_credentialsInUrl_neverEchoesThemBeyondTheValue() {
    assertThatThrownBy(
            () -> S3Endpoints.parse("http://user:pass@127.0.0.1:9000", "HALCYON_S3_HOST"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("HALCYON_S3_HOST='http://****@127.0.0.1:9000'")
        .hasMessageContaining("use HALCYON_AWS_ACCESS_KEY_ID")
        .hasMessageNotContaining("pass");
  }
}
