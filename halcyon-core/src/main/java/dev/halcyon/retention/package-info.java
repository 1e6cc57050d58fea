/**
 * Retention: which archives in a store are out of date, and why. A {@link
 * dev.halcyon.retention.Listing} (keys parsed by an {@link dev.halcyon.naming.ArchiveNamer}, paired
 * with the small {@link dev.halcyon.manifest.ArchiveManifest} written beside every archive) goes
 * into a pure {@link dev.halcyon.retention.RetentionPolicy} — the original Halcyon's rules, keep
 * the newest N per lineage, a maximum age — composed with protections that always win (reference
 * protection keeps what retained archives were built on; a grace period keeps what was just
 * written); out comes a {@link dev.halcyon.retention.RetentionPlan} naming the rule and reason for
 * every deletion. {@link dev.halcyon.retention.RetentionPolicies} builds the default and parses
 * user specs, and the {@link dev.halcyon.retention.GarbageCollector} applies a plan to a {@link
 * dev.halcyon.store.LayerStore} in batches, deleting nothing the namer does not recognise; {@link
 * dev.halcyon.retention.Listings} reads a store's listing without collecting.
 */
package dev.halcyon.retention;
