package org.b3lb.node.e2e;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A misbehaving B3LB on a raw socket: per recording and attempt, a {@link Fault} decides what
 * happens to the request. A recording counts as stored when its whole body arrived and a 2xx
 * status line was sent (whatever happened to the rest of the response), as B3LB would have kept it.
 */
final class Receiver implements AutoCloseable {

    enum Fault { OK, OK_204, ERROR_500, UNAVAILABLE_503, UNAUTHORIZED_401, RESET_MID_BODY, STALL, OK_THEN_TRUNCATED, SLOW_READER }

    /** One stored recording: the SHA-256 of the file part, byte for byte. */
    record Stored(String id, String sha256, long size) {
    }

    private static final Pattern FILENAME = Pattern.compile("filename=\"([^\"]*)\\.tar\"");

    private final ServerSocket server;
    private final BiFunction<String, Integer, Fault> script;
    private final List<Stored> stored = new CopyOnWriteArrayList<>();
    private final Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private final AtomicLong bodyBytesRead = new AtomicLong();
    private final AtomicInteger faultsThrown = new AtomicInteger();
    private volatile int slowChunkDelayMillis = 5;

    /** @param script the fault for (recording id, attempt number starting at 1) */
    Receiver(BiFunction<String, Integer, Fault> script) throws IOException {
        this.script = script;
        server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "receiver");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    String endpoint() {
        return "http://127.0.0.1:" + server.getLocalPort() + "/b3lb/b/recording/upload";
    }

    List<Stored> stored() {
        return List.copyOf(stored);
    }

    int attempts(String id) {
        AtomicInteger a = attempts.get(id);
        return a == null ? 0 : a.get();
    }

    long bodyBytesRead() {
        return bodyBytesRead.get();
    }

    int faultsThrown() {
        return faultsThrown.get();
    }

