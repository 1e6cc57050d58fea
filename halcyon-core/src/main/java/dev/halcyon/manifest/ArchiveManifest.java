package dev.halcyon.manifest;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.halcyon.layer.Constraints;
import dev.halcyon.layer.Digest;
import dev.halcyon.layer.LayerTag;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The small sidecar object written beside every uploaded archive (its key is the archive's name
 * with extension {@value #EXTENSION}): what the archive is and which archives it was built on.
 *
 * <p>Retention reads these to keep what retained archives still need (the retention package's
 * {@code ReferenceProtection}) on a bare bucket, with no database. The text form ({@link
 * #format()}) is a versioned list of {@code key=value} lines; {@code parse(format(m)).equals(m)}
 * for every manifest. Readers ignore keys they do not know, so a later writer may add keys without
 * breaking an older collector (which would otherwise see no references and protect nothing).
 * Immutable and thread-safe.
 *
 * @param archiveKey the store key of the archive this manifest describes
 * @param digest the SHA-256 of the archive's bytes
 * @param size the archive's length in bytes
 * @param created when the archive was made
 * @param tag the identity of the layer the archive holds
 * @param builtOn the keys of the archives this one was built on (for an install archive: its
 *     toolchain, dependencies and build archives), in the writer's order, without duplicates
 * @param tocDigest the SHA-256 of the archive's table-of-contents frame, if it has one (zstd
 *     archives written by this version; the {@code toc-sha256} line): a reader verifies the TOC it
 *     fetched from the archive against this before trusting it. Older manifests have none.
 * @param tool the name and version of the tool that wrote the archive, e.g. {@code halcyon-jvm
 *     0.1.0}; empty in manifests written before this field existed (they still parse)
 * @param constraints the dependency list of a dependencies archive (one {@code constraint=} line
 *     per entry), so a build machine missing its exact layer can pick one to extend without
 *     downloading it; empty for other kinds and for archives written without a list
 * @param extendedFrom the key of the stored dependencies archive this one was made from by adding
 *     to it (the {@code extended-from} line); empty when it was built from nothing. Informational:
 *     every archive is whole, so the one it names is not needed to restore this one
 */
public record ArchiveManifest(
    String archiveKey,
    Digest digest,
    long size,
    Instant created,
    LayerTag tag,
    List<String> builtOn,
    Optional<Digest> tocDigest,
    Optional<String> tool,
    Optional<Constraints> constraints,
    Optional<String> extendedFrom) {

  /** The sidecar extension under which manifests are stored. */
  public static final String EXTENSION = "manifest";

  /** Version of the text format written by {@link #format()}. */
  public static final int FORMAT_VERSION = 1;

  private static final String HEADER = "halcyon-manifest=" + FORMAT_VERSION;
  private static final String TAG_PREFIX = "tag.";

  /**
   * Checks the fields and copies {@code builtOn}.
   *
   * @param archiveKey one line, not blank
   * @param digest SHA-256 of the archive's bytes
   * @param size not negative
   * @param created when the archive was made
   * @param tag the layer's identity
   * @param builtOn keys of one line each, not blank, without duplicates and not {@code archiveKey}
   * @param tocDigest empty for an archive without a table of contents
   * @param tool one line, not blank, if present
   * @param constraints empty unless a dependencies archive records its list
   * @param extendedFrom one line, not blank and not {@code archiveKey}, if present
   * @throws IllegalArgumentException naming the field, if a key is blank or has a line break,
   *     {@code size} is negative, or the archive is built on or extended from itself
   */
  public ArchiveManifest {
    checkKey("archiveKey", archiveKey);
    checkNotNull(tocDigest, "tocDigest");
    checkNotNull(digest, "digest");
    checkArgument(size >= 0, "size must be >= 0, got %s", size);
    checkNotNull(created, "created");
    checkNotNull(tag, "tag");
    builtOn = List.copyOf(builtOn);
    Set<String> seen = new HashSet<>();
    for (String key : builtOn) {
      checkKey("builtOn", key);
      checkArgument(!key.equals(archiveKey), "archive %s cannot be built on itself", archiveKey);
      checkArgument(seen.add(key), "builtOn lists %s twice", key);
    }
    checkNotNull(tool, "tool");
    tool.ifPresent(t -> checkKey("tool", t));
    checkNotNull(constraints, "constraints");
    checkNotNull(extendedFrom, "extendedFrom");
    extendedFrom.ifPresent(k -> checkKey("extendedFrom", k));
    checkArgument(
        !extendedFrom.equals(Optional.of(archiveKey)),
        "archive %s cannot be extended from itself",
        archiveKey);
  }

  /**
   * A manifest without a dependency list or an {@code extended-from} key.
   *
   * @param archiveKey the store key of the archive; one line, not blank
   * @param digest SHA-256 of the archive's bytes
   * @param size the archive's length in bytes
   * @param created when the archive was made
   * @param tag the layer's identity
   * @param builtOn keys of the archives it was built on, without duplicates; empty for none
   * @param tocDigest the table of contents' digest, empty for an archive without one
   * @param tool the tool's name and version, empty if unknown
   */
  public ArchiveManifest(
      String archiveKey,
      Digest digest,
      long size,
      Instant created,
      LayerTag tag,
      List<String> builtOn,
      Optional<Digest> tocDigest,
      Optional<String> tool) {
    this(
        archiveKey,
        digest,
        size,
        created,
        tag,
        builtOn,
        tocDigest,
        tool,
        Optional.empty(),
        Optional.empty());
  }

  /**
   * This manifest with {@code list} as the archive's dependency list.
   *
   * @param list the dependency list, empty to drop it
   * @return a new manifest, equal to this one but for the dependency list
   */
  public ArchiveManifest withConstraints(Optional<Constraints> list) {
    return new ArchiveManifest(
        archiveKey, digest, size, created, tag, builtOn, tocDigest, tool, list, extendedFrom);
  }

  /**
   * This manifest saying the archive was made by extending the stored archive {@code key}.
   *
   * @param key the stored dependencies archive's key, empty for an archive built from nothing
   * @return a new manifest, equal to this one but for the {@code extended-from} key
   */
  public ArchiveManifest withExtendedFrom(Optional<String> key) {
    return new ArchiveManifest(
        archiveKey, digest, size, created, tag, builtOn, tocDigest, tool, constraints, key);
  }

  /**
   * A manifest of an archive without a table of contents that does not say which tool wrote it.
   *
   * @param archiveKey the store key of the archive; one line, not blank
   * @param digest SHA-256 of the archive's bytes
   * @param size the archive's length in bytes
   * @param created when the archive was made
   * @param tag the layer's identity
   * @param builtOn keys of the archives it was built on, without duplicates; empty for none
   */
  public ArchiveManifest(
      String archiveKey,
      Digest digest,
      long size,
      Instant created,
      LayerTag tag,
      List<String> builtOn) {
    this(archiveKey, digest, size, created, tag, builtOn, Optional.empty(), Optional.empty());
  }

  /**
   * This manifest, saying that {@code toolAndVersion} (e.g. {@code halcyon-jvm 0.1.0}) wrote it.
   *
   * @param toolAndVersion the tool's name and version, one line, not blank
   * @return a new manifest, equal to this one but for the tool
   */
  public ArchiveManifest withTool(String toolAndVersion) {
    return new ArchiveManifest(
        archiveKey,
        digest,
        size,
        created,
        tag,
        builtOn,
        tocDigest,
        Optional.of(toolAndVersion),
        constraints,
        extendedFrom);
  }

  /**
   * A manifest for an archive that was built on nothing else (e.g. a toolchain).
   *
   * @param archiveKey the store key of the archive; one line, not blank
   * @param digest SHA-256 of the archive's bytes
   * @param size the archive's length in bytes
   * @param created when the archive was made
   * @param tag the layer's identity
   * @return a manifest with no {@code built-on} keys, table of contents, tool or dependency list
   */
  public static ArchiveManifest of(
      String archiveKey, Digest digest, long size, Instant created, LayerTag tag) {
    return new ArchiveManifest(archiveKey, digest, size, created, tag, List.of());
  }

  /**
   * This manifest with {@code tocDigest} as the archive's table-of-contents digest.
   *
   * @param tocDigest the table of contents' digest, empty for an archive without one
   * @return a new manifest, equal to this one but for the TOC digest
   */
  public ArchiveManifest withTocDigest(Optional<Digest> tocDigest) {
    return new ArchiveManifest(
        archiveKey,
        digest,
        size,
        created,
        tag,
        builtOn,
        tocDigest,
        tool,
        constraints,
        extendedFrom);
  }

  /**
   * The text form: a header line, then {@code archive}, {@code digest}, {@code size}, {@code
   * created}, {@code toc-sha256} if there is a TOC digest, {@code tool} if known, one {@code
   * built-on} line per reference, {@code extended-from} if any, one {@code constraint} line ({@code
   * name version}) per dependency, and the tag's own lines each prefixed with {@code tag.}.
   *
   * @return the text form, each line ending in a newline; {@link #parse} reads it back to an equal
   *     manifest
   */
  public String format() {
    StringBuilder out = new StringBuilder();
    out.append(HEADER).append('\n');
    out.append("archive=").append(archiveKey).append('\n');
    out.append("digest=").append(digest).append('\n');
    out.append("size=").append(size).append('\n');
    out.append("created=").append(created).append('\n');
    tocDigest.ifPresent(d -> out.append("toc-sha256=").append(d).append('\n'));
    tool.ifPresent(t -> out.append("tool=").append(t).append('\n'));
    for (String key : builtOn) {
      out.append("built-on=").append(key).append('\n');
    }
    extendedFrom.ifPresent(k -> out.append("extended-from=").append(k).append('\n'));
    constraints.ifPresent(
        c ->
            c.versions()
                .forEach(
                    (name, version) ->
                        out.append("constraint=")
                            .append(name)
                            .append(' ')
                            .append(version)
                            .append('\n')));
    for (String line : tag.format().split("\n")) {
      if (!line.isEmpty()) {
        out.append(TAG_PREFIX).append(line).append('\n');
      }
    }
    return out.toString();
  }

  /**
   * Parses the text written by {@link #format()}.
   *
   * @param text a manifest sidecar's content, lines separated by {@code \n} (a trailing {@code \r}
   *     is tolerated)
   * @return the manifest; keys it does not know are ignored
   * @throws IllegalArgumentException if the text is not a manifest of a known format version, or a
   *     line is malformed; the message names the line
   */
  public static ArchiveManifest parse(String text) {
    checkNotNull(text, "text");
    String[] lines = text.split("\n", -1);
    checkArgument(
        stripCr(lines[0]).equals(HEADER),
        "not a halcyon manifest of format %s: line 1 must be '%s', found '%s'",
        FORMAT_VERSION,
        HEADER,
        abbreviate(stripCr(lines[0])));
    String archive = null;
    Digest digest = null;
    Long size = null;
    Instant created = null;
    Digest toc = null;
    String tool = null;
    List<String> builtOn = new ArrayList<>();
    String extendedFrom = null;
    StringBuilder constraintText = null;
    StringBuilder tagText = new StringBuilder();
    Set<String> seenKeys = new HashSet<>();
    for (int i = 1; i < lines.length; i++) {
      int lineNo = i + 1;
      String line = stripCr(lines[i]);
      if (line.isEmpty()) {
        continue;
      }
      if (line.startsWith(TAG_PREFIX)) {
        tagText.append(line, TAG_PREFIX.length(), line.length()).append('\n');
        continue;
      }
      int eq = line.indexOf('=');
      checkArgument(eq > 0, "manifest line %s is not key=value: '%s'", lineNo, abbreviate(line));
      String key = line.substring(0, eq);
      String value = line.substring(eq + 1);
      checkArgument(
          key.equals("built-on") || key.equals("constraint") || seenKeys.add(key),
          "manifest line %s repeats '%s'",
          lineNo,
          key);
      try {
        switch (key) {
          case "archive" -> archive = value;
          case "digest" -> digest = Digest.parse(value);
          case "size" -> size = Long.parseLong(value);
          case "created" -> created = Instant.parse(value);
          case "toc-sha256" -> toc = Digest.parse(value);
          case "built-on" -> builtOn.add(value);
          case "tool" -> tool = value;
          case "extended-from" -> extendedFrom = value;
          case "constraint" -> {
            checkArgument(
                value.strip().split("[ \t]+").length == 2, "'%s' is not 'name version'", value);
            if (constraintText == null) {
              constraintText = new StringBuilder();
            }
            constraintText.append(value).append('\n');
          }
          default -> {
            // Unknown keys are later additions within this format version; ignoring them keeps
            // an older collector reading the references it understands.
          }
        }
      } catch (NumberFormatException | DateTimeParseException e) {
        throw new IllegalArgumentException(
            "manifest line " + lineNo + " has a bad " + key + ": '" + abbreviate(value) + "'", e);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "manifest line " + lineNo + " is invalid: " + e.getMessage(), e);
      }
    }
    checkArgument(archive != null, "manifest has no 'archive=' line");
    checkArgument(digest != null, "manifest of %s has no 'digest=' line", archive);
    checkArgument(size != null, "manifest of %s has no 'size=' line", archive);
    checkArgument(created != null, "manifest of %s has no 'created=' line", archive);
    checkArgument(tagText.length() > 0, "manifest of %s has no 'tag.' lines", archive);
    LayerTag tag;
    try {
      tag = LayerTag.parse(tagText.toString());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "manifest of " + archive + " has a bad tag (the 'tag.' lines): " + e.getMessage(), e);
    }
    try {
      return new ArchiveManifest(
          archive,
          digest,
          size,
          created,
          tag,
          builtOn,
          Optional.ofNullable(toc),
          Optional.ofNullable(tool),
          constraintText == null
              ? Optional.empty()
              : Optional.of(Constraints.parse(constraintText.toString())),
          Optional.ofNullable(extendedFrom));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "manifest of " + archive + " is invalid: " + e.getMessage(), e);
    }
  }

  private static String stripCr(String line) {
    return line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
  }

  private static String abbreviate(String text) {
    return text.length() <= 80 ? text : text.substring(0, 77) + "...";
  }

  private static void checkKey(String what, String key) {
    checkNotNull(key, what);
    checkArgument(!key.isBlank(), "%s must not be blank", what);
    checkArgument(
        key.indexOf('\n') < 0 && key.indexOf('\r') < 0, "%s must be one line: '%s'", what, key);
  }
}
