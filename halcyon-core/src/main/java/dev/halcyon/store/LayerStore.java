package dev.halcyon.store;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.halcyon.layer.Digest;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.function.LongConsumer;

/**
 * Where archives live: a flat space of keys to immutable byte objects, such as an S3 bucket, a
 * folder, or memory.
 *
 * <p>Rules every implementation keeps (the contract test kit {@code LayerStoreContract} checks
 * them):
 *
 * <ul>
 *   <li>Absence is a return value ({@link Optional}, {@code false}), never an exception.
 *   <li>Writes are atomic: a reader sees the old object or the whole new one, never part.
 *   <li>Writes are idempotent: writing the same bytes again succeeds.
 *   <li>{@link #get} returns a stream the caller closes; it verifies the recorded digest.
 *   <li>{@link #getRange(String, long, long)} returns a stream of part of an object, which the
 *       caller closes and verifies; it never mixes the bytes of two objects.
 *   <li>{@link #list} returns every key under the prefix, however many.
 *   <li>Failures are {@link StoreException}s: {@link StoreAccessException} (denied), {@link
 *       CorruptObjectException}, {@link TransientStoreException} (worth retrying later), {@link
 *       StoreConfigurationException} (fix a setting), {@link RangeNotSupportedException} (read the
 *       object whole instead).
 * </ul>
 *
 * <p>Implementations are thread-safe. Closing a store releases its clients and threads.
 *
 * @since 0.1.0
 */
public interface LayerStore extends Closeable {

  /**
   * What is stored under {@code key}, or empty if nothing is.
   *
   * @param key the object key, relative to the store's root
   * @return its size, digest (if recorded) and last-modified time; empty if nothing is stored under
   *     {@code key}
   * @throws IOException a {@link StoreException} when the store cannot answer: access denied, a
   *     transient failure (run again) or a setting to fix
   * @since 0.1.0
   */
  Optional<ObjectInfo> head(String key) throws IOException;

  /**
   * Opens {@code key} for reading, or empty if nothing is stored there. The caller closes it.
   *
   * @param key the object key, relative to the store's root
   * @return the object's info and a stream that verifies the recorded digest as it is read to the
   *     end; empty if nothing is stored under {@code key}
   * @throws IOException a {@link StoreException} when the store cannot answer (denied, transient, a
   *     setting to fix); reading the stream throws {@link CorruptObjectException} for damaged bytes
   * @since 0.1.0
   */
  Optional<StoredObject> get(String key) throws IOException;

  /**
   * Opens the bytes {@code [offset, offset + length)} of the object under {@code key}, or empty if
   * nothing is stored there. The caller closes the stream, also when it stops reading early
   * (closing early is cheap: it does not read the rest).
   *
   * <ul>
   *   <li>A range reaching past the end of the object yields the bytes up to the end, so the stream
   *       may be shorter than {@code length}; a range starting at or past the end, and a {@code
   *       length} of 0, yield an empty stream (still only if the object exists).
   *   <li>The bytes are <em>not</em> verified against the object's recorded digest, which covers
   *       the whole object only: the caller verifies what it reads (e.g. against per-member digests
   *       it trusts). The stream does hold the store to the length it promised: bytes that stop
   *       short of it because a connection broke off fail with {@link TransientStoreException}
   *       ("run again"), never {@link CorruptObjectException}.
   *   <li>One call reads one object: if the key is overwritten or deleted meanwhile, the stream
   *       holds bytes of the old object or of the new one (never some of each), or the result is
   *       empty, or the call or a read fails with an {@link IOException}. Two calls may see two
   *       different objects; to read many ranges of one object, pass the {@link ObjectInfo} from
   *       {@link #head} to {@link #getRange(ObjectInfo, long, long)} instead.
   *   <li>A server that answers with the whole object (HTTP 200 instead of 206) or with another
   *       range than the one asked for fails with {@link RangeNotSupportedException}; its bytes are
   *       never taken for the range. A store remembers this: later calls fail the same way at once,
   *       without asking again. Callers then fall back to {@link #get}.
   * </ul>
   *
   * <p>Thread-safe: many ranges, of one object or several, may be read at once from many threads;
   * each stream has one reader. The default opens the object with {@link #get}, skips {@code
   * offset} bytes and stops after {@code length}: correct for every store, but it reads (and on a
   * remote store downloads) everything before the range; stores override it.
   *
   * @param offset the first byte, {@code >= 0}
   * @param length how many bytes at most, {@code >= 0}; {@link Long#MAX_VALUE} reads to the end
   * @param key the object key, relative to the store's root
   * @return the range's bytes, which the caller closes; empty if nothing is stored under {@code
   *     key}
   * @throws IllegalArgumentException if {@code offset} or {@code length} is negative
   * @throws IOException a {@link StoreException}: {@link RangeNotSupportedException} (read with
   *     {@link #get} instead), {@link TransientStoreException} when the stream stops short, or a
   *     denied or misconfigured store
   * @since 0.2.0
   */
  default Optional<InputStream> getRange(String key, long offset, long length) throws IOException {
    Ranges.checkRange(offset, length);
    return Ranges.sliceOf(get(key), Optional.empty(), offset, length, describe());
  }

