package dev.halcyon.store;

import dev.halcyon.layer.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.function.LongConsumer;

/**
 * A {@link LayerStore} that forwards every call to another one, for writing decorators (counting,
 * failure injection, lazy creation): a subclass implements {@link #delegate()} and overrides only
 * the methods whose behaviour it changes. Modelled on Guava's {@code ForwardingObject}.
 *
 * <p>Every method of {@link LayerStore} is forwarded, default methods included, so a decorator
 * keeps the delegate's own {@link #putMoving}, progress-reporting {@code put}, {@link #linkTo},
 * {@link #deleteAll}, {@link #abortIncompleteUploads} and ranged reads ({@link #getRange(String,
 * long, long)}) instead of silently falling back to the interface's defaults. A default method
 * added to {@link LayerStore} must be added here too; {@code ForwardingLayerStoreTest} fails until
 * it is.
 *
 * <p>An override of one method does not change the others: {@code putMoving} goes to the delegate's
 * {@code putMoving}, not to this object's {@code put}, and the progress-reporting {@code put} (the
 * one the engine uploads with) goes to the delegate's, not to this object's four-argument {@code
 * put}. A decorator that watches writes overrides each way of writing it cares about.
 *
 * <p>As thread-safe as the delegate and the subclass's overrides. {@link #close()} closes the
 * delegate; a decorator that does not own its delegate overrides it.
 */
public abstract class ForwardingLayerStore implements LayerStore {

  /** For subclasses. */
  protected ForwardingLayerStore() {}

  /**
   * The store every call is forwarded to; may be created on first call.
   *
   * @return the store to forward to, the same one on every call
   */
  protected abstract LayerStore delegate();

  @Override
  public Optional<ObjectInfo> head(String key) throws IOException {
    return delegate().head(key);
  }

  @Override
  public Optional<StoredObject> get(String key) throws IOException {
    return delegate().get(key);
  }

  @Override
  public Optional<InputStream> getRange(String key, long offset, long length) throws IOException {
    return delegate().getRange(key, offset, length);
  }

  @Override
  public Optional<InputStream> getRange(ObjectInfo object, long offset, long length)
      throws IOException {
    return delegate().getRange(object, offset, length);
  }

  @Override
  public boolean linkTo(ObjectInfo object, Path target) throws IOException {
    return delegate().linkTo(object, target);
  }

  @Override
  public PutResult put(String key, Path source, Digest digest, PutMode mode) throws IOException {
    return delegate().put(key, source, digest, mode);
  }

  @Override
  public PutResult put(String key, Path source, Digest digest, PutMode mode, LongConsumer sent)
      throws IOException {
    return delegate().put(key, source, digest, mode, sent);
  }

  @Override
  public PutResult putMoving(String key, Path source, Digest digest, PutMode mode)
      throws IOException {
    return delegate().putMoving(key, source, digest, mode);
  }

  @Override
  public boolean overlapsWrites() {
    return delegate().overlapsWrites();
  }

  @Override
  public PutResult putWhileWriting(String key, GrowingFile source, PutMode mode, LongConsumer sent)
      throws IOException {
    return delegate().putWhileWriting(key, source, mode, sent);
  }

  @Override
  public PutResult put(String key, byte[] bytes, PutMode mode) throws IOException {
    return delegate().put(key, bytes, mode);
  }

  @Override
  public List<ObjectInfo> list(String prefix) throws IOException {
    return delegate().list(prefix);
  }

  @Override
  public int abortIncompleteUploads(String prefix, Instant startedBefore, boolean dryRun)
      throws IOException {
    return delegate().abortIncompleteUploads(prefix, startedBefore, dryRun);
  }

  @Override
  public boolean delete(String key) throws IOException {
    return delegate().delete(key);
  }

  @Override
  public int deleteAll(Collection<String> keys) throws IOException {
    return delegate().deleteAll(keys);
  }

  @Override
  public String describe() {
    return delegate().describe();
  }

  @Override
  public void close() throws IOException {
    delegate().close();
  }

  /** The delegate's, as in Guava's {@code ForwardingObject}. */
  @Override
  public String toString() {
    return delegate().toString();
  }
}