    void slowChunkDelayMillis(int millis) {
        slowChunkDelayMillis = millis;
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                open.add(s);
                Thread t = new Thread(() -> serve(s), "receiver-conn");
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
                Map<String, String> headers = readHeaders(in);
                if (headers == null) {
                    return;
                }
                long length = Long.parseLong(headers.getOrDefault("content-length", "-1"));
                String type = headers.getOrDefault("content-type", "");
                int b = type.indexOf("boundary=");
                if (length < 0 || b < 0) {
                    respond(out, 400, "");
                    return;
                }
                String boundary = type.substring(b + "boundary=".length()).replace("\"", "");
                byte[] head = new byte[(int) Math.min(length, 2048)];
                readFully(in, head, 0, head.length);
                Matcher m = FILENAME.matcher(new String(head, StandardCharsets.UTF_8));
                String id = m.find() ? m.group(1) : "?";
                int attempt = attempts.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
                Fault fault = script.apply(id, attempt);
                if (fault != Fault.OK && fault != Fault.OK_204 && fault != Fault.SLOW_READER) {
                    faultsThrown.incrementAndGet();
                }
                switch (fault) {
                    case RESET_MID_BODY -> {
                        s.setSoLinger(true, 0);
                        return;
                    }
                    case STALL -> {
                        // reads nothing more and answers nothing: the node's idle timeout must give up
                        waitForClientToGoAway(s);
                        return;
                    }
                    default -> {
                    }
                }
                // streamed through SHA-256: a 500 MiB recording (bench/e2e.sh) never sits in memory
                FilePart part = new FilePart(boundary);
                part.headAndFirstBytes(head);
                byte[] buf = new byte[fault == Fault.SLOW_READER ? 16 * 1024 : 256 * 1024];
                for (long off = head.length; off < length; ) {
                    int n = readFully(in, buf, 0, (int) Math.min(buf.length, length - off));
                    part.more(buf, n);
                    off += n;
                    if (fault == Fault.SLOW_READER) {
                        Thread.sleep(slowChunkDelayMillis);
                    }
                }
                switch (fault) {
                    case ERROR_500 -> respond(out, 500, "Retry-After: 1\r\n");
                    case UNAVAILABLE_503 -> respond(out, 503, "Retry-After: 1\r\n");
                    case UNAUTHORIZED_401 -> respond(out, 401, "");
                    case OK_THEN_TRUNCATED -> {
                        stored.add(part.stored(id));
                        out.write("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nstored, but this answer is cut"
                                .getBytes(StandardCharsets.US_ASCII));
                        out.flush();
                        return;
                    }
                    case OK_204 -> {
                        stored.add(part.stored(id));
                        respond(out, 204, "");
                    }
                    default -> {
                        stored.add(part.stored(id));
                        respond(out, 200, "");
                    }
                }
            }
        } catch (IOException | InterruptedException e) {
            // the node went away (killed, timed out): nothing was stored for this request
        } finally {
            open.remove(s);
        }
    }

    /** The file part of one multipart body, hashed as it streams by; the last bytes wait for the closing boundary. */
    private static final class FilePart {
        private final byte[] closing;
        private final MessageDigest sha;
        private final ByteArrayOutputStream tail = new ByteArrayOutputStream();
        private long size;
        private boolean malformed;

        FilePart(String boundary) {
            closing = ("\r\n--" + boundary + "--").getBytes(StandardCharsets.US_ASCII);
            try {
                sha = MessageDigest.getInstance("SHA-256");
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        void headAndFirstBytes(byte[] head) {
            byte[] headerEnd = "\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
            int start = indexOf(head, headerEnd, 0);
            if (start < 0) {
                malformed = true;
                return;
            }
            more(java.util.Arrays.copyOfRange(head, start + headerEnd.length, head.length), head.length - start - headerEnd.length);
        }

        void more(byte[] buf, int n) {
            tail.write(buf, 0, n);
            if (tail.size() > 4096) {
                byte[] t = tail.toByteArray();
                int keep = 512;
                sha.update(t, 0, t.length - keep);
                size += t.length - keep;
                tail.reset();
                tail.write(t, t.length - keep, keep);
            }
        }

        Stored stored(String id) {
            byte[] t = tail.toByteArray();
            int end = lastIndexOf(t, closing);
            if (malformed || end < 0) {
                return new Stored(id, "malformed multipart", size);
            }
            sha.update(t, 0, end);
            return new Stored(id, HexFormat.of().formatHex(sha.digest()), size + end);
        }
    }

    private int readFully(InputStream in, byte[] buf, int off, int len) throws IOException {
        int n = in.readNBytes(buf, off, len);
        bodyBytesRead.addAndGet(n);
        if (n < len) {
            throw new IOException("body cut after " + (off + n) + " bytes");
        }
        return n;
    }

    private static void waitForClientToGoAway(Socket s) throws InterruptedException {
        for (int i = 0; i < 600 && !s.isClosed(); i++) {
            Thread.sleep(100);
            try {
                s.sendUrgentData(0);
            } catch (IOException gone) {
                return;
            }
        }
    }

    private static void respond(OutputStream out, int status, String extraHeaders) throws IOException {
        out.write(("HTTP/1.1 " + status + " X\r\n" + extraHeaders + "Content-Length: 0\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    private static Map<String, String> readHeaders(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        Map<String, String> headers = new java.util.HashMap<>();
        boolean first = true;
        int c;
        while ((c = in.read()) != -1) {
            if (c != '\n') {
                if (c != '\r') {
                    line.write(c);
                }
                continue;
            }
            String l = line.toString(StandardCharsets.ISO_8859_1);
            line.reset();
            if (l.isEmpty()) {
                return headers;
            }
            int colon = l.indexOf(':');
            if (!first && colon > 0) {
                headers.put(l.substring(0, colon).trim().toLowerCase(Locale.ROOT), l.substring(colon + 1).trim());
            }
            first = false;
        }
        return null;
    }

    private static int indexOf(byte[] data, byte[] pattern, int from) {
        outer:
        for (int i = from; i <= data.length - pattern.length; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if (data[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static int lastIndexOf(byte[] data, byte[] pattern) {
        outer:
        for (int i = data.length - pattern.length; i >= 0; i--) {
            for (int j = 0; j < pattern.length; j++) {
                if (data[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : open) {
            s.close();
        }
    }
}
