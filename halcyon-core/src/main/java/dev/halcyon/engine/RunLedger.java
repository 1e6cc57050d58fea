package dev.halcyon.engine;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What one run has learnt so far and its workers share: the cache keys it used (cleaning and the
 * size cap keep them), the archives it found damaged (uploads replace them), and whether it
 * uploaded anything (then private storage is pruned). Confined to the run's thread.
 */
final class RunLedger {
  private final Set<String> usedKeys = new HashSet<>();
  private final Map<String, IOException> corrupt = new HashMap<>();
  private boolean uploaded;
  private final List<String> uploadedKeys = new ArrayList<>();
  private final List<String> evictedKeys = new ArrayList<>();

  /** Records that this run used the cache entry {@code key}. */
  void used(String key) {
    usedKeys.add(key);
  }

  boolean wasUsed(String key) {
    return usedKeys.contains(key);
  }

  /** The keys used so far, as a snapshot. */
  Set<String> usedKeys() {
    return Set.copyOf(usedKeys);
  }

  /** Records that {@code key} is damaged somewhere; the first reason seen is kept. */
  void corrupted(String key, IOException reason) {
    corrupt.putIfAbsent(key, reason);
  }

  boolean isCorrupt(String key) {
    return corrupt.containsKey(key);
  }

  /** The first corruption seen for {@code key} in this run, if any. */
  Optional<IOException> corruption(String key) {
    return Optional.ofNullable(corrupt.get(key));
  }

  void uploaded() {
    uploaded = true;
  }

  /** Records that the archive {@code key} was uploaded to private storage. */
  void uploaded(String key) {
    uploaded = true;
    uploadedKeys.add(key);
  }

  /** The keys uploaded so far, in order. */
  List<String> uploadedKeys() {
    return List.copyOf(uploadedKeys);
  }

  /** Records that the cache entry {@code key} was deleted by cleaning or the size cap. */
  void evicted(String key) {
    evictedKeys.add(key);
  }

  /** The cache keys evicted so far, in order. */
  List<String> evictedKeys() {
    return List.copyOf(evictedKeys);
  }

  boolean uploadedAnything() {
    return uploaded;
  }
}
