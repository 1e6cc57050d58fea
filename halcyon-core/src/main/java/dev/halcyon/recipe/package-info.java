/**
 * What an app is made of: an {@link dev.halcyon.recipe.AppRecipe} names the app and lists its
 * layers ({@link dev.halcyon.recipe.LayerSpec}), each with the tag that identifies it and the
 * {@link dev.halcyon.recipe.LayerBuilder} that makes it. {@link dev.halcyon.recipe.MagicRecipes}
 * reads a recipe from an app's {@code .halcyon} folder (magic files and {@link
 * dev.halcyon.recipe.Hooks}); an embedding build tool builds its own recipe instead. Recipes do no
 * engine work: the engine in {@code dev.halcyon.engine} consumes them.
 */
package dev.halcyon.recipe;
