package org.b3lb.node.upload;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A B3LB stand-in on a raw socket, so faults can be injected where a real server library would
 * not allow them (closing mid-body, never answering). Keeps connections alive like nginx, streams
 * each body through SHA-256 (large tars never sit in memory) and checks the multipart framing.
 * Behaviour is scripted per recording id; unscripted recordings get 200.
 */
final class Sink implements AutoCloseable {

    enum Kind { RESPOND, CLOSE_MID_BODY, HANG, STALL, HOLD, OK_THEN_CUT, OK_THEN_STALL, PAUSE }

    record Action(Kind kind, int status, Map<String, String> headers) {
        static Action status(int status) {
            return new Action(Kind.RESPOND, status, Map.of());
        }

        static Action status(int status, String header, String value) {
            return new Action(Kind.RESPOND, status, Map.of(header, value));
        }

        /**
         * Reads the first 64 KiB of the file, then stops reading until the test calls
         * {@link Sink#release()}; then reads the rest and answers {@code status}, or closes the
         * connection for status 0.
         */
        static Action pause(int status) {
            return new Action(Kind.PAUSE, status, Map.of());
        }

        static final Action CLOSE_MID_BODY = new Action(Kind.CLOSE_MID_BODY, 0, Map.of());
        static final Action HANG = new Action(Kind.HANG, 0, Map.of());
        /** Stops reading the body and keeps the connection open: the client's writes block. */
        static final Action STALL = new Action(Kind.STALL, 0, Map.of());
        /** Reads the whole body, then answers 200 only once the test calls {@link Sink#release()}. */
        static final Action HOLD = new Action(Kind.HOLD, 0, Map.of());
        /** Stores the body, sends "200" with a Content-Length of 100, 10 bytes of it, then closes. */
        static final Action OK_THEN_CUT = new Action(Kind.OK_THEN_CUT, 200, Map.of());
        /** Stores the body, sends "200" with a Content-Length of 100 and then nothing, connection open. */
        static final Action OK_THEN_STALL = new Action(Kind.OK_THEN_STALL, 200, Map.of());
    }

    /** One request whose body arrived completely. */
    record Received(String id, String method, String path, String field, String filename, String partType,
                    String secret, String sha256, long size, int answered) {
    }

    private static final Pattern DISPOSITION = Pattern.compile(
            "Content-Disposition: form-data; name=\"([^\"]*)\"; filename=\"([^\"]*)\"", Pattern.CASE_INSENSITIVE);