  /**
   * Opens the bytes {@code [offset, offset + length)} of the very object {@code object} describes,
   * as {@link #getRange(String, long, long)} does for its key, or empty if nothing is stored under
   * that key now. Pass what {@link #head} (or {@link #get}) returned, once, to every range of one
   * object: each read checks, as part of the same request or open, that the key still holds that
   * object ({@link ObjectInfo#isSameObject}), so ranges read while the object is replaced are
   * detected, never mixed.
   *
   * <p>The default opens the object with {@link #get} and checks its info, as above.
   *
   * @param object what {@link #head} or {@link #get} said of the object, its key included
   * @param offset the first byte, {@code >= 0}
   * @param length how many bytes at most, {@code >= 0}; {@link Long#MAX_VALUE} reads to the end
   * @return the range's bytes, which the caller closes; empty if nothing is stored under the key
   *     now
   * @throws ObjectChangedException if the key now holds another object; read {@link #head} again
   *     and start over
   * @throws IllegalArgumentException if {@code offset} or {@code length} is negative
   * @since 0.2.0
   */
  default Optional<InputStream> getRange(ObjectInfo object, long offset, long length)
      throws IOException {
    Ranges.checkRange(offset, length);
    return Ranges.sliceOf(get(object.key()), Optional.of(object), offset, length, describe());
  }

  /**
   * Gives the object version {@code object} describes (as {@link #head} or {@link #get} returned
   * it) a second name, {@code target}, without copying its bytes: a hard link, for a store that
   * keeps each object as a local file that is published whole and never changed in place. A local
   * cache can then take the object for free while its bytes are read through {@link #get}.
   *
   * <ul>
   *   <li>The bytes are <em>not</em> verified: the caller verifies them, e.g. by reading the object
   *       through {@link #get} to its end, before it trusts or keeps {@code target}.
   *   <li>The linked file holds the bytes of {@code object} ({@link ObjectInfo#isSameObject}), or
   *       this returns false; it stays that way when the key is later overwritten or deleted. The
   *       caller must never write to it (that would change the store's object).
   *   <li>False, creating nothing, when the store cannot: its objects are not local files (the
   *       default), {@code target} is on another file system, the file system or its permissions
   *       refuse a link, or the key no longer holds {@code object}. The caller then copies.
   * </ul>
   *
   * @param target a path that does not exist yet, in a folder that does
   * @param object what {@link #head} or {@link #get} said of the object
   * @return true if {@code target} now names the object's bytes; false, with nothing created, if
   *     the store cannot link
   * @throws java.nio.file.FileAlreadyExistsException if {@code target} exists
   * @since 0.2.0
   */
  default boolean linkTo(ObjectInfo object, Path target) throws IOException {
    return false;
  }

  /**
   * Stores the file {@code source} under {@code key}.
   *
   * @param digest the SHA-256 of {@code source}, recorded with the object and checked while the
   *     bytes are sent: a mismatch fails the write with {@link CorruptObjectException} and stores
   *     nothing
   * @param key the object key, relative to the store's root
   * @param source a regular file, read once and not changed or deleted
   * @param mode whether an existing object under {@code key} is replaced or kept
   * @return the object stored under the key, and whether this call wrote it
   * @throws IOException {@link CorruptObjectException} if the bytes sent do not match {@code
   *     digest}, or another {@link StoreException} (denied, transient, a setting to fix); nothing
   *     is stored then
   * @since 0.1.0
   */
  PutResult put(String key, Path source, Digest digest, PutMode mode) throws IOException;

