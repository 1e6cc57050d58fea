/**
 * The restore-or-build engine: {@link dev.halcyon.engine.Engine} obtains each layer of an {@link
 * dev.halcyon.recipe.AppRecipe} from the directory in place, the local cache, private storage or
 * public storage, and builds what none of them has with the layer's {@link
 * dev.halcyon.recipe.LayerBuilder}; it installs the app atomically and reports what came from
 * where.
 */
package dev.halcyon.engine;
