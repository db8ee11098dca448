package org.b3lb.node.upload;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.AbstractHttpEntity;
import org.apache.hc.core5.http.message.BasicNameValuePair;
import org.b3lb.node.layout.RecordingFiles;

/**
 * {@code multipart/form-data} of file parts streamed from disk with a Content-Length known up
 * front (B3LB's nginx and Django need no chunked decoding, and a proxy can refuse an oversize
 * body before it arrives). Hand-written because httpclient5's FileBody writes 4 KiB at a time,
 * which cost more than half of curl's throughput on loopback; 1 MiB slices bypass the client's
 * buffer and go to the socket in one call. The heap needed is one slice, whatever the size. The
 * files were opened when the attempt started ({@link SentFiles}); each part is read from its
 * channel at absolute positions (so a repeated request sends the same bytes) with exactly the size
 * it had then, and a file that changed meanwhile ends the body before its closing boundary, so the
 * server never receives a complete body that is no version of the recording. Under
 * {@code b3lb.upload.max-rate} every write first waits for its bytes in the route's shared
 * {@link UploadRate} and carries at most one burst of it; without a cap the limiter is never called.
 */
public final class MultipartTarEntity extends AbstractHttpEntity {

    static final int SLICE = 1 << 20;

    /** One file part, read from {@code channel}; B3LB 3.x sends several per request. */
    public record Part(String name, String filename, String contentType, Path path, FileChannel channel, long size) {
    }

    private final List<Part> parts;
    private final List<byte[]> heads = new ArrayList<>();
    private final byte[] tail;
    private final UploadProgress progress;
    private final SentFiles files;
    private final long length;
    /** null: no cap, and the writes are as they were before the cap existed */
    private final UploadRate rate;

    private MultipartTarEntity(List<Part> parts, String boundary, UploadProgress progress, SentFiles files, UploadRate rate) {
        super(ContentType.create("multipart/form-data").withParameters(new BasicNameValuePair("boundary", boundary)), null, false);
        this.parts = parts;
        this.progress = progress;
        this.files = files;
        this.rate = rate;
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
     * @param files checked before the closing boundary; null for none
     * @param rate  the route's cap, shared by all its uploads; null for none
     */
    static MultipartTarEntity of(List<Part> parts, UploadProgress progress, SentFiles files, UploadRate rate) {
        // random: the files may hold any text
        return new MultipartTarEntity(parts, "b3lb-" + UUID.randomUUID(), progress, files, rate);
    }

    /**
     * The request of either protocol: the tar as part {@code field}, and under b3lb its metadata.xml
     * as part {@code meta}, as B3LB 3.x's pusher sends them; the progress counts the files' bytes.
     */
    static MultipartTarEntity of(RecordingFiles recording, SentFiles files, String field, UploadRate rate) {
        SentFiles.Opened tar = files.tar();
        SentFiles.Opened meta = files.meta();
        String name = tar.path().getFileName().toString(); // <id>.tar, as the server sees it
        List<Part> parts = new ArrayList<>(List.of(new Part(field, name, "application/x-tar", tar.path(), tar.channel(), tar.identity().size())));
        if (meta != null) {
            parts.add(new Part("meta", "metadata.xml", "application/xml", meta.path(), meta.channel(), meta.identity().size()));
        }
        return of(parts, new UploadProgress(recording, parts.stream().mapToLong(Part::size).sum()), files, rate);
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
        progress.restart();
        long largest = parts.stream().mapToLong(Part::size).max().orElse(1);
        byte[] slice = new byte[(int) Math.min(rate == null ? SLICE : Math.min(SLICE, rate.chunk()), Math.max(largest, 1))];
        for (int i = 0; i < parts.size(); i++) {
            hold(heads.get(i).length);
            out.write(heads.get(i));
            progress.moved();
            write(parts.get(i), slice, out);
        }
        if (files != null && files.check() == SentFiles.Change.CHANGED) {
            throw new SentFiles.ChangedException(files.changedMessage());
        }
        hold(tail.length);
        out.write(tail);
        out.flush();
        progress.moved();
    }

    private void write(Part part, byte[] slice, OutputStream out) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(slice);
        long pos = 0;
        while (pos < part.size()) {
            buf.clear().limit((int) Math.min(slice.length, part.size() - pos));
            int n = read(part, buf, pos);
            if (n < 0) {
                misread();
                throw new SentFiles.ChangedException(part.path().getFileName() + " shrank from " + part.size() + " to " + pos
                        + " bytes while being sent; sent again once it stops changing");
            }
            hold(n);
            out.write(slice, 0, n);
            pos += n;
            progress.addTar(n);
        }
        buf.clear().limit(1);
        if (read(part, buf, pos) > 0) {
            misread();
            throw new SentFiles.ChangedException(part.path().getFileName() + " grew beyond the " + part.size()
                    + " bytes it had when the attempt started; sent again once it stops changing");
        }
    }

    private void hold(int bytes) throws IOException {
        if (rate != null) {
            rate.acquire(bytes, progress::aborted);
        }
    }

    private static int read(Part part, ByteBuffer buf, long pos) throws IOException {
        try {
            return part.channel().read(buf, pos);
        } catch (IOException e) {
            throw new SentFiles.ReadException(part.path(), e);
        }
    }

    private void misread() {
        if (files != null) {
            files.misread();
        }
    }

    @Override
    public void close() {
        // the channels belong to the attempt's SentFiles, closed when its exchange ends
    }
}
