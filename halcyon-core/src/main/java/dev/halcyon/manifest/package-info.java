/**
 * The sidecar format: an {@link dev.halcyon.manifest.ArchiveManifest} is written beside every
 * uploaded archive by the engine and read by retention, so both depend on this package and not on
 * each other.
 */
package dev.halcyon.manifest;
