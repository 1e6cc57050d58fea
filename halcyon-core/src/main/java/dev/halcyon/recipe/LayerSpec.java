package dev.halcyon.recipe;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.halcyon.layer.LayerTag;

/**
 * One layer of an app: its identity and how to build it when no archive matches.
 *
 * @param tag the layer's identity; decides its archive name and validates restored copies
 * @param builder fills the layer directory
 */
public record LayerSpec(LayerTag tag, LayerBuilder builder) {
  /**
   * Checks that both parts are given.
   *
   * @param tag the layer's identity
   * @param builder fills the layer directory
   */
  public LayerSpec {
    checkNotNull(tag, "tag");
    checkNotNull(builder, "builder");
  }
}
