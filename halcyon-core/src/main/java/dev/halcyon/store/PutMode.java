package dev.halcyon.store;

/** What a write does when the key already exists. */
public enum PutMode {
  /** Replace the existing object (e.g. the one build archive per label). */
  OVERWRITE,
  /**
   * Keep the existing object and report it as already present; two machines uploading the same
   * archive cannot clobber each other.
   */
  IF_ABSENT
}
