package dev.halcyon.archive;

/**
 * The order in which {@link Archives#write} puts the members of a tree: each member's path gets a
 * rank, members are written by rank (lowest first) and within a rank by the bytes of their UTF-8
 * names. Whatever the ranks, a directory is always written before anything below it: a member whose
 * parent directories were not yet written brings them along just before itself.
 *
 * <p>The point of an order is that what changes least comes first, so that the members a new
 * release changes sit in one contiguous byte range at the end of the archive and a delta restore
 * fetches that range in one request. {@link #VOLATILITY} is the default; a recipe that knows its
 * layout better (which jar is its own) gives its own. An order must be a pure function of the path,
 * or archives stop being reproducible. Implementations must be thread-safe.
 */
@FunctionalInterface
public interface ArchiveOrder {
  /**
   * The rank of the member at {@code path}: relative to the archived tree, components joined by
   * {@code /}, without a trailing slash for directories. Lower ranks are written first.
   *
   * @param path the member's relative path, e.g. {@code lib/app.jar}
   * @return the member's rank; members of equal rank are written in name order
   */
  int rank(String path);

  /** Every member in name order (the bytes of its UTF-8 name), as archives were written before. */
  ArchiveOrder NAME = path -> 0;

  /**
   * Least volatile first, after Jib's and Spring Boot's layering:
   *
   * <ol>
   *   <li>rank 0, released dependency jars: {@code *.jar} whose file name has a version ({@code -}
   *       followed by a digit, as in {@code guava-33.2.1-jre.jar}) and no {@code SNAPSHOT};
   *   <li>rank 1, snapshot jars: {@code *.jar} whose file name contains {@code -SNAPSHOT};
   *   <li>rank 2, everything else: resources, scripts, configuration, directories, symlinks;
   *   <li>rank 3, jars without a version in their name (usually the application's own, {@code
   *       app.jar});
   *   <li>rank 4, {@code *.class} files (the application's own exploded classes).
   * </ol>
   */
  ArchiveOrder VOLATILITY = VolatilityOrder::rank;
}
