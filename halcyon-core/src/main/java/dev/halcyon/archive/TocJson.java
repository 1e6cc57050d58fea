package dev.halcyon.archive;

import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.JsonWriter;
import dev.halcyon.layer.Digest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.StringReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The JSON text of a table of contents (format version {@value ArchiveToc#FORMAT_VERSION}), written
 * with fixed key order and no whitespace so the same TOC gives the same bytes. Reading is strict:
 * every key known, none repeated, every required key present, numbers where numbers belong. Meaning
 * (ranges, paths, limits) is checked afterwards by {@link TocValidator}.
 */
final class TocJson {
  private TocJson() {}

  static byte[] format(ArchiveToc toc) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (Writer w = new OutputStreamWriter(bytes, StandardCharsets.UTF_8);
        JsonWriter json = new JsonWriter(w)) {
      json.beginObject();
      json.name("version").value(ArchiveToc.FORMAT_VERSION);
      json.name("chunkSize").value(toc.chunkSize());
      json.name("tarSize").value(toc.tarSize());
      json.name("framesEnd").value(toc.framesEnd());
      json.name("frames").beginArray();
      for (TocFrame f : toc.frames()) {
        frame(json, f);
      }
      json.endArray();
      json.name("entries").beginArray();
      for (TocEntry e : toc.entries()) {
        json.beginObject();
        json.name("path").value(e.path());
        json.name("type").value(typeName(e.type()));
        json.name("mode").value(e.mode());
        if (e.type() == TocEntry.Type.FILE) {
          json.name("size").value(e.size());
        }
        if (e.linkTarget().isPresent()) {
          json.name("target").value(e.linkTarget().get());
        }
        if (e.digest().isPresent()) {
          json.name("sha256").value(e.digest().get().toString());
        }
        json.name("tarOffset").value(e.tarOffset());
        if (!e.chunks().isEmpty()) {
          json.name("chunks").beginArray();
          for (TocChunk c : e.chunks()) {
            json.beginObject();
            json.name("offset").value(c.offset());
            json.name("length").value(c.length());
            json.name("innerOffset").value(c.innerOffset());
            json.name("fileOffset").value(c.fileOffset());
            json.name("size").value(c.size());
            json.name("sha256").value(c.digest().toString());
            json.endObject();
          }
          json.endArray();
        }
        json.endObject();
      }
      json.endArray();
      json.endObject();
    } catch (IOException e) {
      throw new IllegalStateException("writing to memory failed", e);
    }
    return bytes.toByteArray();
  }

  private static void frame(JsonWriter json, TocFrame f) throws IOException {
    json.beginObject();
    json.name("offset").value(f.offset());
    json.name("length").value(f.length());
    json.name("tarOffset").value(f.tarOffset());
    json.name("tarLength").value(f.tarLength());
    json.endObject();
  }

  private static String typeName(TocEntry.Type t) {
    return switch (t) {
      case DIRECTORY -> "dir";
      case FILE -> "file";
      case SYMLINK -> "symlink";
    };
  }

  /**
   * Parses the JSON text; structure only.
   *
   * @throws CorruptArchiveException naming the first malformed place (Gson's JSON path)
   */
  static ArchiveToc parse(String text) throws CorruptArchiveException {
    JsonReader json = new JsonReader(new StringReader(text));
    json.setStrictness(Strictness.STRICT);
    try {
      ArchiveToc toc = toc(json);
      if (json.peek() != JsonToken.END_DOCUMENT) {
        throw new MalformedToc("text follows the JSON object", json);
      }
      return toc;
    } catch (IOException | IllegalStateException | NumberFormatException e) {
      // JsonReader reports syntax errors as MalformedJsonException (an IOException) and type
      // mismatches as IllegalStateException, both with the JSON path.
      throw new CorruptArchiveException(
          "the archive's table of contents is malformed: " + e.getMessage(), e);
    } catch (IllegalArgumentException e) {
      throw new CorruptArchiveException(
          "the archive's table of contents is malformed at "
              + json.getPath()
              + ": "
              + e.getMessage(),
          e);
    }
  }

  private static ArchiveToc toc(JsonReader json) throws IOException {
    Long version = null;
    Long chunkSize = null;
    Long tarSize = null;
    Long framesEnd = null;
    List<TocFrame> frames = null;
    List<TocEntry> entries = null;
    Set<String> seen = new HashSet<>();
    json.beginObject();
    while (json.hasNext()) {
      String key = key(json, seen);
      switch (key) {
        case "version" -> {
          version = number(json);
          if (version != ArchiveToc.FORMAT_VERSION) {
            throw new MalformedToc(
                "format version "
                    + version
                    + ", but this halcyon reads version "
                    + ArchiveToc.FORMAT_VERSION,
                json);
          }
        }
        case "chunkSize" -> chunkSize = number(json);
        case "tarSize" -> tarSize = number(json);
        case "framesEnd" -> framesEnd = number(json);
        case "entries" -> entries = array(json, TocJson::entry);
        case "frames" -> frames = array(json, TocJson::frame);
        default -> throw unknown(key, json);
      }
    }
    json.endObject();
    require(version, "version", json);
    return new ArchiveToc(
        require(chunkSize, "chunkSize", json),
        require(tarSize, "tarSize", json),
        require(framesEnd, "framesEnd", json),
        require(frames, "frames", json),
        require(entries, "entries", json));
  }

  private static TocEntry entry(JsonReader json) throws IOException {
    String path = null;
    TocEntry.Type type = null;
    Long mode = null;
    Long size = null;
    String target = null;
    Digest digest = null;
    Long tarOffset = null;
    List<TocChunk> chunks = List.of();
    Set<String> seen = new HashSet<>();
    json.beginObject();
    while (json.hasNext()) {
      String key = key(json, seen);
      switch (key) {
        case "path" -> path = string(json);
        case "type" -> type = type(json);
        case "mode" -> mode = number(json);
        case "size" -> size = number(json);
        case "target" -> target = string(json);
        case "sha256" -> digest = Digest.parse(string(json));
        case "tarOffset" -> tarOffset = number(json);
        case "chunks" -> chunks = array(json, TocJson::chunk);
        default -> throw unknown(key, json);
      }
    }
    json.endObject();
    long m = require(mode, "mode", json);
    if (m < 0 || m > 07777) {
      throw new MalformedToc("mode " + m + " is not a permission mode", json);
    }
    TocEntry.Type t = require(type, "type", json);
    if (t == TocEntry.Type.FILE) {
      require(size, "size", json);
      require(digest, "sha256", json);
    } else if (size != null) {
      throw new MalformedToc("a " + typeName(t) + " has no size", json);
    }
    return new TocEntry(
        require(path, "path", json),
        t,
        (int) m,
        size == null ? 0 : size,
        Optional.ofNullable(target),
        Optional.ofNullable(digest),
        require(tarOffset, "tarOffset", json),
        chunks);
  }

  private static TocChunk chunk(JsonReader json) throws IOException {
    Long offset = null;
    Long length = null;
    Long innerOffset = null;
    Long fileOffset = null;
    Long size = null;
    Digest digest = null;
    Set<String> seen = new HashSet<>();
    json.beginObject();
    while (json.hasNext()) {
      String key = key(json, seen);
      switch (key) {
        case "offset" -> offset = number(json);
        case "length" -> length = number(json);
        case "innerOffset" -> innerOffset = number(json);
        case "fileOffset" -> fileOffset = number(json);
        case "size" -> size = number(json);
        case "sha256" -> digest = Digest.parse(string(json));
        default -> throw unknown(key, json);
      }
    }
    json.endObject();
    return new TocChunk(
        require(offset, "offset", json),
        require(length, "length", json),
        require(innerOffset, "innerOffset", json),
        require(fileOffset, "fileOffset", json),
        require(size, "size", json),
        require(digest, "sha256", json));
  }

  private static TocFrame frame(JsonReader json) throws IOException {
    Long offset = null;
    Long length = null;
    Long tarOffset = null;
    Long tarLength = null;
    Set<String> seen = new HashSet<>();
    json.beginObject();
    while (json.hasNext()) {
      String key = key(json, seen);
      switch (key) {
        case "offset" -> offset = number(json);
        case "length" -> length = number(json);
        case "tarOffset" -> tarOffset = number(json);
        case "tarLength" -> tarLength = number(json);
        default -> throw unknown(key, json);
      }
    }
    json.endObject();
    return new TocFrame(
        require(offset, "offset", json),
        require(length, "length", json),
        require(tarOffset, "tarOffset", json),
        require(tarLength, "tarLength", json));
  }

  private static TocEntry.Type type(JsonReader json) throws IOException {
    String name = string(json);
    return switch (name) {
      case "dir" -> TocEntry.Type.DIRECTORY;
      case "file" -> TocEntry.Type.FILE;
      case "symlink" -> TocEntry.Type.SYMLINK;
      default ->
          throw new MalformedToc(
              "unknown entry type '" + abbreviate(name) + "' (dir, file or symlink)", json);
    };
  }

  /** Reads one JSON value of a TOC: an object, with the reader on its start. */
  @FunctionalInterface
  private interface ValueReader<T> {
    T read(JsonReader json) throws IOException;
  }

  private static <T> List<T> array(JsonReader json, ValueReader<T> element) throws IOException {
    List<T> list = new ArrayList<>();
    json.beginArray();
    while (json.hasNext()) {
      list.add(element.read(json));
    }
    json.endArray();
    return list;
  }

  private static String key(JsonReader json, Set<String> seen) throws IOException {
    String key = json.nextName();
    if (!seen.add(key)) {
      throw new MalformedToc("repeats the key '" + abbreviate(key) + "'", json);
    }
    return key;
  }

  private static long number(JsonReader json) throws IOException {
    if (json.peek() != JsonToken.NUMBER) {
      throw new MalformedToc("expected a number but found " + json.peek(), json);
    }
    // nextLong refuses fractions and values beyond a long with a NumberFormatException.
    return json.nextLong();
  }

  private static String string(JsonReader json) throws IOException {
    if (json.peek() != JsonToken.STRING) {
      throw new MalformedToc("expected a string but found " + json.peek(), json);
    }
    return json.nextString();
  }

  private static <T> T require(T value, String key, JsonReader json) throws MalformedToc {
    if (value == null) {
      throw new MalformedToc("has no '" + key + "'", json);
    }
    return value;
  }

  private static MalformedToc unknown(String key, JsonReader json) {
    return new MalformedToc("has the unknown key '" + abbreviate(key) + "'", json);
  }

  static String abbreviate(String text) {
    return text.length() <= 80 ? text : text.substring(0, 77) + "...";
  }

  /** A structural error, with the JSON path where it was found. */
  private static final class MalformedToc extends IOException {
    private static final long serialVersionUID = 1L;

    MalformedToc(String why, JsonReader json) {
      super(why + " at " + json.getPath());
    }
  }
}
