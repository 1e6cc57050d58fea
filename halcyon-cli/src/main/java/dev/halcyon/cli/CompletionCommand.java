package dev.halcyon.cli;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code halcyon completion bash|zsh}: print a shell completion script (picocli writes it). */
@Command(
    abbreviateSynopsis = true,
    name = "completion",
    description = {
      "Print a completion script for bash or zsh.",
      "bash: source <(halcyon completion bash)   zsh: source <(halcyon completion zsh)"
    })
final class CompletionCommand implements Callable<Integer> {
  @ParentCommand HalcyonCommand parent;

  @Parameters(index = "0", paramLabel = "SHELL", description = "bash or zsh.")
  String shell;

  @Override
  public Integer call() {
    if (!shell.equals("bash") && !shell.equals("zsh")) {
      throw new IllegalArgumentException(
          "no completion for shell '" + shell + "': use 'halcyon completion bash' or 'zsh'");
    }
    CommandLine all =
        HalcyonCommand.commandLine(
            new HalcyonCommand(parent.env, parent.out, parent.err), List.of());
    String script = AutoComplete.bash("halcyon", all);
    // picocli's script serves both: under zsh it loads zsh's bash completion emulation itself
    // (bashcompinit), and compinit only when no completion system is loaded yet.
    parent.out.print(script);
    parent.out.flush();
    return HalcyonCommand.OK;
  }
}
