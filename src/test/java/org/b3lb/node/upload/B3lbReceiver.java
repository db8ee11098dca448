package org.b3lb.node.upload;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * What B3LB 3.3.2's {@code upload_record} view checks, in its order, on a real HTTP server
 * (b3lb/rest/classes/api.py, routed by b3lb/loadbalancer/urls.py): only
 * {@code POST /b3lb/b/record/upload} is a backend endpoint (anything else under /b3lb/b/ is 403);
 * nonce in the query (400), a known record set (404), FILE parts {@code file} and {@code meta}
 * (400 each: Django only counts a part with a filename as a file), meta parsed as XML (500 when it
 * is not XML), root {@code <recording>} (400), {@code meta/isBreakout == true} (403), storage
 * (503 when told to fail), then 204. No header is read: a secret header is recorded, not checked.
 */
final class B3lbReceiver implements AutoCloseable {

    /** One request B3LB answered, with what it would have stored. */
    record Upload(String path, String nonce, int status, String fileName, String fileSha256, long fileSize,
                  String metaFileName, byte[] meta, String secretHeader) {
    }

    private static final Pattern BACKEND = Pattern.compile("^/b3lb/b/([a-z]+)/([a-z]+)$");
    private static final Pattern DISPOSITION = Pattern.compile(
            "name=\"([^\"]*)\"(?:; filename=\"([^\"]*)\")?", Pattern.CASE_INSENSITIVE);

    private final HttpServer server;
    private final Set<String> recordSets = ConcurrentHashMap.newKeySet();
    private final List<Upload> uploads = new CopyOnWriteArrayList<>();
    private volatile boolean storageFails;

    B3lbReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        server.createContext("/", this::handle);
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "b3lb-receiver");
            t.setDaemon(true);
            return t;
        }));
        server.start();
    }

    /** The upload URL as {@code b3lb.upload.endpoint} takes it under {@code b3lb.protocol=b3lb}. */
    String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/b3lb/b/record/upload";
    }

    String base() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** A record set B3LB created for a meeting with this nonce. */
    B3lbReceiver knows(String nonce) {
        recordSets.add(nonce);
        return this;
    }

    /** The meeting ended without recording marks: B3LB deleted its record set. */
    B3lbReceiver forgets(String nonce) {
        recordSets.remove(nonce);
        return this;
    }

    B3lbReceiver storageFails(boolean fails) {
        storageFails = fails;
        return this;
    }

    List<Upload> uploads() {
        return new ArrayList<>(uploads);
    }

    List<Upload> stored() {
        return uploads.stream().filter(u -> u.status() == 204).toList();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            byte[] body = ex.getRequestBody().readAllBytes();
            String path = ex.getRequestURI().getRawPath();
            String nonce = query(ex.getRequestURI().getRawQuery()).get("nonce");
            String secret = ex.getRequestHeaders().getFirst("X-Node-Secret");
            Map<String, Part> files = new LinkedHashMap<>();
            int status = answer(ex, path, nonce, body, files);
            Part file = files.get("file");
            Part meta = files.get("meta");
            uploads.add(new Upload(path, nonce, status,
                    file == null ? null : file.fileName, file == null ? null : sha256(file.content),
                    file == null ? -1 : file.content.length,
                    meta == null ? null : meta.fileName, meta == null ? null : meta.content, secret));
            ex.sendResponseHeaders(status, -1);
        }
    }

    private int answer(HttpExchange ex, String path, String nonce, byte[] body, Map<String, Part> files) {
        Matcher m = BACKEND.matcher(path);
        if (!m.matches() || !"record".equals(m.group(1)) || !"upload".equals(m.group(2))
                || !"POST".equals(ex.getRequestMethod())) {
            return 403;
        }
        if (nonce == null || nonce.isEmpty()) {
            return 400;
        }
        if (!recordSets.contains(nonce)) {
            return 404;
        }
        String type = ex.getRequestHeaders().getFirst("Content-Type");
        if (type == null || !type.toLowerCase().startsWith("multipart/form-data")) {
            return 400;
        }
        files.putAll(parse(body, type));
        if (!files.containsKey("file") || !files.containsKey("meta")) {
            return 400;
        }
        Element recording;
        try {
            recording = rootRecording(files.get("meta").content);
        } catch (Exception notXml) {
            return 500; // xmltodict raises and Django answers 500
        }
        if (recording == null || !recording.hasChildNodes()) {
            return 400;
        }
        if ("true".equals(text(child(recording, "meta"), "isBreakout"))) {
            return 403;
        }
        return storageFails ? 503 : 204;
    }

    private record Part(String fileName, byte[] content) {
    }

    /** Django's MultiPartParser: only parts with a filename end up in request.FILES. */
    private static Map<String, Part> parse(byte[] body, String contentType) {
        Map<String, Part> files = new LinkedHashMap<>();
        Matcher b = Pattern.compile("boundary=\"?([^\";]+)\"?").matcher(contentType);
        if (!b.find()) {
            return files;
        }
        byte[] delimiter = ("--" + b.group(1)).getBytes(StandardCharsets.US_ASCII);
        int at = indexOf(body, delimiter, 0);
        while (at >= 0) {
            int start = at + delimiter.length;
            if (start + 2 <= body.length && body[start] == '-' && body[start + 1] == '-') {
                break;
            }
            int headersEnd = indexOf(body, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII), start);
            int next = indexOf(body, ("\r\n--" + b.group(1)).getBytes(StandardCharsets.US_ASCII), headersEnd);
            if (headersEnd < 0 || next < 0) {
                break;
            }
            String headers = new String(body, start, headersEnd - start, StandardCharsets.UTF_8);
            Matcher d = DISPOSITION.matcher(headers);
            if (d.find() && d.group(2) != null) {
                byte[] content = java.util.Arrays.copyOfRange(body, headersEnd + 4, next);
                files.put(d.group(1), new Part(d.group(2), content));
            }
            at = next + 2;
        }
        return files;
    }

    private static Element rootRecording(byte[] xml) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        Document doc = f.newDocumentBuilder().parse(new ByteArrayInputStream(xml));
        Element root = doc.getDocumentElement();
        return "recording".equals(root.getTagName()) ? root : null;
    }

    private static Element child(Element parent, String name) {
        if (parent == null) {
            return null;
        }
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(name)) {
                return e;
            }
        }
        return null;
    }

    private static String text(Element parent, String name) {
        Element e = child(parent, name);
        return e == null ? null : e.getTextContent().trim();
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> q = new LinkedHashMap<>();
        if (raw == null) {
            return q;
        }
        for (String kv : raw.split("&")) {
            int eq = kv.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? kv : kv.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8);
            q.putIfAbsent(k, v);
        }
        return q;
    }

    private static int indexOf(byte[] hay, byte[] needle, int from) {
        outer:
        for (int i = Math.max(0, from); i <= hay.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
