package dev.halcyon.cli;

import picocli.CommandLine.Command;

/** {@code halcyon paths}: print where things are. */
@Command(name = "paths", description = "Print the directories and stores this configuration uses.")
final class PathsCommand extends AppCommand {
  @Override
  public Integer call() throws Exception {
    try (Session session = session()) {
      var c = session.config;
      var settings = session.recipeSettings(appDir(), parent.err);
      parent.out.println("HALCYON_PLATFORM=" + session.platform);
      parent.out.println("HALCYON_BASE=" + c.base());
      parent.out.println("HALCYON_CACHE=" + c.cache());
      parent.out.println("HALCYON_ROOT=" + c.root());
      parent.out.println("HALCYON_PREFIX=" + settings.prefix());
      parent.out.println("install directory=" + settings.installDir());
      parent.out.println(
          "private storage=" + session.privateStore().map(s -> s.describe()).orElse("(none)"));
      parent.out.println(
          "public storage=" + session.publicStore().map(s -> s.describe()).orElse("(none)"));
      return HalcyonCommand.OK;
    }
  }
}
