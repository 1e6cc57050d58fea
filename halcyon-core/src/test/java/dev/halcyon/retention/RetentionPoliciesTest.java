package dev.halcyon.retention;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.halcyon.layer.LayerKind;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RetentionPoliciesTest {
  private static final String ACCEPTED =
      "expected halcyon, keep=<kind>:<n>[,<kind>:<n>...], keep=<n>, max-age=<duration>,"
          + " grace=<duration>, references, no-references (kinds: toolchain, dependencies, build,"
          + " install; durations: <n>w, <n>d, <n>h, <n>m or <n>s (e.g. 30d, 2h), 0, or ISO-8601"
          + " (PT90M))";

  private static RetentionPolicy parse(String spec) {
    return RetentionPolicies.parse(spec, Buckets.CLOCK);
  }

  @Test
  void parse_halcyon_isTheDefault() {
    assertThat(parse("halcyon")).isEqualTo(RetentionPolicies.halcyonDefault(Buckets.CLOCK));
    assertThat(parse("halcyon").toString()).isEqualTo("halcyon;references;grace=1h");
  }

  @Test
  void parse_keepWithCommasAndOtherTerms_buildsEveryRule() {
    RetentionPolicy policy = parse("keep=install:3,dependencies:2, max-age=30d; grace=2h");
    assertThat(policy)
        .isEqualTo(
            RetentionPolicies.allOf(
                MaxAgeRetention.of(Buckets.CLOCK, Duration.ofDays(30)),
                new KeepNewestRetention(Map.of(LayerKind.INSTALL, 3, LayerKind.DEPENDENCIES, 2)),
                new ReferenceProtection(),
                GracePeriod.of(Buckets.CLOCK, Duration.ofHours(2))));
    assertThat(policy.toString())
        .isEqualTo("max-age=30d;keep=dependencies:2,install:3;references;grace=2h");
  }

  @Test
  void parse_toStringOfAParsedSpec_parsesToTheSamePolicy() {
    for (String spec :
        new String[] {
          "halcyon",
          "keep=3",
          "max-age=PT90M;references",
          "halcyon;keep=build:1,toolchain:2;max-age=2w;grace=45s"
        }) {
      RetentionPolicy policy = parse(spec);
      assertThat(parse(policy.toString())).as(spec).isEqualTo(policy);
    }
  }

  @Test
  void parse_graceZeroAndNoReferences_leaveOnlyTheRules() {
    assertThat(parse("halcyon;grace=0;no-references"))
        .isEqualTo(RetentionPolicies.allOf(new HalcyonRetention()));
  }

  @Test
  void parse_unknownTerm_namesItAndTheAcceptedForms() {
    assertThatThrownBy(() -> parse("halcyon;keep-newest=3"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "bad retention term 'keep-newest=3' in 'halcyon;keep-newest=3' (unknown term): "
                + ACCEPTED);
  }

  @Test
  void parse_badDuration_namesTheTerm() {
    assertThatThrownBy(() -> parse("max-age=30 days"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(
            "bad retention term 'max-age=30 days' in 'max-age=30 days' (bad duration '30 days'):"
                + " expected");
  }

  @Test
  void parse_unknownKind_namesIt() {
    assertThatThrownBy(() -> parse("keep=install:3,sandbox:2"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(
            "bad retention term 'sandbox:2' in 'keep=install:3,sandbox:2' (unknown layer kind"
                + " 'sandbox')");
  }

  @Test
  void parse_keepZero_explainsWhy() {
    assertThatThrownBy(() -> parse("keep=install:0"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "retention spec 'keep=install:0': keep=install:0 would delete every install archive:"
                + " keep at least 1, or use max-age");
  }

  @Test
  void parse_kindCountWithoutKeep_isRejected() {
    assertThatThrownBy(() -> parse("halcyon,install:3"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(
            "bad retention term 'install:3' in 'halcyon,install:3' (unknown term)");
  }

  @Test
  void parse_onlyProtections_saysARuleIsNeeded() {
    assertThatThrownBy(() -> parse("grace=2h"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "retention spec 'grace=2h' has no rule that deletes anything: add halcyon, keep=... or"
                + " max-age=... (to never delete, set HALCYON_NO_DELETE=1)");
  }

  @Test
  void parse_emptyTerm_isRejected() {
    assertThatThrownBy(() -> parse("halcyon;;grace=1h"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("bad retention term '' in 'halcyon;;grace=1h' (empty term)");
  }

  @Test
  void parse_maxAgeZero_isRejected() {
    assertThatThrownBy(() -> parse("max-age=0"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(
            "bad retention term 'max-age=0' in 'max-age=0' (max-age must be positive)");
  }
}
