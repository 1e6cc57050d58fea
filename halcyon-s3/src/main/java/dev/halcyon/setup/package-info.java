/**
 * The wiring the {@code halcyon} command does, public for build tools: {@link
 * dev.halcyon.setup.Settings} parses the {@code HALCYON_*} settings, {@link
 * dev.halcyon.setup.Setup} opens the stores they name and hands out the pruner and a configured
 * engine builder.
 */
package dev.halcyon.setup;
