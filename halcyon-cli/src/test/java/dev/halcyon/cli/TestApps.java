package dev.halcyon.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Random;

/**
 * Writes a small app with every kind of layer. Its hooks are shell scripts that append to a log
 * outside the app, so a test can tell which hooks ran.
 */
final class TestApps {
  private TestApps() {}

  static Path write(Path dir, String version, Path hookLog) throws IOException {
    Files.createDirectories(dir.resolve(".halcyon"));
    Files.createDirectories(dir.resolve("src"));
    Files.writeString(dir.resolve("src/message.txt"), "hello from version " + version + "\n");
    magic(dir, "label", "demo-app-1.0\n");
    magic(dir, "toolchain", "shtool-1.0\n");
    magic(dir, "constraints", "greeting 1.0\n");
    hook(
        dir,
        "toolchain-build",
        "echo toolchain >> '"
            + hookLog
            + "'\nmkdir -p \"$1/bin\"\nprintf '#!/bin/sh\\ncat \"$@\"\\n' > \"$1/bin/tool\"\nchmod +x \"$1/bin/tool\"\n");
    hook(
        dir,
        "dependencies-build",
        "echo dependencies >> '" + hookLog + "'\necho 'greeting 1.0' > \"$1/greeting.txt\"\n");
    hook(
        dir,
        "build",
        "echo build >> '"
            + hookLog
            + "'\nmkdir -p out\n\"$HALCYON_TOOLCHAIN_DIR/bin/tool\" \"$HALCYON_DEPENDENCIES_DIR/greeting.txt\" src/message.txt > out/message.txt\n");
    hook(
        dir,
        "install",
        "echo install >> '"
            + hookLog
            + "'\nmkdir -p \"$1/bin\" \"$1/share\"\ncp \"$HALCYON_BUILD_DIR/out/message.txt\" \"$1/share/message.txt\"\nprintf '#!/bin/sh\\ncat \"$(dirname \"$0\")/../share/message.txt\"\\n' > \"$1/bin/demo-app\"\nchmod +x \"$1/bin/demo-app\"\n");
    hook(dir, "post-install", "echo post-install >> '" + hookLog + "'\n");
    return dir;
  }

  /**
   * An app under {@code tmp} whose install hook copies {@code jars} random 256 KiB "jars"; the
   * first {@code changed} of them differ between versions, the rest are the same in every version,
   * so a redeploy from one version to another is a delta.
   */
  static Path deltaApp(Path tmp, String label, String version, int jars, int changed)
      throws IOException {
    Path payload = tmp.resolve("payload-" + version);
    Files.createDirectories(payload.resolve("lib"));
    for (int i = 0; i < jars; i++) {
      byte[] b = new byte[256 << 10];
      new Random(i + (i < changed ? version.hashCode() : 0)).nextBytes(b);
      Files.write(payload.resolve("lib/dep-" + i + ".jar"), b);
    }
    Path app = tmp.resolve("app-" + version);
    Files.createDirectories(app.resolve(".halcyon"));
    magic(app, "label", label + "\n");
    magic(app, "toolchain", "sh-1.0\n");
    hook(app, "build", "true\n");
    hook(app, "install", "cp -R '" + payload + "'/. \"$1\"/\n");
    return app;
  }

  static void magic(Path app, String name, String text) throws IOException {
    Files.writeString(app.resolve(".halcyon").resolve(name), text, StandardCharsets.UTF_8);
  }

  static void hook(Path app, String name, String body) throws IOException {
    Path file = app.resolve(".halcyon").resolve(name);
    Files.writeString(file, "#!/bin/sh\nset -eu\n" + body, StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
  }
}
