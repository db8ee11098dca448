package org.b3lb.node.upload;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.HexFormat;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.AbstractHttpEntity;

/**
 * {@code multipart/form-data} with one file part, streamed from disk with a Content-Length known
 * up front (B3LB's nginx and Django need no chunked decoding, and a proxy can refuse an oversize
 * body before it arrives). Written in 1 MiB slices: httpclient5's FileBody writes 4 KiB at a time,
 * which cost more than half of curl's throughput on loopback; 1 MiB bypasses the client's own
 * buffer and goes to the socket in one call. The heap needed is the slice, whatever the tar's size.
 */
public final class MultipartTarEntity extends AbstractHttpEntity {

    static final int SLICE = 1 << 20;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Recording recording;
    private final long size;
    private final byte[] head;
    private final byte[] tail;
    private final UploadProgress progress;

    private MultipartTarEntity(Recording recording, long size, String boundary, byte[] head, byte[] tail, UploadProgress progress) {
        super(ContentType.create("multipart/form-data").withParameters(
                new org.apache.hc.core5.http.message.BasicNameValuePair("boundary", boundary)), null, false);
        this.recording = recording;
        this.size = size;
        this.head = head;
        this.tail = tail;
        this.progress = progress;
    }

    /**
     * @param size the tar's size when the attempt started: exactly that many bytes are sent,
     *             so the declared length can never disagree with the body
     */
    public static MultipartTarEntity of(Recording recording, long size, String field, UploadProgress progress) {
        String boundary = "b3lb-" + HexFormat.of().formatHex(randomBytes());
        byte[] head = ("--" + boundary + "\r\n"
                + "Content-Disposition: form-data; name=\"" + field + "\"; filename=\"" + quoted(recording.fileName()) + "\"\r\n"
                + "Content-Type: application/x-tar\r\n"
                + "\r\n").getBytes(StandardCharsets.UTF_8);
        byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII);
        return new MultipartTarEntity(recording, size, boundary, head, tail, progress);
    }

    private static byte[] randomBytes() {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        return b;
    }

    /**
     * The file name as browsers send it (HTML's multipart/form-data encoding): UTF-8 as is, with
     * the three characters that would break the header percent-encoded.
     */
    static String quoted(String name) {
        return name.replace("\"", "%22").replace("\r", "%0D").replace("\n", "%0A");
    }

    @Override
    public long getContentLength() {
        return head.length + size + tail.length;
    }

    @Override
    public boolean isRepeatable() {
        return true;
    }

    @Override
    public boolean isStreaming() {
        return false;
    }

    @Override
    public InputStream getContent() {
        throw new UnsupportedOperationException("the upload body is only written, never read back");
    }

    @Override
    public void writeTo(OutputStream out) throws IOException {
        out.write(head);
        progress.add(head.length);
        byte[] slice = new byte[(int) Math.min(SLICE, Math.max(size, 1))];
        ByteBuffer buf = ByteBuffer.wrap(slice);
        FileChannel ch;
        try {
            ch = FileChannel.open(recording.tar(), StandardOpenOption.READ);
        } catch (IOException e) {
            throw new TarReadException(e);
        }
        try (ch) {
            long left = size;
            while (left > 0) {
                buf.clear().limit((int) Math.min(slice.length, left));
                int n;
                try {
                    n = ch.read(buf);
                } catch (IOException e) {
                    throw new TarReadException(e);
                }
                if (n < 0) {
                    throw new TarReadException(new EOFException(recording.tar() + " shrank from " + size + " to "
                            + (size - left) + " bytes while being uploaded; is something rewriting it?"));
                }
                out.write(slice, 0, n);
                left -= n;
                progress.add(n);
            }
        }
        out.write(tail);
        out.flush();
        progress.add(tail.length);
    }

    @Override
    public void close() {
        // nothing held open between writes
    }
}
