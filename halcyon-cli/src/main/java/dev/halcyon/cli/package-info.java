/**
 * The {@code halcyon} command line: one picocli command per subcommand, each validating its
 * settings, building core objects through {@link dev.halcyon.cli.Session}, making one library call
 * and mapping the outcome to an exit status (0 ok, 1 error, 2 build required but forbidden).
 */
package dev.halcyon.cli;
