package org.b3lb.node.e2e;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * A B3LB 3.x stand-in on a raw socket for the randomized no-loss test: it reads whole (small)
 * bodies, splits the multipart parts, unpacks the tar part and records which published version of
 * a recording arrived and whether every file in it is byte for byte what was published. Per
 * request a {@link Fault} decides its answer; a recording counts as received only when the whole
 * body arrived and a 2xx status line went out.
 */
final class VersionReceiver implements AutoCloseable {

    enum Fault { OK, SLOW_OK, STALL, UNAVAILABLE_503, RESET_MID_BODY, OK_THEN_TRUNCATED }

    /** One received recording: its id, the tar's files, the meta part and the nonce of the query. */
    record Received(String id, Map<String, byte[]> files, byte[] meta, String nonce) {
    }

    private final ServerSocket server;
    private final Supplier<Fault> faults;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private volatile boolean calm;

    VersionReceiver(Supplier<Fault> faults) throws IOException {
        this.faults = faults;
        server = new ServerSocket(0, 100, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::accept, "version-receiver");
        t.setDaemon(true);
        t.start();
    }

    String endpoint() {
        return "http://127.0.0.1:" + server.getLocalPort() + "/b3lb/b/record/upload";
    }

    List<Received> received() {
        return List.copyOf(received);
    }

    /** From now on every request is answered 204 at once. */
    void calm() {
        calm = true;
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                open.add(s);
                Thread t = new Thread(() -> serve(s), "version-receiver-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        try (s) {
            s.setSoTimeout(60_000);
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            while (true) {
                String requestLine = line(in);
                if (requestLine == null || requestLine.isEmpty()) {
                    return;
                }
                Map<String, String> headers = new HashMap<>();
                for (String h = line(in); h != null && !h.isEmpty(); h = line(in)) {
                    int c = h.indexOf(':');
                    headers.put(h.substring(0, c).trim().toLowerCase(Locale.ROOT), h.substring(c + 1).trim());
                }
                if ("100-continue".equalsIgnoreCase(headers.get("expect"))) {
                    out.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                }
                int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
                Fault fault = calm ? Fault.OK : faults.get();
                ByteArrayOutputStream body = new ByteArrayOutputStream(length);
                byte[] buf = new byte[fault == Fault.SLOW_OK || fault == Fault.STALL ? 16 * 1024 : 256 * 1024];
                int read = 0;
                while (read < length) {
                    if (fault == Fault.RESET_MID_BODY && read > length / 2) {
                        s.setSoLinger(true, 0);
                        return;
                    }
                    if (fault == Fault.STALL && read > 64 * 1024) {
                        // reads nothing more and answers nothing: the node's idle timeout must give up
                        for (int i = 0; i < 300; i++) {
                            Thread.sleep(100);
                            try {
                                s.sendUrgentData(0);
                            } catch (IOException gone) {
                                return;
                            }
                        }
                        return;
                    }
                    int n = in.read(buf, 0, Math.min(buf.length, length - read));
                    if (n < 0) {
                        return;
                    }
                    body.write(buf, 0, n);
                    read += n;
                    if (fault == Fault.SLOW_OK) {
                        Thread.sleep(20);
                    }
                }
                if (fault == Fault.UNAVAILABLE_503) {
                    respond(out, "503 Busy", "Retry-After: 1\r\nContent-Length: 0\r\n\r\n");
                    continue;
                }
                received.add(parse(requestLine, headers.getOrDefault("content-type", ""), body.toByteArray()));
                if (fault == Fault.OK_THEN_TRUNCATED) {
                    respond(out, "200 OK", "Content-Length: 100\r\n\r\nstored, but the answer is cut");
                    return;
                }
                respond(out, "204 No Content", "\r\n");
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            // the node went away (killed, timed out): nothing was received for this request
        } finally {
            open.remove(s);
        }
    }

    private static void respond(OutputStream out, String status, String rest) throws IOException {
        out.write(("HTTP/1.1 " + status + "\r\n" + rest).getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    private static Received parse(String requestLine, String contentType, byte[] body) {
        String boundary = "--" + contentType.substring(contentType.indexOf("boundary=") + 9).replace("\"", "");
        String text = new String(body, StandardCharsets.ISO_8859_1);
        String id = null;
        Map<String, byte[]> files = Map.of();
        byte[] meta = null;
        for (int at = text.indexOf(boundary); at >= 0; ) {
            int next = text.indexOf("\r\n" + boundary, at + boundary.length());
            if (next < 0) {
                break;
            }
            int headEnd = text.indexOf("\r\n\r\n", at);
            String head = text.substring(at, headEnd);
            byte[] content = java.util.Arrays.copyOfRange(body, headEnd + 4, next);
            if (head.contains("name=\"file\"")) {
                int f = head.indexOf("filename=\"") + 10;
                String name = head.substring(f, head.indexOf('"', f));
                id = name.substring(0, name.length() - ".tar".length());
                files = Tar.entries(content);
            } else if (head.contains("name=\"meta\"")) {
                meta = content;
            }
            at = next + 2;
        }
        int q = requestLine.indexOf("nonce=");
        String nonce = q < 0 ? null : requestLine.substring(q + 6, requestLine.indexOf(' ', q));
        return new Received(id, files, meta, nonce);
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int c = in.read(); c >= 0; c = in.read()) {
            if (c == '\n') {
                int n = sb.length();
                return n > 0 && sb.charAt(n - 1) == '\r' ? sb.substring(0, n - 1) : sb.toString();
            }
            sb.append((char) c);
        }
        return sb.length() == 0 ? null : sb.toString();
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : open) {
            s.close();
        }
    }

    /** The regular files of a ustar archive (as GNU tar writes them), by name without a leading "./". */
    static final class Tar {
        private Tar() {
        }

        static Map<String, byte[]> entries(byte[] tar) {
            Map<String, byte[]> files = new HashMap<>();
            for (int at = 0; at + 512 <= tar.length; ) {
                if (tar[at] == 0) {
                    break;
                }
                String name = cString(tar, at, 100);
                String prefix = cString(tar, at + 345, 155);
                long size = Long.parseLong(cString(tar, at + 124, 12).trim(), 8);
                char type = (char) tar[at + 156];
                if (!prefix.isEmpty()) {
                    name = prefix + "/" + name;
                }
                if (type == '0' || type == 0) {
                    files.put(name.startsWith("./") ? name.substring(2) : name,
                            java.util.Arrays.copyOfRange(tar, at + 512, at + 512 + (int) size));
                }
                at += 512 + (int) ((size + 511) / 512 * 512);
            }
            return files;
        }

        private static String cString(byte[] b, int off, int len) {
            int end = off;
            while (end < off + len && b[end] != 0) {
                end++;
            }
            return new String(b, off, end - off, StandardCharsets.US_ASCII);
        }
    }
}
