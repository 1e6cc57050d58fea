package dev.halcyon;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.methods;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaMethod;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.Location;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The allowed package dependencies of all three modules' main code, written down once: a new edge
 * between packages, a cycle, an SDK or picocli type in core, or a third-party type in a public
 * signature fails the build. Runs in halcyon-cli because that module sees every module's classes;
 * docs/architecture.md draws the same graph.
 */
class ArchitectureTest {
  private static final String[] JDK = {"java..", "javax..", "org.w3c.dom..", "org.xml.sax.."};
  private static final String GUAVA = "com.google.common..";

  /** Gson's streaming reader and writer: the archive table of contents is JSON. */
  private static final String JSON = "com.google.gson..";

  private static final String[] CODECS = {
    "org.apache.commons.compress..", "com.github.luben.zstd..", "org.tukaani.xz.."
  };

  /** For each package of ours, the packages of ours it may use (besides itself). */
  private static final Map<String, List<String>> ALLOWED = new LinkedHashMap<>();

  static {
    ALLOWED.put("layer", List.of());
    ALLOWED.put("hash", List.of("layer"));
    ALLOWED.put("archive", List.of("layer", "hash"));
    ALLOWED.put("store", List.of("layer", "hash"));
    ALLOWED.put("naming", List.of("layer"));
    ALLOWED.put("manifest", List.of("layer"));
    ALLOWED.put("recipe", List.of("layer", "hash", "archive", "naming"));
    ALLOWED.put("retention", List.of("layer", "hash", "store", "naming", "manifest"));
    ALLOWED.put(
        "engine", List.of("layer", "hash", "archive", "store", "naming", "manifest", "recipe"));
    ALLOWED.put("s3", List.of("layer", "hash", "store"));
    ALLOWED.put(
        "setup",
        List.of(
            "layer",
            "hash",
            "archive",
            "store",
            "naming",
            "manifest",
            "recipe",
            "retention",
            "engine",
            "s3"));
  }

  private static final JavaClasses MAIN =
      new ClassFileImporter()
          .withImportOption(ArchitectureTest::isMainCode)
          .importPackages("dev.halcyon");

  /** Main classes only: neither test-classes folders nor test-jars. */
  private static boolean isMainCode(Location location) {
    return !location.contains("/test-classes/") && !location.contains("-tests.jar");
  }

  static Stream<Arguments> corePackages() {
    return ALLOWED.entrySet().stream().map(e -> Arguments.of(e.getKey(), e.getValue()));
  }

  @ParameterizedTest(name = "{0} uses only {1}")
  @MethodSource("corePackages")
  void package_dependsOnlyOnItsAllowedPackages(String pkg, List<String> allowed) {
    List<String> packages = new ArrayList<>(List.of(JDK));
    packages.add("dev.halcyon." + pkg + "..");
    allowed.forEach(a -> packages.add("dev.halcyon." + a + ".."));
    packages.add(GUAVA);
    if (!pkg.equals("s3")) {
      packages.addAll(List.of(CODECS));
      packages.add(JSON);
    } else {
      packages.add("software.amazon.awssdk..");
      packages.add("org.reactivestreams..");
    }
    classes()
        .that()
        .resideInAPackage("dev.halcyon." + pkg + "..")
        .should()
        .onlyDependOnClassesThat()
        .resideInAnyPackage(packages.toArray(String[]::new))
        .allowEmptyShould(true)
        .check(MAIN);
  }

  @Test
  void everyPackage_isListedWithItsAllowedDependencies() {
    List<String> unknown =
        MAIN.stream()
            .map(JavaClass::getPackageName)
            .map(p -> p.substring("dev.halcyon.".length()).split("\\.")[0])
            .distinct()
            .filter(p -> !p.equals("cli") && !ALLOWED.containsKey(p))
            .toList();
    org.assertj.core.api.Assertions.assertThat(unknown)
        .as("packages with no entry in ALLOWED: add one, and to docs/architecture.md")
        .isEmpty();
  }

  @Test
  void packages_haveNoCycles() {
    slices().matching("dev.halcyon.(*)..").should().beFreeOfCycles().check(MAIN);
  }

  @Test
  void coreAndS3_neverUsePicocliOrTheCli() {
    classes()
        .that()
        .resideOutsideOfPackage("dev.halcyon.cli..")
        .should()
        .onlyDependOnClassesThat()
        .resideOutsideOfPackages("picocli..", "dev.halcyon.cli..")
        .check(MAIN);
  }

  @Test
  void publicSignatures_useOnlyJdkAndHalcyonTypes() {
    methods()
        .that()
        .arePublic()
        .and()
        .areDeclaredInClassesThat()
        .arePublic()
        .should(useOnlyJdkAndHalcyonTypes())
        .check(MAIN);
  }

  private static ArchCondition<JavaMethod> useOnlyJdkAndHalcyonTypes() {
    DescribedPredicate<JavaClass> foreign =
        DescribedPredicate.describe(
            "a third-party type",
            c -> {
              String name = c.getBaseComponentType().getName();
              return !(name.startsWith("java.")
                  || name.startsWith("dev.halcyon.")
                  || c.getBaseComponentType().isPrimitive());
            });
    return new ArchCondition<>("use only JDK and dev.halcyon types in their signature") {
      @Override
      public void check(JavaMethod method, ConditionEvents events) {
        if (method.getOwner().getPackageName().startsWith("dev.halcyon.cli")) {
          return; // picocli's option types are the CLI's business, and nothing embeds it
        }
        List<JavaClass> types = new ArrayList<>(method.getRawParameterTypes());
        types.add(method.getRawReturnType());
        types.addAll(method.getExceptionTypes());
        for (JavaClass t : types) {
          if (foreign.test(t)) {
            events.add(
                SimpleConditionEvent.violated(
                    method, method.getFullName() + " uses " + t.getName()));
          }
        }
      }
    };
  }
}