    private final ServerSocket server;
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "sink");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, Deque<Action>> scripts = new ConcurrentHashMap<>();
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private final AtomicInteger connections = new AtomicInteger();
    private volatile Action otherwise = Action.status(200);
    private volatile String acceptedSecret;
    private final AtomicInteger active = new AtomicInteger();
    private final AtomicInteger maxActive = new AtomicInteger();
    private final AtomicInteger total = new AtomicInteger();
    private volatile long answerDelayMillis;
    private final java.util.concurrent.CountDownLatch closed = new java.util.concurrent.CountDownLatch(1);
    private final java.util.concurrent.CountDownLatch released = new java.util.concurrent.CountDownLatch(1);
    private final java.util.concurrent.CountDownLatch paused = new java.util.concurrent.CountDownLatch(1);
    private volatile boolean refuseExpect;

    /** Waits until a {@link Action#pause} request has read its first 64 KiB and stopped. */
    void awaitPaused() throws InterruptedException {
        if (!paused.await(30, java.util.concurrent.TimeUnit.SECONDS)) {
            throw new AssertionError("no request paused");
        }
    }

    /** Like a proxy that does not do 100-continue: a request with {@code Expect} gets 417, unread. */
    Sink refuseExpect(boolean refuse) {
        refuseExpect = refuse;
        return this;
    }

    private volatile int answerBeforeBody;
    private final Map<String, List<Long>> arrivals = new ConcurrentHashMap<>();

    /** A request with {@code Expect} is answered {@code status} at once, before a byte of its body is read. */
    Sink answerBeforeBody(int status) {
        answerBeforeBody = status;
        return this;
    }

    /** When each request of this recording arrived (System.nanoTime of its part headers). */
    List<Long> arrivals(String id) {
        return new ArrayList<>(arrivals.getOrDefault(id, List.of()));
    }

    /** Requests answered 417 for their {@code Expect} header. */
    final AtomicInteger refusedExpect = new AtomicInteger();

    /** Lets every held request (and every later one) be answered. */
    void release() {
        released.countDown();
    }

    Sink() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        pool.execute(this::accept);
    }

    String endpoint() {
        return "http://127.0.0.1:" + server.getLocalPort() + "/b3lb/b/recording/upload";
    }

    int port() {
        return server.getLocalPort();
    }

    /** The answers for the next requests of this recording, in order; then 200. */
    Sink script(String id, Action... actions) {
        scripts.put(id, new ArrayDeque<>(List.of(actions)));
        return this;
    }

    /** Like B3LB: a request without this X-Node-Secret gets 401, whatever the script says; null accepts any. */
    Sink acceptOnly(String secret) {
        acceptedSecret = secret;
        return this;
    }

    /** The answer for unscripted recordings. */
    Sink otherwise(Action action) {
        otherwise = action;
        return this;
    }

    List<Received> received() {
        return new ArrayList<>(received);
    }

    List<Received> received(String id) {
        return received.stream().filter(r -> r.id().equals(id)).toList();
    }

    boolean accepted(String id) {
        return received(id).stream().anyMatch(r -> r.answered() >= 200 && r.answered() < 300);
    }

    /** Requests whose part headers arrived, complete or not. */
    int requests(String id) {
        AtomicInteger n = requests.get(id);
        return n == null ? 0 : n.get();
    }

    /** Every answer waits this long after the body arrived, so uploads overlap. */
    Sink answerDelay(long millis) {
        answerDelayMillis = millis;
        return this;
    }

    /** The most requests this sink was handling at the same moment. */
    int maxConcurrent() {
        return maxActive.get();
    }

    /** Requests whose part headers arrived, of every recording. */
    int totalRequests() {
        return total.get();
    }

    int connections() {
        return connections.get();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                connections.incrementAndGet();
                open.add(s);
                pool.execute(() -> serve(s));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        try (s) {
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            while (true) {
                String head = readHead(in);
                if (head == null) {
                    return;
                }
                if (!handle(head, in, out)) {
                    return;
                }
            }
        } catch (IOException | RuntimeException e) {
            // the client went away: nothing to record
        } finally {
            open.remove(s);
        }
    }

    /** @return false when the connection must not be reused */
    private boolean handle(String head, InputStream in, OutputStream out) throws IOException {
        maxActive.accumulateAndGet(active.incrementAndGet(), Math::max);
        try {
            return handleCounted(head, in, out);
        } finally {
            active.decrementAndGet();
        }
    }

    private boolean handleCounted(String head, InputStream in, OutputStream out) throws IOException {
        String[] lines = head.split("\r\n");
        String[] requestLine = lines[0].split(" ");
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int c = lines[i].indexOf(':');
            headers.put(lines[i].substring(0, c).trim().toLowerCase(Locale.ROOT), lines[i].substring(c + 1).trim());
        }
        if (answerBeforeBody > 0 && headers.containsKey("expect")) {
            respond(out, answerBeforeBody, Map.of("Connection", "close"), "");
            return false;
        }
        if (refuseExpect && headers.containsKey("expect")) {
            refusedExpect.incrementAndGet();
            respond(out, 417, Map.of("Connection", "close"), "");
            return false;
        }
        if ("100-continue".equalsIgnoreCase(headers.get("expect"))) {
            out.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }
        long length = Long.parseLong(headers.getOrDefault("content-length", "-1"));
        String contentType = headers.getOrDefault("content-type", "");
        Matcher bm = Pattern.compile("multipart/form-data; ?boundary=(\\S+)").matcher(contentType);
        if (length < 0 || !bm.matches()) {
            respond(out, 400, Map.of(), "want multipart/form-data with Content-Length");
            return false;
        }
        String boundary = bm.group(1);
        // the part's own headers come first in the body; they name the recording
        ByteArrayOutputStream partHead = new ByteArrayOutputStream();
        while (!partHead.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0 || partHead.size() > 8192) {
                return false;
            }
            partHead.write(b);
        }
        String ph = partHead.toString(StandardCharsets.UTF_8);
        Matcher dm = DISPOSITION.matcher(ph);
        if (!ph.startsWith("--" + boundary + "\r\n") || !dm.find()) {
            respond(out, 400, Map.of(), "bad part headers");
            return false;
        }
        String field = dm.group(1);
        String filename = dm.group(2);
        String id = filename.endsWith(".tar") ? filename.substring(0, filename.length() - 4) : filename;
        Matcher tm = Pattern.compile("Content-Type: (\\S+)", Pattern.CASE_INSENSITIVE).matcher(ph);
        String partType = tm.find() ? tm.group(1) : null;
        requests.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
        arrivals.computeIfAbsent(id, k -> new CopyOnWriteArrayList<>()).add(System.nanoTime());
        total.incrementAndGet();

        Deque<Action> script = scripts.get(id);
        Action action = script == null || script.isEmpty() ? otherwise : script.poll();
        String secret = acceptedSecret;
        if (secret != null && !secret.equals(headers.get("x-node-secret"))) {
            action = Action.status(401);
        }
        if (action.kind() == Kind.CLOSE_MID_BODY) {
            return false;
        }
        if (action.kind() == Kind.STALL) {
            try {
                closed.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return false;
        }
        byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII);
        long fileSize = length - partHead.size() - tail.length;
        MessageDigest sha = sha256();
        byte[] buf = new byte[1 << 16];
        long left = fileSize;
        if (action.kind() == Kind.PAUSE) {
            byte[] first = in.readNBytes((int) Math.min(1 << 16, left));
            sha.update(first);
            left -= first.length;
            paused.countDown();
            try {
                released.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            if (action.status() == 0) {
                return false;
            }
            action = Action.status(action.status());
        }
        while (left > 0) {
            int n = in.read(buf, 0, (int) Math.min(buf.length, left));
            if (n < 0) {
                return false;
            }
            sha.update(buf, 0, n);
            left -= n;
        }
        byte[] gotTail = in.readNBytes(tail.length);
        if (!java.util.Arrays.equals(gotTail, tail)) {
            respond(out, 400, Map.of(), "bad closing boundary");
            return false;
        }
        if (action.kind() == Kind.HOLD) {
            try {
                released.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            action = Action.status(200);
        }
        if (action.kind() == Kind.HANG) {
            received.add(new Received(id, requestLine[0], requestLine[1], field, filename, partType,
                    headers.get("x-node-secret"), HexFormat.of().formatHex(sha.digest()), fileSize, 0));
            while (in.read() >= 0) {
                // never answer; wait for the client to give up
            }
            return false;
        }
        if (action.kind() == Kind.OK_THEN_CUT || action.kind() == Kind.OK_THEN_STALL) {
            received.add(new Received(id, requestLine[0], requestLine[1], field, filename, partType,
                    headers.get("x-node-secret"), HexFormat.of().formatHex(sha.digest()), fileSize, 200));
            out.write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            if (action.kind() == Kind.OK_THEN_STALL) {
                try {
                    closed.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return false;
        }
        if (answerDelayMillis > 0) {
            java.util.concurrent.locks.LockSupport.parkNanos(answerDelayMillis * 1_000_000);
        }
        received.add(new Received(id, requestLine[0], requestLine[1], field, filename, partType,
                headers.get("x-node-secret"), HexFormat.of().formatHex(sha.digest()), fileSize, action.status()));
        respond(out, action.status(), action.headers(), action.status() >= 400 ? "scripted " + action.status() : "");
        return true;
    }

    private static void respond(OutputStream out, int status, Map<String, String> headers, String body) throws IOException {
        StringBuilder sb = new StringBuilder("HTTP/1.1 ").append(status).append(" Scripted\r\n");
        headers.forEach((k, v) -> sb.append(k).append(": ").append(v).append("\r\n"));
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        if (status != 204) {
            sb.append("Content-Length: ").append(b.length).append("\r\n");
        }
        sb.append("\r\n");
        out.write(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
        if (status != 204) {
            out.write(b);
        }
        out.flush();
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int state = 0;
        while (state < 4) {
            int b = in.read();
            if (b < 0) {
                return null;
            }
            head.write(b);
            state = (b == '\r' && (state == 0 || state == 2)) || (b == '\n' && (state == 1 || state == 3)) ? state + 1
                    : (b == '\r' ? 1 : 0);
        }
        return head.toString(StandardCharsets.ISO_8859_1).trim();
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() throws IOException {
        closed.countDown();
        server.close();
        for (Socket s : open) {
            s.close();
        }
        pool.shutdownNow();
    }
}
