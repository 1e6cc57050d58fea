package dev.halcyon.s3;

import dev.halcyon.store.BulkReadInputStream;
import dev.halcyon.store.StoreConfigurationException;
import dev.halcyon.store.StoredObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Recognizes objects a service stored with the SDK's {@code aws-chunked} upload framing inside them
 * (e.g. {@code 616;chunk-signature=0e4e…\r\n} before the data), which happens when a service checks
 * SigV4 but does not decode the framing. Found either at once after a write (the stored size
 * differs from what was sent, though the recorded digest is ours) or on a read (the bytes begin
 * with a chunk header). Either way the user gets one line naming the cause and {@link
 * S3Settings#CHUNKED_ENCODING}, never "damaged, delete it": deleting helps nothing while every
 * write is stored the same way. Thread-safe.
 */
final class UploadFraming {
  /** A chunk header of a signed aws-chunked body: hex size, the chunk's signature, CRLF. */
  static final Pattern CHUNK_HEADER =
      Pattern.compile("^[0-9a-fA-F]{1,16};chunk-signature=[0-9a-f]{64}\r\n");

  /** Bytes enough to hold a chunk header: 16 hex digits, the signature and CRLF. */
  static final int HEADER_BYTES = 16 + ";chunk-signature=".length() + 64 + 2;

  private final S3Location location;
  private final S3Client s3;
  private final S3Errors errors;
  private final boolean chunked;
  private final String endpoint;

  /**
   * @param chunked whether this store's uploads may use the framing
   * @param endpoint the endpoint, for messages
   */
  UploadFraming(
      S3Location location, S3Client s3, S3Errors errors, boolean chunked, String endpoint) {
    this.location = location;
    this.s3 = s3;
    this.errors = errors;
    this.chunked = chunked;
    this.endpoint = endpoint;
  }

  /** Whether {@code bytes[0, length)} begin with an aws-chunked chunk header. */
  static boolean looksFramed(byte[] bytes, int length) {
    String head = new String(bytes, 0, Math.min(length, HEADER_BYTES), StandardCharsets.ISO_8859_1);
    return CHUNK_HEADER.matcher(head).find();
  }

  /**
   * The error for an object just written whose stored size is not what was sent although its
   * recorded digest is ours. The object is deleted first (best effort), so no reader takes it for a
   * complete archive.
   */
  StoreConfigurationException storedSizeDiffers(String key, long sent, long stored) {
    String objectKey = location.objectKey(key);
    boolean deleted;
    try {
      s3.deleteObject(b -> b.bucket(location.bucket()).key(objectKey));
      deleted = true;
    } catch (SdkException e) {
      deleted = false;
    }
    String what =
        location.describe(key) + " was stored as " + stored + " bytes for the " + sent + " sent";
    String removed = deleted ? " (the stored object was deleted)" : "";
    if (chunked && stored > sent) {
      return new StoreConfigurationException(
          errors.scrub(
              what
                  + ": "
                  + endpoint
                  + " kept the SDK's aws-chunked upload framing inside the object instead of"
                  + " decoding it; set "
                  + S3Settings.CHUNKED_ENCODING
                  + "=off so uploads are sent unframed"
                  + removed));
    }
    return new StoreConfigurationException(
        errors.scrub(
            what
                + ": "
                + endpoint
                + " did not store the bytes as sent"
                + (chunked
                    ? ""
                    : " (uploads were sent unframed, " + S3Settings.CHUNKED_ENCODING + "=off)")
                + "; check that no proxy between here and the service rewrites request bodies"
                + removed));
  }

  /** The error for a read of {@code key} whose bytes begin with a chunk header. */
  StoreConfigurationException framedRead(String key) {
    return new StoreConfigurationException(
        errors.scrub(
            location.describe(key)
                + " begins with an aws-chunked chunk header ('…;chunk-signature=…'): it was"
                + " uploaded with the SDK's aws-chunked framing, which "
                + endpoint
                + " stored instead of decoding; set "
                + S3Settings.CHUNKED_ENCODING
                + "=off on the machines that upload (objects stored this way stay unreadable"
                + " until they are written again)"));
  }

  /** {@code object} with a stream that fails with {@link #framedRead} on framed bytes. */
  StoredObject sniffing(StoredObject object) {
    return new StoredObject(
        object.info(), new SniffingStream(object.stream(), object.info().key()));
  }

  /**
   * Reads the first bytes ahead, before handing any out: a chunk header there fails the read at
   * once, before a decoder or the digest check calls the object damaged. Hands the bytes on
   * unchanged otherwise. {@link InputStream#skip} reads through {@link #read(byte[], int, int)}, so
   * skipped bytes pass the check too.
   */
  private final class SniffingStream extends BulkReadInputStream {
    private final InputStream in;
    private final String key;
    private byte[] head;
    private int headLength;
    private int headPosition;

    SniffingStream(InputStream in, String key) {
      this.in = in;
      this.key = key;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (head == null) {
        head = new byte[HEADER_BYTES];
        headLength = in.readNBytes(head, 0, HEADER_BYTES);
        if (looksFramed(head, headLength)) {
          throw framedRead(key);
        }
      }
      if (headPosition < headLength) {
        int n = Math.min(len, headLength - headPosition);
        System.arraycopy(head, headPosition, b, off, n);
        headPosition += n;
        return n;
      }
      return in.read(b, off, len);
    }

    @Override
    public int available() throws IOException {
      return head == null ? 0 : (headLength - headPosition) + in.available();
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }
}
