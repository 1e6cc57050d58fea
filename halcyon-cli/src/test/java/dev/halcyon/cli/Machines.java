package dev.halcyon.cli;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Simulated machines: each has its own cache, work directory, root and home; they share a store.
 */
final class Machines {
  private Machines() {}

  static Map<String, String> machine(Path dir, Map<String, String> store) {
    Map<String, String> env = new HashMap<>(store);
    env.put("HOME", dir.resolve("home").toString());
    env.put("HALCYON_CACHE", dir.resolve("cache").toString());
    env.put("HALCYON_BASE", dir.resolve("base").toString());
    env.put("HALCYON_ROOT", dir.resolve("root").toString());
    env.put("HALCYON_PREFIX", "/app");
    env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
    return env;
  }

  static Map<String, String> with(Map<String, String> env, String... pairs) {
    Map<String, String> out = new HashMap<>(env);
    for (int i = 0; i < pairs.length; i += 2) {
      out.put(pairs[i], pairs[i + 1]);
    }
    return out;
  }

  static Path installed(Path machineDir) {
    return machineDir.resolve("root/app");
  }
}