  /**
   * Stores the file {@code source} under {@code key} as {@link #put(String, Path, Digest, PutMode)}
   * does, and tells {@code sent} how far the write has got, for progress output. The rules for
   * {@code sent}, which every store keeps (the contract kit checks them):
   *
   * <ul>
   *   <li>It is given the running total of bytes of {@code source} sent (uploaded, copied) so far:
   *       never less than the value before, never more than the file's size. Bytes sent again (a
   *       retried request or part) are not counted twice.
   *   <li>Its calls never overlap: each one happens-before the next, also when the store sends
   *       parts in parallel; a call may come from one of the store's own threads.
   *   <li>It is never called after this method returns or throws.
   *   <li>On success its last call was with the file's size, also when nothing had to be sent (the
   *       key already held these bytes, or {@link PutMode#IF_ABSENT} found it taken).
   *   <li>How often it is called in between is the store's choice (every buffer, every part):
   *       callers that report further throttle.
   * </ul>
   *
   * <p>{@code sent} must return quickly and must not throw; an exception it throws may fail the
   * write. The default calls {@link #put(String, Path, Digest, PutMode)} and then {@code sent}
   * once, with the file's size: correct for every store, with no progress in between. Stores that
   * send the bytes themselves override it.
   *
   * @param key where to store the file
   * @param source the file to store; it stays where it is
   * @param digest the SHA-256 of {@code source}, as for {@link #put(String, Path, Digest, PutMode)}
   * @param mode what to do if {@code key} is taken
   * @param sent told the running total of bytes sent, as above
   * @return what is stored under {@code key} now, and whether this call wrote it
   * @throws CorruptObjectException if {@code source} does not hash to {@code digest}; nothing is
   *     stored
   * @throws IOException if the write fails; {@code sent} may have been told any total up to the
   *     file's size by then
   * @since 0.2.0
   */
  default PutResult put(String key, Path source, Digest digest, PutMode mode, LongConsumer sent)
      throws IOException {
    checkNotNull(sent, "sent");
    PutResult result = put(key, source, digest, mode);
    sent.accept(Files.size(source));
    return result;
  }

  /**
   * Stores the file {@code source} under {@code key} like {@link #put(String, Path, Digest,
   * PutMode)}, and takes the file: when this returns, {@code source} no longer exists. A store on
   * the same file system may rename it into place instead of copying it, trusting {@code digest}
   * (which the caller computed while writing the file) rather than reading the file again; reads
   * still verify it. The caller must have closed the file and must not use it again. If this
   * throws, {@code source} may or may not still exist, and the caller deletes it if it does.
   *
   * <p>The default puts the file, then deletes it.
   *
   * @param key the object key, relative to the store's root
   * @param source a closed regular file; the store takes it
   * @param digest the SHA-256 of {@code source}, computed by the caller while writing it
   * @param mode whether an existing object under {@code key} is replaced or kept
   * @return the object stored under the key, and whether this call wrote it
   * @throws IOException a {@link StoreException} (corrupt, denied, transient, a setting to fix);
   *     nothing is stored, and {@code source} may still exist
   * @since 0.1.0
   */
  default PutResult putMoving(String key, Path source, Digest digest, PutMode mode)
      throws IOException {
    PutResult result = put(key, source, digest, mode);
    Files.deleteIfExists(source);
    return result;
  }

  /**
   * Whether {@link #putWhileWriting} sends bytes before the writer has finished. Callers with
   * another way to write (uploading a finished file, with its manifest first) keep it for stores
   * where overlapping gains nothing.
   *
   * @return false (the default): {@link #putWhileWriting} waits for the writer's end
   * @since 0.3.0
   */
  default boolean overlapsWrites() {
    return false;
  }

