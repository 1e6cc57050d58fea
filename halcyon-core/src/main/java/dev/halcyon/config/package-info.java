/**
 * Run settings: {@link dev.halcyon.config.Config} resolves every generic {@code HALCYON_*} setting
 * from one map keyed by variable name, so a command line can lay its options over the environment
 * and the same rules and messages apply to both.
 */
package dev.halcyon.config;
