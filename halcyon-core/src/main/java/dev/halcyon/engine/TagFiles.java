package dev.halcyon.engine;

import dev.halcyon.layer.LayerTag;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Optional;

/** Reads and writes the {@link LayerTag#FILE_NAME} file that says which layer a directory holds. */
final class TagFiles {
  private TagFiles() {}

  /** The tag of {@code dir}; empty when there is none or it cannot be read. */
  static Optional<LayerTag> read(Path dir) {
    Path file = dir.resolve(LayerTag.FILE_NAME);
    if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
      return Optional.empty();
    }
    try {
      return Optional.of(LayerTag.parse(Files.readString(file, StandardCharsets.UTF_8)));
    } catch (IOException | IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  static boolean matches(Path dir, LayerTag tag) {
    return read(dir).filter(tag::equals).isPresent();
  }

  static void write(Path dir, LayerTag tag) throws IOException {
    Files.writeString(dir.resolve(LayerTag.FILE_NAME), tag.format(), StandardCharsets.UTF_8);
  }
}
