package dev.halcyon.cli;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import dev.halcyon.engine.LayerOutcome;
import dev.halcyon.engine.RunReport;
import dev.halcyon.layer.LayerTag;
import dev.halcyon.retention.Condemned;
import dev.halcyon.retention.GcReport;
import dev.halcyon.retention.Listing;
import dev.halcyon.retention.StoredArchive;
import dev.halcyon.store.ObjectInfo;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The documents {@code --json} writes: one JSON object per run on standard output, rendered from
 * the engine's {@link RunReport}, the {@link Listing} and the {@link GcReport} (no second
 * bookkeeping). README's "Machine-readable output" is the schema; {@link #SCHEMA_VERSION} goes up
 * when a field changes meaning or disappears (new fields may appear in any version). Stateless;
 * thread-safe.
 */
final class JsonDocuments {
  /** The {@code schemaVersion} field of every document. */
  static final int SCHEMA_VERSION = 1;

  private static final Gson GSON =
      new GsonBuilder().disableHtmlEscaping().serializeNulls().create();

  private JsonDocuments() {}

  /** The fields every document starts with. */
  static JsonObject start(String command, boolean ok) {
    JsonObject o = new JsonObject();
    o.addProperty("schemaVersion", SCHEMA_VERSION);
    o.addProperty("command", command);
    o.addProperty("ok", ok);
    return o;
  }

  /** Writes {@code document} as one line to {@code out}. */
  static void print(PrintStream out, JsonObject document) {
    out.println(GSON.toJson(document));
    out.flush();
  }

  /** The document of a failed command: its exit status and the error line. */
  static JsonObject error(String command, int exitStatus, String line) {
    JsonObject o = start(command, false);
    o.addProperty("exitStatus", exitStatus);
    o.addProperty("error", line);
    return o;
  }

  /**
   * {@code install} and {@code build}: every layer, where it came from, bytes and seconds, and what
   * the run uploaded, evicted and pruned and the warnings it gave — all from the {@link RunReport}.
   */
  static JsonObject run(String command, String label, String platform, RunReport report) {
    JsonObject o = start(command, true);
    o.addProperty("label", label);
    o.addProperty("platform", platform);
    o.add(
        "installedAt",
        report.installedAt().<JsonElement>map(p -> new JsonPrimitive(p.toString())).orElse(null));
    o.addProperty("alreadyInstalled", report.alreadyInstalled());
    o.addProperty("installArchive", report.installArchive());
    JsonArray layers = new JsonArray();
    long bytes = 0;
    for (LayerOutcome l : report.layers()) {
      JsonObject layer = new JsonObject();
      layer.addProperty("kind", l.tag().kind().id());
      layer.addProperty("source", l.source().name().toLowerCase(Locale.ROOT));
      layer.addProperty("key", l.key());
      layer.addProperty("bytes", l.archiveBytes());
      layer.addProperty("seconds", seconds(l.took()));
      l.delta()
          .ifPresent(
              d -> {
                JsonObject delta = new JsonObject();
                delta.addProperty("files", d.files());
                delta.addProperty("reused", d.reused());
                delta.addProperty("fetched", d.fetched());
                delta.addProperty("linked", d.linked());
                delta.addProperty("bytesFetched", d.bytesFetched());
                delta.addProperty("requests", d.requests());
                delta.addProperty("hashed", d.hashed());
                delta.addProperty("fromArchives", d.fromArchives());
                delta.addProperty("bytesFromArchives", d.bytesFromArchives());
                layer.add("delta", delta);
              });
      l.extendedFrom()
          .ifPresent(
              f -> {
                JsonObject from = new JsonObject();
                from.addProperty("key", f.key());
                from.addProperty("overlap", f.overlap());
                from.addProperty("needed", f.needed());
                layer.add("extendedFrom", from);
              });
      layers.add(layer);
      bytes += l.archiveBytes();
    }
    o.add("layers", layers);
    o.addProperty("bytes", bytes);
    o.add("uploaded", strings(report.uploaded()));
    o.add("evicted", strings(report.evicted()));
    o.add("pruned", report.pruned().<JsonElement>map(JsonPrimitive::new).orElse(null));
    o.add("warnings", strings(report.warnings()));
    o.addProperty("seconds", seconds(report.took()));
    return o;
  }

