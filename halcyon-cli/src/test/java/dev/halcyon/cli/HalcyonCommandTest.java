package dev.halcyon.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The command line driven in-process with captured output. */
class HalcyonCommandTest {
  @TempDir Path tmp;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(Map<String, String> env, String... args) {
    return HalcyonCommand.execute(
        args,
        env,
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private Map<String, String> env(String... pairs) {
    Map<String, String> env = new HashMap<>();
    env.put("HOME", tmp.resolve("home").toString());
    for (int i = 0; i < pairs.length; i += 2) {
      env.put(pairs[i], pairs[i + 1]);
    }
    return env;
  }

  @ParameterizedTest
  @ValueSource(strings = {"install", "build", "label", "tag", "paths", "ls", "gc", "explain"})
  void help_everySubcommand_printsUsageAndExitsZero(String command) {
    assertThat(run(env(), command, "--help")).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("Usage: halcyon " + command);
  }

  @Test
  void subcommands_namesMatchTheirCommandAnnotations() {
    HalcyonCommand.SUBCOMMANDS.forEach(
        (name, type) ->
            assertThat(type.getAnnotation(picocli.CommandLine.Command.class).name())
                .isEqualTo(name));
    assertThat(HalcyonCommand.SUBCOMMANDS).hasSize(10);
  }

  @Test
  void help_withoutSubcommand_listsEverySubcommand() {
    assertThat(run(env())).isZero();
    String usage = out.toString(StandardCharsets.UTF_8);
    HalcyonCommand.SUBCOMMANDS
        .keySet()
        .forEach(name -> assertThat(usage).containsPattern("(?m)^  " + name + " "));
  }

  @ParameterizedTest
  @ValueSource(strings = {"label", "tag", "paths", "explain"})
  void runWithoutParsing_commandAndApp_printsWhatPicocliParsingPrints(String command)
      throws Exception {
    Path app = tmp.resolve("app");
    Files.createDirectories(app.resolve(".halcyon"));
    Files.writeString(app.resolve(".halcyon/label"), "fast-1.0\n");
    Files.writeString(app.resolve(".halcyon/toolchain"), "jdk-17\n");
    Map<String, String> env =
        env(
            "HALCYON_CACHE",
            tmp.resolve("cache").toString(),
            "HALCYON_BASE",
            tmp.resolve("base").toString());

    // An option that changes nothing sends the same command through picocli.
    assertThat(run(env, command, "--label=fast-1.0", app.toString()))
        .as(err.toString(StandardCharsets.UTF_8))
        .isZero();
    String parsedOut = out.toString(StandardCharsets.UTF_8);
    String parsedErr = err.toString(StandardCharsets.UTF_8);
    out.reset();
    err.reset();
    assertThat(FastPath.runWithoutParsing(new String[] {command, app.toString()}, root(env)))
        .isZero();

    assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo(parsedOut).isNotEmpty();
    assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo(parsedErr);
  }

  @Test
  void runWithoutParsing_optionsOrUnknownCommand_leavesItToPicocli() {
    HalcyonCommand root = root(env());
    assertThat(FastPath.runWithoutParsing(new String[] {"install", "--verbose"}, root)).isNull();
    assertThat(FastPath.runWithoutParsing(new String[] {"install", "@args.txt"}, root)).isNull();
    assertThat(FastPath.runWithoutParsing(new String[] {"install", "a", "b"}, root)).isNull();
    assertThat(FastPath.runWithoutParsing(new String[] {"ls"}, root)).isNull();
    assertThat(FastPath.runWithoutParsing(new String[] {"instal", "app"}, root)).isNull();
    assertThat(FastPath.runWithoutParsing(new String[0], root)).isNull();
    assertThat(out.size() + err.size()).isZero();
  }

  @Test
  void runWithoutParsing_failure_exitsOneWithTheSameLineAsPicocli() {
    Path missing = tmp.resolve("no-such-app");
    assertThat(run(env(), "label", "--platform=linux-x", missing.toString())).isEqualTo(1);
    String parsedErr = err.toString(StandardCharsets.UTF_8);
    err.reset();
    assertThat(FastPath.runWithoutParsing(new String[] {"label", missing.toString()}, root(env())))
        .isEqualTo(1);
    assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo(parsedErr).startsWith("halcyon: ");
  }

  private HalcyonCommand root(Map<String, String> env) {
    return new HalcyonCommand(
        env,
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @Test
  void version_printsTheVersion() {
    assertThat(run(env(), "--version")).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("halcyon ");
  }

  @Test
  void unknownOption_exitsOneWithOneLine() {
    assertThat(run(env(), "install", "--no-such-thing")).isEqualTo(1);
    assertThat(err.toString(StandardCharsets.UTF_8).strip().lines())
        .singleElement()
        .asString()
        .startsWith("halcyon: Unknown option: '--no-such-thing'");
  }

  @Test
  void label_fromMagicFile_optionBeatsEnvironmentBeatsMagicFile() throws Exception {
    Path app = tmp.resolve("app");
    Files.createDirectories(app.resolve(".halcyon"));
    Files.writeString(app.resolve(".halcyon/label"), "magic-1.0\n");

    assertThat(run(env(), "label", app.toString())).isZero();
    assertThat(run(env("HALCYON_LABEL", "env-2.0"), "label", app.toString())).isZero();
    assertThat(
            run(env("HALCYON_LABEL", "env-2.0"), "label", "--label", "option-3.0", app.toString()))
        .isZero();

    assertThat(out.toString(StandardCharsets.UTF_8).lines())
        .containsExactly("magic-1.0", "env-2.0", "option-3.0");
  }

  @Test
  void label_inferredFromPom() throws Exception {
    Path app = tmp.resolve("app");
    Files.createDirectories(app);
    Files.writeString(
        app.resolve("pom.xml"),
        "<project><parent><artifactId>p</artifactId><version>9</version></parent><artifactId>svc</artifactId><version>2.1</version></project>");

    assertThat(run(env(), "label", app.toString())).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8).strip()).isEqualTo("svc-2.1");
  }

  @Test
  void label_noLabelAnywhere_exitsOneSayingWhatToWrite() throws Exception {
    Path app = tmp.resolve("app");
    Files.createDirectories(app);

    assertThat(run(env(), "label", app.toString())).isEqualTo(1);
    assertThat(err.toString(StandardCharsets.UTF_8).strip())
        .isEqualTo(
            "halcyon: error: cannot tell the app label of "
                + app
                + ": write name-version into .halcyon/label (or give --label)");
  }

  @Test
  void install_noBuildAndNoArchive_exits2AndTheLineNamesTheSetting() throws Exception {
    Path app = tmp.resolve("app");
    Files.createDirectories(app.resolve(".halcyon"));
    Files.writeString(app.resolve(".halcyon/label"), "a-1\n");
    Files.writeString(app.resolve(".halcyon/toolchain"), "jdk-17\n");
    for (String hook : new String[] {"build", "install"}) {
      Path file = app.resolve(".halcyon/" + hook);
      Files.writeString(file, "#!/bin/sh\nexit 0\n");
      file.toFile().setExecutable(true);
    }

    int exit =
        run(
            env(
                "HALCYON_NO_BUILD",
                "1",
                "HALCYON_STORAGE_DIR",
                tmp.resolve("store").toString(),
                "HALCYON_CACHE",
                tmp.resolve("cache").toString(),
                "HALCYON_BASE",
                tmp.resolve("base").toString(),
                "HALCYON_ROOT",
                tmp.resolve("root").toString()),
            "install",
            app.toString());

    String output = err.toString(StandardCharsets.UTF_8).strip();
    String line = output.substring(output.lastIndexOf('\n') + 1);
    assertThat(exit).as(output).isEqualTo(2);
    assertThat(line)
        .startsWith("halcyon: build required but forbidden: no install archive ")
        .contains("(building is off here;")
        .endsWith("[HALCYON_NO_BUILD is set]");
  }

  @Test
  void badFlagValue_namesTheVariableAndOption() throws Exception {
    Path app = tmp.resolve("app");
    Files.createDirectories(app.resolve(".halcyon"));
    Files.writeString(app.resolve(".halcyon/label"), "a-1\n");

    assertThat(run(env("HALCYON_NO_BUILD", "maybe"), "install", app.toString())).isEqualTo(1);
    assertThat(err.toString(StandardCharsets.UTF_8).strip())
        .isEqualTo(
            "halcyon: error: HALCYON_NO_BUILD must be 1, true, yes or on, or 0, false, no or off,"
                + " got 'maybe' (option --no-build)");
  }
}
