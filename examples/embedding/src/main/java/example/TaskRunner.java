package example;

import dev.halcyon.engine.Engine;
import dev.halcyon.engine.EngineListener;
import dev.halcyon.engine.LayerOutcome;
import dev.halcyon.engine.Plan;
import dev.halcyon.engine.Progress;
import dev.halcyon.engine.RunReport;
import dev.halcyon.layer.Constraints;
import dev.halcyon.layer.IgnoreRules;
import dev.halcyon.layer.LayerKind;
import dev.halcyon.recipe.AppRecipe;
import dev.halcyon.recipe.BuildContext;
import dev.halcyon.setup.Setup;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * A tiny build tool that embeds Halcyon through its public API only: {@code publish} compiles a
 * Java project's {@code src/} into a build layer and publishes the install archive; {@code deploy}
 * installs it on a machine that never builds. No {@code .halcyon} files: the recipe comes from
 * {@link AppRecipe#builder}, the stores from {@link Setup}. Every run prints its plan first and
 * shows progress.
 *
 * <p>Usage: {@code TaskRunner publish|deploy PROJECT_DIR KEY=VALUE...}, the settings being {@code
 * HALCYON_*} names (e.g. {@code HALCYON_STORAGE_DIR}, {@code HALCYON_CACHE}, {@code HALCYON_BASE},
 * {@code HALCYON_ROOT}).
 */
public final class TaskRunner {
  private final PrintStream out;

  TaskRunner(PrintStream out) {
    this.out = out;
  }

  public static void main(String[] args) throws Exception {
    new TaskRunner(System.out).run(args);
  }

  /** Runs one task; returns the run's report. */
  public RunReport run(String[] args) throws Exception {
    if (args.length < 2 || !(args[0].equals("publish") || args[0].equals("deploy"))) {
      throw new IllegalArgumentException("usage: TaskRunner publish|deploy PROJECT_DIR KEY=VALUE...");
    }
    Path project = Path.of(args[1]).toAbsolutePath();
    Map<String, String> settings = new HashMap<>();
    for (int i = 2; i < args.length; i++) {
      String[] kv = args[i].split("=", 2);
      settings.put(kv[0], kv[1]);
    }
    boolean deploy = args[0].equals("deploy");
    if (deploy) {
      settings.put("HALCYON_NO_BUILD", "1");
    }
    AppRecipe recipe = recipe(project);
    try (Setup setup = Setup.open(settings)) {
      Engine engine = setup.engineBuilder().build();
      Path installDir = setup.settings().root().resolve("srv/" + recipe.label());
      Plan plan = deploy ? engine.plan(recipe, installDir) : engine.plan(recipe);
      out.println("plan for " + plan.label() + ":");
      out.print(plan.format());
      RunReport report =
          deploy ? engine.install(recipe, installDir, progress()) : engine.build(recipe, progress());
      out.println(
          args[0]
              + " done: restored "
              + report.restored().size()
              + ", built "
              + report.built().size()
              + ", uploaded "
              + report.uploaded().size()
              + ", warnings "
              + report.warnings().size());
      return report;
    }
  }

  /** The project's recipe: label from {@code project.properties}, dependencies from {@code lib/}. */
  static AppRecipe recipe(Path project) throws IOException {
    java.util.Properties props = new java.util.Properties();
    try (var in = Files.newInputStream(project.resolve("project.properties"))) {
      props.load(in);
    }
    Map<String, String> deps = new HashMap<>();
    for (String dep : props.getProperty("dependencies", "").split(",")) {
      if (!dep.isBlank()) {
        String[] nv = dep.strip().split("@");
        deps.put(nv[0], nv[1]);
      }
    }
    return AppRecipe.builder(project)
        .label(props.getProperty("name") + "-" + props.getProperty("version"))
        .toolchain("jdk-" + Runtime.version().feature())
        .prefix("/srv/" + props.getProperty("name") + "-" + props.getProperty("version"))
        .ignore(IgnoreRules.DEFAULT.plus(IgnoreRules.of("out")))
        .constraints(Constraints.of(deps))
        .buildLayer(TaskRunner::compile)
        .install(TaskRunner::installClasses)
        .build();
  }

  private static void compile(BuildContext ctx) throws IOException {
    List<String> sources = new ArrayList<>();
    try (Stream<Path> files = Files.walk(ctx.layerDir().resolve("src"))) {
      files.filter(f -> f.toString().endsWith(".java")).forEach(f -> sources.add(f.toString()));
    }
    List<String> javacArgs = new ArrayList<>(List.of("-d", ctx.layerDir().resolve("out").toString()));
    javacArgs.addAll(sources);
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    if (javac.run(null, null, null, javacArgs.toArray(String[]::new)) != 0) {
      throw new IOException("compiling " + ctx.layerDir() + " failed");
    }
  }

  private static void installClasses(BuildContext ctx) throws IOException {
    Path classes = ctx.dir(LayerKind.BUILD).orElseThrow().resolve("out");
    try (Stream<Path> files = Files.walk(classes)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        Path target = ctx.layerDir().resolve("classes").resolve(classes.relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(target);
        } else {
          Files.copy(f, target);
        }
      }
    }
  }

  private EngineListener progress() {
    return new EngineListener() {
      @Override
      public void layerReady(LayerOutcome o) {
        out.printf(
            Locale.ROOT,
            "  %-12s %-8s %d bytes%n",
            o.tag().kind().id(),
            o.source().name().toLowerCase(Locale.ROOT),
            o.archiveBytes());
      }

      @Override
      public void progress(Progress p) {
        if (p.finished()) {
          out.println("  " + p.phase().name().toLowerCase(Locale.ROOT) + " " + p.key() + " done");
        }
      }

      @Override
      public void warning(String message) {
        out.println("  warning: " + message);
      }
    };
  }
}
