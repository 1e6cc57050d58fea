/**
 * Where layer archives live: the {@link dev.halcyon.store.LayerStore} SPI (a flat space of keys to
 * immutable objects, where absence is a value, writes are atomic and idempotent, and reads verify
 * the recorded SHA-256; ranges of an object can be read on their own), its checked exception family
 * rooted in {@link dev.halcyon.store.StoreException}, and two implementations: {@link
 * dev.halcyon.store.DirectoryLayerStore}, a folder usable as the local cache or as a bucket on a
 * shared filesystem, and {@link dev.halcyon.store.InMemoryLayerStore}, a strict fake for tests.
 * Every store is held to the same contract by {@code LayerStoreContract}, shipped in the core
 * test-jar.
 */
package dev.halcyon.store;
