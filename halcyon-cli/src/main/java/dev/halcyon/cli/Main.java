package dev.halcyon.cli;

/** Entry point of {@code java -jar halcyon-cli.jar}. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    System.exit(HalcyonCommand.execute(args, System.getenv(), System.out, System.err));
  }
}
