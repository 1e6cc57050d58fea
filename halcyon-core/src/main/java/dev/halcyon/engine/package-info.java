/**
 * The restore-or-build engine: {@link dev.halcyon.engine.Engine} obtains each layer of an {@link
 * dev.halcyon.engine.AppRecipe} from the directory in place, the local cache, private storage or
 * public storage, and builds what none of them has with the layer's {@link
 * dev.halcyon.engine.LayerBuilder}; it installs the app atomically and reports what came from
 * where. {@link dev.halcyon.engine.MagicRecipes} reads a recipe from an app's {@code .halcyon}
 * folder (magic files and hooks); an embedding build tool builds its own recipe instead.
 */
package dev.halcyon.engine;
