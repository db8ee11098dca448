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
 * (b3lb/rest/classes/api.py, routed by b3lb/loadbalancer/urls.py and views.backend_endpoint): a
 * path outside Django's URL patterns is 404 with Django's HTML page; under {@code /b3lb/b/x/y} only
 * {@code record/upload} and {@code meeting/end} are backend endpoints (anything else 403), and
 * {@code record/upload} takes POST only (405); then nonce in the query (400; Django's QueryDict
 * keeps the last value), a known record set (404), FILE parts {@code file} and {@code meta} (400
 * each: Django only counts a part with a non-empty filename as a file), meta parsed as XML (500 when
 * it is not XML), root {@code <recording>} that xmltodict makes a dict (400), {@code meta} that is
 * a dict if present (500: {@code None.get}), {@code meta/isBreakout == true} (403), storage (503
 * when told to fail), then the fields read after storing ({@code int(participants)},
 * {@code meeting/@name}: 500, the tar already stored), then 204. Every answer but the 404 page has
 * no body. No header is read: a secret header is recorded, not checked.
 */
final class B3lbReceiver implements AutoCloseable {

    /** One request B3LB answered, with what it would have stored. */
    record Upload(String path, String rawQuery, String nonce, int status, String fileName, String fileType, String fileSha256,
                  long fileSize, String metaFileName, String metaType, byte[] meta, String secretHeader) {
    }

    private static final Pattern BACKEND = Pattern.compile("^/b3lb/b/([a-z]+)/([a-z]+)$");
    /** NodeB3lbRequest.BACKENDS: endpoint and its one method. */
    private static final Map<String, String> BACKENDS = Map.of("meeting/end", "GET", "record/upload", "POST");
    /** Django's page for a URL no pattern matches (DEBUG off). */
    static final String NOT_FOUND_PAGE = "<!doctype html>\n<html lang=\"en\">\n<head>\n  <title>Not Found</title>\n</head>\n"
            + "<body>\n  <h1>Not Found</h1><p>The requested resource was not found on this server.</p>\n</body>\n</html>\n";
    private static final Pattern PART_TYPE = Pattern.compile("(?im)^Content-Type:\\s*(.+)$");
    private static final Pattern DISPOSITION = Pattern.compile(
            "name=\"([^\"]*)\"(?:; filename=\"([^\"]*)\")?", Pattern.CASE_INSENSITIVE);

    private final HttpServer server;
    private final Set<String> recordSets = ConcurrentHashMap.newKeySet();
    private final List<Upload> uploads = new CopyOnWriteArrayList<>();
    private volatile boolean storageFails;
    private final Map<String, Integer> storageFailsFor = new ConcurrentHashMap<>();

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

    /** Saving this record set's file fails the next {@code times} times (503), then works. */
    B3lbReceiver storageFails(String nonce, int times) {
        storageFailsFor.put(nonce, times);
        return this;
    }

    List<Upload> uploads() {
        return new ArrayList<>(uploads);
    }

    List<Upload> stored() {
        return uploads.stream().filter(u -> u.status() == 204).toList();
    }

    List<Upload> uploads(String nonce) {
        return uploads.stream().filter(u -> nonce.equals(u.nonce())).toList();
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
            uploads.add(new Upload(path, ex.getRequestURI().getRawQuery(), nonce, status,
                    file == null ? null : file.fileName, file == null ? null : file.type,
                    file == null ? null : sha256(file.content), file == null ? -1 : file.content.length,
                    meta == null ? null : meta.fileName, meta == null ? null : meta.type, meta == null ? null : meta.content,
                    secret));
            if (status == 404 && !BACKEND.matcher(path).matches()) {
                byte[] page = NOT_FOUND_PAGE.getBytes(StandardCharsets.UTF_8);
                ex.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
                ex.sendResponseHeaders(404, page.length);
                ex.getResponseBody().write(page);
                return;
            }
            ex.sendResponseHeaders(status, -1);
        }
    }

    private int answer(HttpExchange ex, String path, String nonce, byte[] body, Map<String, Part> files) {
        Matcher m = BACKEND.matcher(path);
        if (!m.matches()) {
            return 404;
        }
        String allowed = BACKENDS.get(m.group(1) + "/" + m.group(2));
        if (allowed == null) {
            return 403;
        }
        if (!allowed.equals(ex.getRequestMethod())) {
            ex.getResponseHeaders().set("Allow", allowed);
            return 405;
        }
        if (allowed.equals("GET")) {
            return 204; // meeting/end answers 204 whether or not it knew the meeting
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
        if (recording == null || !isDict(recording)) {
            return 400; // xmltodict: a root without attributes or child elements is None or a string
        }
        List<Element> metas = children(recording, "meta");
        if (metas.size() > 1 || metas.size() == 1 && !isDict(metas.get(0))) {
            return 500; // a list, None or a string has no .get
        }
        if (metas.size() == 1 && "true".equals(text(metas.get(0), "isBreakout"))) {
            return 403;
        }
        if (storageFails || storageFailure(nonce)) {
            return 503;
        }
        List<Element> meetings = children(recording, "meeting");
        List<Element> participants = children(recording, "participants");
        if (meetings.size() > 1 || meetings.size() == 1 && !isDict(meetings.get(0)) || participants.size() > 1
                || participants.size() == 1 && (isDict(participants.get(0))
                        || !participants.get(0).getTextContent().strip().matches("[+-]?[0-9]+"))) {
            return 500; // raised after the tar was saved; B3LB keeps the file, the record set stays unfinished
        }
        return 204;
    }

    private synchronized boolean storageFailure(String nonce) {
        Integer left = storageFailsFor.get(nonce);
        if (left == null || left == 0) {
            return false;
        }
        storageFailsFor.put(nonce, left - 1);
        return true;
    }

    private record Part(String fileName, String type, byte[] content) {
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
            if (d.find() && d.group(2) != null && !d.group(2).isEmpty()) {
                byte[] content = java.util.Arrays.copyOfRange(body, headersEnd + 4, next);
                Matcher t = PART_TYPE.matcher(headers);
                files.put(d.group(1), new Part(d.group(2), t.find() ? t.group(1).trim() : null, content));
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

    /** xmltodict makes an element a dict when it has attributes or child elements. */
    private static boolean isDict(Element e) {
        if (e.hasAttributes()) {
            return true;
        }
        for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element) {
                return true;
            }
        }
        return false;
    }

    private static List<Element> children(Element parent, String name) {
        List<Element> out = new ArrayList<>();
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(name)) {
                out.add(e);
            }
        }
        return out;
    }

    /** The text of the only child {@code name} without attributes or child elements, as xmltodict strips it. */
    private static String text(Element parent, String name) {
        List<Element> c = children(parent, name);
        return c.size() == 1 && !isDict(c.get(0)) ? c.get(0).getTextContent().strip() : null;
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
            q.put(k, v); // QueryDict.get: the last value wins
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
