package dev.halcyon.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A new user's first runs, in-process with captured output: the root check, the refusal of a tree
 * without hooks, help and suggestions, and the {@code --json} documents.
 */
class FirstRunTest {
  @TempDir Path tmp;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private Path hookLog;
  private Map<String, String> env;

  @BeforeEach
  void setUp() {
    hookLog = tmp.resolve("hooks.log");
    env = new HashMap<>();
    env.put("HOME", tmp.resolve("home").toString());
    env.put("HALCYON_BASE", tmp.resolve("base").toString());
    env.put("HALCYON_CACHE", tmp.resolve("cache").toString());
  }

  private int run(String... args) {
    out.reset();
    err.reset();
    return HalcyonCommand.execute(
        args,
        env,
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  private Path app() throws IOException {
    return TestApps.write(tmp.resolve("app"), "1", hookLog);
  }

  /** Everything under the work directory and the cache: what a refused run must not leave. */
  private List<Path> leftBehind() throws IOException {
    List<Path> found = new ArrayList<>();
    for (String dir : List.of("base", "cache")) {
      Path d = tmp.resolve(dir);
      if (Files.exists(d)) {
        try (Stream<Path> files = Files.walk(d)) {
          // The work directory's lock file is taken before the check, and is no copy.
          files
              .filter(
                  f ->
                      Files.isRegularFile(f) && !f.getFileName().toString().equals(".halcyon.lock"))
              .forEach(found::add);
        }
      }
    }
    return found;
  }

  // ---- the root check

  @Test
  void install_rootIsAFile_failsAtOnceNamingThePathAndTheFix() throws Exception {
    Path app = app();
    Path file = Files.writeString(tmp.resolve("not-a-dir"), "x");

    assertThat(run("install", "--root", file.toString(), app.toString())).isEqualTo(1);

    assertThat(err().strip().lines())
        .as(err())
        .last()
        .isEqualTo(
            "halcyon: error: cannot install into "
                + file.resolve("app")
                + ": "
                + file
                + " is not a directory; give a directory you may write as --root DIR"
                + " (HALCYON_ROOT), or run as root");
    assertThat(hookLog).as("no hook ran: nothing was built").doesNotExist();
    assertThat(leftBehind()).isEmpty();
  }

  @Test
  void install_rootReadOnly_failsAtOnceWithoutATemporaryPath() throws Exception {
    assumeFalse(
        "root".equals(System.getProperty("user.name")), "root may write a read-only directory");
    Path app = app();
    Path root = Files.createDirectories(tmp.resolve("read-only"));
    Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("r-xr-xr-x"));
    try {
      assertThat(run("install", "--root", root.toString(), app.toString())).isEqualTo(1);
    } finally {
      Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    assertThat(err().strip().lines())
        .last()
        .asString()
        .startsWith("halcyon: error: cannot install into " + root.resolve("app") + ": " + root)
        .contains("is not writable by user", "--root DIR (HALCYON_ROOT), or run as root")
        .doesNotContain(".extract", ".halcyon-write-check");
    assertThat(hookLog).doesNotExist();
    assertThat(leftBehind()).isEmpty();
  }

  /** The same check as root: sysfs refuses new directories to everyone. */
  @Test
  void install_rootNobodyMayWrite_failsAtOnce() throws Exception {
    Path sys = Path.of("/sys");
    assumeTrue(Files.isDirectory(sys) && !Files.exists(sys.resolve("app")));
    boolean refused;
    try {
      Files.delete(Files.createTempDirectory(sys, "probe"));
      refused = false;
    } catch (IOException e) {
      refused = true;
    }
    assumeTrue(refused, "/sys takes new directories here");
    Path app = app();

    assertThat(run("install", "--root", "/sys", app.toString())).isEqualTo(1);

    assertThat(err().strip().lines())
        .last()
        .isEqualTo(
            "halcyon: error: cannot install into /sys/app: /sys is not writable by user '"
                + System.getProperty("user.name")
                + "'; give a directory you may write as --root DIR (HALCYON_ROOT), or run as root");
    assertThat(hookLog).doesNotExist();
    assertThat(leftBehind()).isEmpty();
  }

  @Test
  void install_rootMissingUnderAWritableDirectory_isCreated() throws Exception {
    Path app = app();
    Path root = tmp.resolve("new/root");

    assertThat(run("install", "--root", root.toString(), app.toString())).as(err()).isZero();

    assertThat(root.resolve("app/bin/demo-app")).isExecutable();
    assertThat(Files.list(root).map(p -> p.getFileName().toString()))
        .as("no probe left beside the app")
        .containsExactly("app");
  }

  // ---- refusing a tree that cannot be built

  @ParameterizedTest
  @ValueSource(strings = {"install", "build"})
  void run_treeWithoutHalcyonFolder_refusedBeforeAnythingIsCopied(String command) throws Exception {
    Path tree = Files.createDirectories(tmp.resolve("repo"));
    Files.writeString(tree.resolve("pom.xml"), "<project/>");
    Files.writeString(tree.resolve("big.bin"), "x".repeat(100_000));

    assertThat(run(command, "--root", tmp.resolve("root").toString(), tree.toString()))
        .isEqualTo(1);

    assertThat(err().strip())
        .isEqualTo(
            "halcyon: error: cannot build "
                + tree
                + ": it has no .halcyon folder, so .halcyon/build and .halcyon/install are"
                + " missing; add executables that build the app in $1 (.halcyon/build) and copy"
                + " what is installed into $1 (.halcyon/install), or give the app's directory"
                + " (README, 'The app recipe'); nothing was copied");
    assertThat(leftBehind()).isEmpty();
    assertThat(tmp.resolve("base")).doesNotExist();
  }

  @Test
  void install_installHookMissing_namesItAndCopiesNothing() throws Exception {
    Path app = app();
    Files.delete(app.resolve(".halcyon/install"));

    assertThat(run("install", "--root", tmp.resolve("root").toString(), app.toString()))
        .isEqualTo(1);

    assertThat(err().strip())
        .startsWith("halcyon: error: cannot build " + app + ": .halcyon/install is missing;");
    assertThat(hookLog).doesNotExist();
    assertThat(leftBehind()).isEmpty();
  }

  @Test
  void build_hookNotExecutable_saysChmod() throws Exception {
    Path app = app();
    Files.setPosixFilePermissions(
        app.resolve(".halcyon/build"), PosixFilePermissions.fromString("rw-r--r--"));

    assertThat(run("build", app.toString())).isEqualTo(1);

    assertThat(err().strip())
        .isEqualTo(
            "halcyon: error: cannot build "
                + app
                + ": .halcyon/build is not executable; run chmod +x on it");
    assertThat(hookLog).doesNotExist();
  }

  // ---- help and suggestions

  @ParameterizedTest
  @ValueSource(strings = {"install", "build", "label", "tag", "paths", "ls", "gc", "explain"})
  void help_command_printsThatCommandsUsage(String command) {
    assertThat(run("help", command)).isZero();
    assertThat(out()).startsWith("Usage: halcyon " + command + " [OPTIONS]");
  }

  @Test
  void help_ownOptionsFirst_thenTheGroupsThatApply() {
    assertThat(run("help", "ls")).isZero();
    String usage = out();
    assertThat(usage.indexOf("--local")).isLessThan(usage.indexOf("Storage options:"));
    assertThat(usage.indexOf("--prefix-filter")).isLessThan(usage.indexOf("Storage options:"));
    assertThat(usage).contains("Storage options:", "S3 options:", "Output options:", "--json");
    assertThat(usage)
        .doesNotContain("Build options:", "--no-build", "--root", "--retention", "--base=");

    assertThat(run("help", "label")).isZero();
    assertThat(out()).doesNotContain("--no-build", "--s3-bucket", "--cache=", "--json");

    assertThat(run("install", "--help")).isZero();
    assertThat(out())
        .containsSubsequence(
            "Recipe options:",
            "Storage options:",
            "S3 options:",
            "Build options:",
            "Retention options:",
            "Output options:")
        .contains("default ~/.halcyon/cache.");
  }

  @Test
  void help_withoutCommand_listsHelpAndCompletionToo() {
    assertThat(run("help")).isZero();
    assertThat(out()).containsPattern("(?m)^  help ").containsPattern("(?m)^  completion ");
  }

  @Test
  void mistypedCommand_suggestsTheClosest() {
    assertThat(run("instal", ".")).isEqualTo(1);
    assertThat(err().strip())
        .isEqualTo(
            "halcyon: unknown command 'instal'; did you mean 'install'? (see 'halcyon help')");
  }

  @Test
  void mistypedOption_suggestsTheClosest() {
    assertThat(run("install", "--no-bild", ".")).isEqualTo(1);
    assertThat(err().strip())
        .isEqualTo(
            "halcyon: Unknown option: '--no-bild'; did you mean '--no-build'?"
                + " (see 'halcyon help install')");
  }

  @Test
  void optionOfAnotherCommand_isUnknownThere() {
    assertThat(run("gc", "--no-build")).isEqualTo(1);
    assertThat(err().strip()).startsWith("halcyon: Unknown option: '--no-build'");
  }

  @ParameterizedTest
  @ValueSource(strings = {"ls", "gc"})
  void uploadAndPublicStorageOptions_areUnknownWhereTheyDoNothing(String command) {
    for (String option :
        List.of(
            "--s3-acl=public-read",
            "--s3-chunked-encoding=off",
            "--s3-overlap-uploads=off",
            "--public-storage-url=http://x",
            "--no-public-storage")) {
      assertThat(run(command, option)).as(option).isEqualTo(1);
      assertThat(err().strip())
          .startsWith("halcyon: Unknown option: '" + option.replaceFirst("=.*", ""));
    }
    assertThat(run("help", command)).isZero();
    assertThat(out())
        .contains("--s3-bucket", "--cache", "--storage-dir")
        .doesNotContain(
            "--s3-acl",
            "--s3-chunked-encoding",
            "--s3-overlap-uploads",
            "--public-storage-url",
            "--no-public-storage");
    assertThat(run("help", "install")).isZero();
    assertThat(out())
        .contains(
            "--s3-acl",
            "--s3-chunked-encoding",
            "--s3-overlap-uploads",
            "--public-storage-url",
            "--no-public-storage");
  }

  @Test
  void completion_bashAndZsh_printAScriptCoveringEveryCommand() {
    assertThat(run("completion", "bash")).isZero();
    String bash = out();
    assertThat(bash).contains("complete -F _complete_halcyon", "install", "--prefix-filter");
    assertThat(run("completion", "zsh")).isZero();
    assertThat(out()).isEqualTo(bash).contains("ZSH_VERSION", "bashcompinit");
    assertThat(run("completion", "fish")).isEqualTo(1);
    assertThat(err()).contains("no completion for shell 'fish'");
  }

  // ---- --json

  private JsonObject json() {
    assertThat(out().strip().lines()).as("one document, one line").hasSize(1);
    JsonObject o = JsonParser.parseString(out()).getAsJsonObject();
    assertThat(o.get("schemaVersion").getAsInt()).isEqualTo(JsonDocuments.SCHEMA_VERSION);
    return o;
  }

  @Test
  void install_json_reportsEveryLayerAndThenAlreadyInstalled() throws Exception {
    Path app = app();
    env.put("HALCYON_STORAGE_DIR", tmp.resolve("storage").toString());
    Path root = tmp.resolve("root");

    assertThat(run("install", "--json", "--root", root.toString(), app.toString()))
        .as(err())
        .isZero();

    JsonObject doc = json();
    assertThat(doc.get("command").getAsString()).isEqualTo("install");
    assertThat(doc.get("ok").getAsBoolean()).isTrue();
    assertThat(doc.get("label").getAsString()).isEqualTo("demo-app-1.0");
    assertThat(doc.get("installedAt").getAsString()).isEqualTo(root.resolve("app").toString());
    assertThat(doc.get("alreadyInstalled").getAsBoolean()).isFalse();
    JsonArray layers = doc.getAsJsonArray("layers");
    List<String> kinds = new ArrayList<>();
    long bytes = 0;
    for (JsonElement e : layers) {
      JsonObject l = e.getAsJsonObject();
      kinds.add(l.get("kind").getAsString());
      assertThat(l.get("source").getAsString()).isEqualTo("built");
      assertThat(l.get("bytes").getAsLong()).isPositive();
      assertThat(l.get("seconds").getAsDouble()).isNotNegative();
      assertThat(tmp.resolve("storage").resolve(l.get("key").getAsString())).isRegularFile();
      bytes += l.get("bytes").getAsLong();
    }
    assertThat(kinds).containsExactly("toolchain", "dependencies", "build", "install");
    assertThat(doc.get("bytes").getAsLong()).isEqualTo(bytes);
    assertThat(doc.get("installArchive").getAsString())
        .isEqualTo(layers.get(3).getAsJsonObject().get("key").getAsString());
    assertThat(err()).contains("-----> Installed demo-app-1.0");

    assertThat(run("install", "--json", "--root", root.toString(), app.toString())).isZero();
    JsonObject again = json();
    assertThat(again.get("alreadyInstalled").getAsBoolean()).isTrue();
    assertThat(again.getAsJsonArray("layers")).isEmpty();
    assertThat(again.get("installArchive")).isEqualTo(doc.get("installArchive"));

    // A deploy machine: its own cache, the archive from private storage.
    env.put("HALCYON_CACHE", tmp.resolve("deploy-cache").toString());
    Path deployRoot = tmp.resolve("deploy-root");
    assertThat(
            run("install", "--json", "--no-build", "--root", deployRoot.toString(), app.toString()))
        .as(err())
        .isZero();
    JsonArray deployed = json().getAsJsonArray("layers");
    assertThat(deployed).hasSize(1);
    assertThat(deployed.get(0).getAsJsonObject().get("source").getAsString()).isEqualTo("private");
  }

  @Test
  void install_jsonFailure_printsAnErrorObjectAndKeepsTheExitStatus() throws Exception {
    Path app = app();

    assertThat(
            run(
                "install",
                "--json",
                "--no-build",
                "--root",
                tmp.resolve("root").toString(),
                app.toString()))
        .isEqualTo(2);

    JsonObject doc = json();
    assertThat(doc.get("ok").getAsBoolean()).isFalse();
    assertThat(doc.get("exitStatus").getAsInt()).isEqualTo(2);
    assertThat(doc.get("command").getAsString()).isEqualTo("install");
    assertThat(err().strip().lines()).last().asString().startsWith("halcyon: ");
    assertThat("halcyon: " + doc.get("error").getAsString())
        .isEqualTo(err().strip().lines().reduce((a, b) -> b).orElseThrow());
  }

  @Test
  void build_tag_explain_ls_gc_json_areDocumentsOfWhatTheyFound() throws Exception {
    Path app = app();
    env.put("HALCYON_STORAGE_DIR", tmp.resolve("storage").toString());

    assertThat(run("build", "--json", app.toString())).as(err()).isZero();
    JsonObject build = json();
    assertThat(build.get("installedAt").isJsonNull()).isTrue();
    assertThat(build.getAsJsonArray("layers")).hasSize(4);
    // The run's report, not a count of the CLI's own: every archive built went to the folder.
    List<String> builtKeys = new ArrayList<>();
    build
        .getAsJsonArray("layers")
        .forEach(l -> builtKeys.add(l.getAsJsonObject().get("key").getAsString()));
    List<String> uploaded = new ArrayList<>();
    build.getAsJsonArray("uploaded").forEach(k -> uploaded.add(k.getAsString()));
    assertThat(uploaded).containsExactlyInAnyOrderElementsOf(builtKeys);
    assertThat(build.getAsJsonArray("evicted")).isEmpty();
    assertThat(build.getAsJsonArray("warnings")).isEmpty();
    assertThat(build.has("pruned")).isTrue();

    assertThat(run("tag", "--json", "--all", app.toString())).isZero();
    JsonArray tags = json().getAsJsonArray("layers");
    assertThat(tags).hasSize(4);
    JsonObject install = tags.get(3).getAsJsonObject();
    assertThat(install.get("kind").getAsString()).isEqualTo("install");
    assertThat(install.getAsJsonObject("inputs").get("prefix").getAsString()).isEqualTo("/app");
    assertThat(install.get("key").getAsString())
        .isEqualTo(build.get("installArchive").getAsString());
    assertThat(err()).contains("# " + install.get("key").getAsString());

    assertThat(run("explain", "--json", app.toString())).isZero();
    for (JsonElement e : json().getAsJsonArray("layers")) {
      assertThat(e.getAsJsonObject().get("stored").getAsBoolean()).as(e.toString()).isTrue();
    }

    assertThat(run("ls", "--json")).isZero();
    JsonObject ls = json();
    assertThat(ls.getAsJsonArray("archives")).hasSize(4);
    long total = 0;
    for (JsonElement e : ls.getAsJsonArray("archives")) {
      total += e.getAsJsonObject().get("bytes").getAsLong();
    }
    assertThat(ls.get("totalBytes").getAsLong()).as("with the manifests").isGreaterThan(total);
    assertThat(err()).contains("# 4 archive(s)");

    assertThat(run("gc", "--json", "--dry-run")).as(err()).isZero();
    JsonObject gc = json();
    assertThat(gc.get("dryRun").getAsBoolean()).isTrue();
    assertThat(gc.getAsJsonArray("condemned")).isEmpty();
    assertThat(gc.get("objectsListed").getAsInt()).isPositive();
  }

  @Test
  void explain_sourceChanged_buildLayerIsAnEarlierBuildNotStored() throws Exception {
    Path app = app();
    env.put("HALCYON_STORAGE_DIR", tmp.resolve("storage").toString());
    assertThat(run("build", app.toString())).as(err()).isZero();
    Files.writeString(app.resolve("src/message.txt"), "changed\n");

    assertThat(run("explain", "--json", app.toString())).isZero();

    JsonObject buildLayer = json().getAsJsonArray("layers").get(2).getAsJsonObject();
    assertThat(buildLayer.get("kind").getAsString()).isEqualTo("build");
    assertThat(buildLayer.get("stored").getAsBoolean()).isFalse();
    JsonArray earlier = buildLayer.getAsJsonArray("earlierBuildIn");
    assertThat(earlier).hasSize(2); // the cache (no manifest there) and the storage folder
    assertThat(earlier.get(1).getAsJsonObject().getAsJsonArray("differences").toString())
        .contains("source-hash");
    assertThat(err())
        .contains("a build of this app is stored in", "no manifest says of which source")
        .contains("an earlier build (restored, then built on) is stored in");
  }
}
