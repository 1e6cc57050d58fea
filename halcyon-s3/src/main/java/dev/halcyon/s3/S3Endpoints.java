package dev.halcyon.s3;

import static com.google.common.base.Preconditions.checkNotNull;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the endpoint setting ({@code HALCYON_S3_ENDPOINT}, formerly {@code HALCYON_S3_HOST}) in
 * every form the original Halcyon and AWS have used.
 *
 * <p>An AWS host, with or without a scheme, selects a region and leaves the endpoint to the SDK
 * (which knows the right host for every partition, including China and GovCloud). Anything else is
 * an S3-compatible service reached with path-style requests; a host without a scheme is assumed to
 * speak https.
 */
final class S3Endpoints {
  /** US Standard: the region of {@code s3.amazonaws.com} and {@code s3-external-1}. */
  static final String US_EAST_1 = "us-east-1";

  /**
   * An AWS region name as the SDK's partitions spell them: us-east-1, eu-central-1, cn-north-1,
   * us-gov-west-1. The one definition; settings, the builder and error messages all use it.
   */
  static final Pattern REGION_NAME = Pattern.compile("[a-z]{2}(?:-[a-z]+)+-\\d+");

  // s3[-fips][.dualstack|-dualstack][.-]<region>.amazonaws.com[.cn], s3.amazonaws.com,
  // s3-external-1.
  private static final Pattern AWS_HOST =
      Pattern.compile(
          "s3(?<fips>-fips)?(?<dualstack>[.-]dualstack)?(?:[.-](?<region>[a-z0-9-]+))?"
              + "\\.amazonaws\\.com(?<cn>\\.cn)?");

  private S3Endpoints() {}

  /**
   * Where requests go.
   *
   * @param region the region the host names, if it names one
   * @param custom the URI of an S3-compatible service, empty for AWS
   * @param dualstack whether to use the AWS dual-stack (IPv6) endpoint
   * @param fips whether to use the AWS FIPS endpoint
   */
  record Target(Optional<String> region, Optional<URI> custom, boolean dualstack, boolean fips) {
    Target {
      checkNotNull(region, "region");
      checkNotNull(custom, "custom");
    }

    static Target aws(String region, boolean dualstack, boolean fips) {
      return new Target(Optional.of(region), Optional.empty(), dualstack, fips);
    }

    static Target custom(URI uri) {
      return new Target(Optional.empty(), Optional.of(uri), false, false);
    }
  }

  /**
   * Parses one endpoint value.
   *
   * @param value a host ({@code s3-eu-west-1.amazonaws.com}) or URL ({@code http://127.0.0.1:9000})
   * @param setting the name of the setting it came from, for messages
   * @throws IllegalArgumentException if the value is malformed, naming {@code setting}
   */
  static Target parse(String value, String setting) {
    checkNotNull(value, "value");
    String text = value.trim();
    if (text.isEmpty()) {
      throw bad(setting, value, "it is empty");
    }
    boolean hasScheme = text.contains("://");
    URI uri;
    try {
      uri = new URI(hasScheme ? text : "https://" + text);
    } catch (URISyntaxException e) {
      throw bad(setting, value, "it is not a host or URL (" + e.getReason() + ")");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw bad(setting, value, "the scheme must be http or https");
    }
    String host = uri.getHost();
    if (host == null || host.isEmpty()) {
      throw bad(setting, value, "it has no host");
    }
    if (uri.getRawUserInfo() != null) {
      throw bad(
          setting,
          value,
          "credentials do not belong in the endpoint; use HALCYON_AWS_ACCESS_KEY_ID");
    }
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    if (!path.isEmpty() && !path.equals("/")) {
      throw bad(setting, value, "it has a path; the bucket goes in HALCYON_S3_BUCKET");
    }
    if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
      throw bad(setting, value, "it has a query or fragment");
    }
    host = host.toLowerCase(Locale.ROOT);
    if (host.endsWith(".amazonaws.com") || host.endsWith(".amazonaws.com.cn")) {
      return parseAws(host, value, setting);
    }
    try {
      return Target.custom(new URI(scheme, null, host, uri.getPort(), null, null, null));
    } catch (URISyntaxException e) {
      throw bad(setting, value, "it is not a host or URL (" + e.getReason() + ")");
    }
  }

  private static Target parseAws(String host, String value, String setting) {
    Matcher m = AWS_HOST.matcher(host);
    if (!m.matches()) {
      throw bad(
          setting,
          value,
          "it is not an S3 endpoint of AWS; use s3.<region>.amazonaws.com or set HALCYON_S3_REGION and leave the endpoint unset");
    }
    boolean fips = m.group("fips") != null;
    boolean dualstack = m.group("dualstack") != null;
    String region = m.group("region");
    boolean china = m.group("cn") != null;
    if (region == null || region.equals("external-1")) {
      if (china) {
        throw bad(
            setting, value, "a China endpoint names its region: s3.cn-north-1.amazonaws.com.cn");
      }
      return Target.aws(US_EAST_1, dualstack, fips);
    }
    // Old FIPS GovCloud form: s3-fips-us-gov-west-1.amazonaws.com.
    if (region.startsWith("fips-")) {
      region = region.substring("fips-".length());
      fips = true;
    }
    if (!REGION_NAME.matcher(region).matches()) {
      throw bad(setting, value, "'" + region + "' is not an AWS region name");
    }
    if (china != region.startsWith("cn-")) {
      throw bad(setting, value, "China regions use amazonaws.com.cn and only they do");
    }
    return Target.aws(region, dualstack, fips);
  }

  private static IllegalArgumentException bad(String setting, String value, String why) {
    // A URL may carry user:password; never repeat it.
    String shown = value.replaceAll("//[^/@]*@", "//****@");
    return new IllegalArgumentException(
        setting
            + "='"
            + shown
            + "' is not usable: "
            + why
            + " (examples: s3.eu-central-1.amazonaws.com, http://127.0.0.1:9000)");
  }
}