  /**
   * Stores the file {@code source} is growing into under {@code key}, as {@link #put(String, Path,
   * Digest, PutMode, LongConsumer)} stores a finished file, but may start sending its final bytes
   * while the writer is still writing: the upload overlaps the writing. The digest is known only at
   * the writer's end ({@link GrowingFile#finish}); the object stored under {@code key} records it
   * all the same, and no object appears under {@code key} before the whole file is sent and its
   * digest checked.
   *
   * <ul>
   *   <li>If the writer gives up ({@link GrowingFile#fail}), this throws and stores nothing under
   *       {@code key}; whatever it had sent is removed, or left only as an incomplete upload that
   *       {@link #abortIncompleteUploads} finds.
   *   <li>{@code sent} follows the rules of {@link #put(String, Path, Digest, PutMode,
   *       LongConsumer)}, with the file's final size as its size: its last call on success is with
   *       that size.
   *   <li>The file stays where it is; this call only reads it.
   * </ul>
   *
   * <p>The default waits for the writer's end and then calls {@link #put(String, Path, Digest,
   * PutMode, LongConsumer)}: correct for every store, with nothing overlapped. Stores whose uploads
   * take long override it.
   *
   * @param key where to store the file
   * @param source the file being written, and the writer's reports
   * @param mode what to do if {@code key} is taken
   * @param sent told the running total of bytes sent, as above
   * @return what is stored under {@code key} now, and whether this call wrote it
   * @throws CorruptObjectException if the bytes read do not hash to the writer's digest; nothing is
   *     stored
   * @throws IOException if the writer gave up or the write fails; nothing is stored under {@code
   *     key}
   * @since 0.3.0
   */
  default PutResult putWhileWriting(String key, GrowingFile source, PutMode mode, LongConsumer sent)
      throws IOException {
    checkNotNull(source, "source");
    GrowingFile.Finished end = source.awaitFinished();
    return put(key, source.path(), end.digest(), mode, sent);
  }

  /**
   * Stores a small object held in memory (tags, manifests).
   *
   * @param key the object key, relative to the store's root
   * @param bytes the whole object; not kept after the call returns
   * @param mode whether an existing object under {@code key} is replaced or kept
   * @return the object stored under the key, and whether this call wrote it
   * @throws IOException a {@link StoreException} (denied, transient, a setting to fix); nothing is
   *     stored then
   * @since 0.1.0
   */
  PutResult put(String key, byte[] bytes, PutMode mode) throws IOException;

  /**
   * Every object whose key starts with {@code prefix}, sorted by key.
   *
   * @param prefix the key prefix, e.g. a toolchain folder ending in {@code /}; empty for every key
   * @return the objects, sorted by key; empty if none matches
   * @throws IOException a {@link StoreException} when the store cannot be listed (denied,
   *     transient, a setting to fix)
   * @since 0.1.0
   */
  List<ObjectInfo> list(String prefix) throws IOException;

  /**
   * Aborts the incomplete uploads under {@code prefix} begun before {@code startedBefore}, or with
   * {@code dryRun} only counts them. These are writes that never finished (S3 multipart uploads of
   * a process killed mid-way): invisible to {@link #get} and {@link #list}, yet holding storage.
   * Uploads begun later may still be running on another machine and are left alone. Stores whose
   * writes leave nothing behind keep this default, which finds none.
   *
   * @param prefix the key prefix; empty for the whole store
   * @param startedBefore uploads begun at or after this instant are left alone
   * @param dryRun true to count without aborting
   * @return how many uploads were aborted (in a dry run: would be)
   * @throws IOException a {@link StoreException} when the uploads cannot be listed or aborted, e.g.
   *     the service lacks the call or refuses it
   * @since 0.1.0
   */
  default int abortIncompleteUploads(String prefix, Instant startedBefore, boolean dryRun)
      throws IOException {
    return 0;
  }

  /**
   * Deletes {@code key}; false if there was nothing to delete.
   *
   * @param key the object key, relative to the store's root
   * @return true if an object was deleted
   * @throws IOException a {@link StoreException} when the store refuses or fails the delete
   * @since 0.1.0
   */
  boolean delete(String key) throws IOException;

  /**
   * Deletes every key in {@code keys}; keys already absent are ignored. Stores that can delete in
   * batches override this.
   *
   * @param keys the keys to delete, in any order; may be empty
   * @return how many requests were sent to the backing service (for reports)
   * @throws IOException a {@link StoreException} when a delete fails; keys before it may already be
   *     deleted, so running again finishes the job
   * @since 0.1.0
   */
  default int deleteAll(Collection<String> keys) throws IOException {
    for (String key : keys) {
      delete(key);
    }
    return keys.size();
  }

  /**
   * A short description for messages, e.g. {@code s3://bucket/folder} or a path; no secrets.
   *
   * @return one line naming the store, e.g. {@code s3://bucket/folder} or {@code
   *     /var/cache/halcyon}
   * @since 0.1.0
   */
  String describe();

  /**
   * Releases the store's clients and threads; the default has none to release.
   *
   * @since 0.1.0
   */
  @Override
  default void close() throws IOException {}
}