  /** One layer's identity for {@code tag}: its key and every input of its tag. */
  static JsonObject tag(LayerTag tag, String key) {
    JsonObject o = new JsonObject();
    o.addProperty("kind", tag.kind().id());
    o.addProperty("key", key);
    o.addProperty("platform", tag.platform());
    o.addProperty("toolchain", tag.toolchain());
    o.addProperty("label", tag.label());
    JsonObject inputs = new JsonObject();
    for (Map.Entry<String, String> e : tag.inputs().entrySet()) {
      inputs.addProperty(e.getKey(), e.getValue());
    }
    o.add("inputs", inputs);
    o.addProperty("text", tag.format());
    return o;
  }

  /** {@code ls}: every archive and every object the namer did not understand. */
  static JsonObject listing(
      String store, Listing listing, Map<String, ? extends Collection<String>> usedBy) {
    JsonObject o = start("ls", true);
    o.addProperty("store", store);
    JsonArray archives = new JsonArray();
    for (StoredArchive a : listing.archives()) {
      JsonObject x = new JsonObject();
      x.addProperty("key", a.key());
      x.addProperty("kind", a.name().kind().id());
      x.addProperty("platform", a.name().platform());
      x.addProperty("toolchain", a.name().toolchain());
      x.addProperty("label", a.name().label());
      x.addProperty("hash", a.name().hash());
      x.addProperty("bytes", a.size());
      x.addProperty("lastModified", a.lastModified().toString());
      x.add("builtOn", strings(a.builtOn()));
      Collection<String> users = usedBy.get(a.key());
      x.add("usedBy", strings(users == null ? List.of() : users));
      archives.add(x);
    }
    o.add("archives", archives);
    JsonArray unknown = new JsonArray();
    for (ObjectInfo u : listing.unknown()) {
      JsonObject x = new JsonObject();
      x.addProperty("key", u.key());
      x.addProperty("bytes", u.size());
      x.addProperty("lastModified", u.lastModified().toString());
      unknown.add(x);
    }
    o.add("unknown", unknown);
    o.addProperty("totalBytes", listing.totalBytes());
    return o;
  }

  /** {@code gc}: every condemned key with its rule, and the counts. */
  static JsonObject gc(String store, GcReport report) {
    JsonObject o = start("gc", true);
    o.addProperty("store", store);
    o.addProperty("dryRun", report.dryRun());
    JsonArray condemned = new JsonArray();
    for (Condemned c : report.plan().condemned()) {
      JsonObject x = new JsonObject();
      x.addProperty("key", c.key());
      x.addProperty("bytes", c.archive().size());
      x.addProperty("rule", c.rule());
      x.addProperty("reason", c.reason());
      condemned.add(x);
    }
    o.add("condemned", condemned);
    o.addProperty("bytesFreed", report.bytesFreed());
    o.addProperty("incompleteUploads", report.incompleteUploads());
    o.addProperty("objectsListed", report.objectsListed());
    o.addProperty("unknownObjects", report.unknownObjects());
    o.addProperty("requests", report.requests());
    o.add("spared", strings(report.spared()));
    o.add("warnings", strings(report.warnings()));
    o.addProperty("seconds", seconds(report.elapsed()));
    return o;
  }

  static JsonArray strings(Collection<String> values) {
    JsonArray a = new JsonArray();
    values.forEach(a::add);
    return a;
  }

  /** Seconds with millisecond precision. */
  static double seconds(Duration d) {
    return d.toMillis() / 1000.0;
  }
}
