package org.b3lb.node.upload;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.AbstractHttpEntity;
import org.apache.hc.core5.http.message.BasicNameValuePair;

/**
 * {@code multipart/form-data} of file parts streamed from disk with a Content-Length known up
 * front (B3LB's nginx and Django need no chunked decoding, and a proxy can refuse an oversize
 * body before it arrives). Hand-written because httpclient5's FileBody writes 4 KiB at a time,
 * which cost more than half of curl's throughput on loopback; 1 MiB slices bypass the client's
 * buffer and go to the socket in one call. The heap needed is one slice, whatever the size. Files
 * are opened without following symbolic links: a link planted in the recording directory must
 * never send a file from elsewhere.
 */
public final class MultipartTarEntity extends AbstractHttpEntity {

    static final int SLICE = 1 << 20;

    /** One file part; B3LB 3.x sends several per request. */
    public record Part(String name, String filename, String contentType, Path path, long size) {
    }

    /** The tar could not be read while streaming it: told apart from network errors, which it is not. */
    static final class TarReadException extends IOException {
        TarReadException(IOException cause) {
            super(cause.getMessage(), cause);
        }
    }

    private final List<Part> parts;
    private final List<byte[]> heads = new ArrayList<>();
    private final byte[] tail;
    private final UploadProgress progress;
    private final long length;

    private MultipartTarEntity(List<Part> parts, String boundary, UploadProgress progress) {
        super(ContentType.create("multipart/form-data").withParameters(new BasicNameValuePair("boundary", boundary)), null, false);
        this.parts = List.copyOf(parts);
        this.progress = progress;
        long n = 0;
        for (int i = 0; i < parts.size(); i++) {
            Part p = parts.get(i);
            byte[] head = ((i == 0 ? "" : "\r\n") + "--" + boundary + "\r\n"
                    + "Content-Disposition: form-data; name=\"" + quoted(p.name()) + "\"; filename=\"" + quoted(p.filename()) + "\"\r\n"
                    + "Content-Type: " + p.contentType() + "\r\n"
                    + "\r\n").getBytes(StandardCharsets.UTF_8);
            heads.add(head);
            n += head.length + p.size();
        }
        this.tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII);
        this.length = n + tail.length;
    }

    /**
     * @param parts the files, each sent with exactly {@code size} bytes (its size when the attempt
     *              started), so the declared length can never disagree with the body
     */
    public static MultipartTarEntity of(List<Part> parts, UploadProgress progress) {
        return new MultipartTarEntity(parts, "b3lb-" + UUID.randomUUID(), progress); // random: the files may hold any text
    }

    /** The spec's request: the recording's tar as the one part {@code field}. */
    public static MultipartTarEntity of(Recording recording, long size, String field, UploadProgress progress) {
        return of(List.of(new Part(field, recording.fileName(), "application/x-tar", recording.tar(), size)), progress);
    }

    /**
     * A name as browsers send it (HTML's multipart/form-data encoding): UTF-8 as is, with the
     * three characters that would break the header percent-encoded.
     */
    static String quoted(String name) {
        return name.replace("\"", "%22").replace("\r", "%0D").replace("\n", "%0A");
    }

    UploadProgress progress() {
        return progress;
    }

    @Override
    public long getContentLength() {
        return length;
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
        long largest = parts.stream().mapToLong(Part::size).max().orElse(1);
        byte[] slice = new byte[(int) Math.min(SLICE, Math.max(largest, 1))];
        for (int i = 0; i < parts.size(); i++) {
            out.write(heads.get(i));
            progress.add(heads.get(i).length);
            write(parts.get(i), slice, out);
        }
        out.write(tail);
        out.flush();
        progress.add(tail.length);
    }

    private void write(Part part, byte[] slice, OutputStream out) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(slice);
        FileChannel ch;
        try {
            ch = FileChannel.open(part.path(), StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            throw new TarReadException(e);
        }
        try (ch) {
            long left = part.size();
            while (left > 0) {
                buf.clear().limit((int) Math.min(slice.length, left));
                int n;
                try {
                    n = ch.read(buf);
                } catch (IOException e) {
                    throw new TarReadException(e);
                }
                if (n < 0) {
                    throw new TarReadException(new EOFException(part.path() + " shrank from " + part.size() + " to "
                            + (part.size() - left) + " bytes while being uploaded; is something rewriting it?"));
                }
                out.write(slice, 0, n);
                left -= n;
                progress.addTar(n);
            }
        }
    }

    @Override
    public void close() {
        // nothing held open between writes
    }
}
