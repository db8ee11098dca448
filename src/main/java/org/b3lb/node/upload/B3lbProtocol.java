package org.b3lb.node.upload;

import org.b3lb.node.config.Sizes;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.regex.Pattern;
import org.apache.camel.Exchange;
import org.apache.hc.core5.net.PercentCodec;
import org.b3lb.node.config.Protocol;
import org.b3lb.node.layout.HookCommand;
import org.b3lb.node.layout.RecordingFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The upload of {@code b3lb.protocol=b3lb}, as B3LB 3.x's pusher sends it (scripts/bbb/push/b3lb-push):
 * {@code POST <endpoint>?nonce=<nonce>} with the parts {@code file} (the tar) and {@code meta} (its
 * metadata.xml), no secret. The nonce, the record set's credential, is the marker's first line; it
 * goes in {@link Exchange#HTTP_QUERY}, which replaces the endpoint's query, so that query is kept in front.
 *
 * <p>And what B3LB 3.x's {@code upload_record} view means by its answers (b3lb/rest/classes/api.py):
 * 400 and 500 keep the marker (an admin can fix the metadata and re-queue); 403 for a breakout room
 * recording and 404 for a record set B3LB deleted never change, so the marker goes and the tar
 * stays for the cleanup ({@link Abandoned}).
 */
final class B3lbProtocol {

    private static final Logger LOG = LoggerFactory.getLogger(B3lbProtocol.class);
    static final String ABANDONED = "abandoned";
    /** b3lb/loadbalancer/urls.py: ^b3lb/b/(?P<backend>[a-z]+)/(?P<endpoint>[a-z]+)$, behind any prefix a proxy adds. */
    private static final Pattern BACKEND_PATH = Pattern.compile(".*/b3lb/b/[a-z]+/[a-z]+");
    private static final Pattern UPLOAD_PATH = Pattern.compile(".*/b3lb/b/record/upload");
    private static final Pattern BREAKOUT = Pattern.compile("<isBreakout>\\s*true\\s*</isBreakout>");
    private static final String ENDPOINT = "check b3lb.upload.endpoint (B3LB's is https://<b3lb-host>/b3lb/b/record/upload)";
    /** metadata.xml has isBreakout near its start; the rest (playback, segments) need not be read. */
    private static final int META_READ = 64 * 1024;
    /** B3LB's NONCE_CHAR_POOL (b3lb/rest/b3lb/constants.py), 64 long there; the hook's VALID_NONCE. */
    private static final Pattern NONCE = Pattern.compile("[A-Za-z0-9!@*()_-]{1,100}");
    /** A nonce line is at most 100 characters plus a line break; more is not a marker the hook wrote. */
    private static final int NONCE_READ_AT_MOST = 256;

    static final class Abandoned extends UploadFailure {
        Abandoned(int status, String message) {
            super(status, message);
        }
    }

    private B3lbProtocol() {
    }

    /** The command that packs a meeting's published recording, writes its meta.xml and marker anew. */
    static String rerun(String id) {
        return HookCommand.mark(Protocol.B3LB, id);
    }

    /** Before every attempt: the nonce read at the start as the query, after the endpoint's own. */
    static void query(Exchange exchange, String nonce, URI endpoint) {
        String own = endpoint.getRawQuery();
        exchange.getIn().setHeader(Exchange.HTTP_QUERY, (own == null || own.isEmpty() ? "" : own + "&")
                + "nonce=" + PercentCodec.encode(nonce, StandardCharsets.UTF_8)); // RFC 3986: all but unreserved encoded
    }

    /**
     * The marker's first line, read without following a link (a planted link must not send another
     * file's first line to B3LB); the caller's lstat saw a regular file, so the open cannot block on
     * a FIFO. Never logged: it lets anyone who has it upload into the meeting's record set.
     *
     * @throws UploadFailure.Permanent naming the marker and the fix, when it holds no valid nonce
     */
    static String nonce(RecordingFiles r) throws UploadFailure.Permanent, IOException {
        byte[] head;
        try (InputStream in = Files.newInputStream(r.marker(), LinkOption.NOFOLLOW_LINKS)) {
            head = in.readNBytes(NONCE_READ_AT_MOST);
        } catch (NoSuchFileException gone) {
            throw gone; // taken by another run since the poll: transient, the next poll sees it gone
        } catch (IOException e) {
            throw new UploadFailure.Permanent(0, "cannot read the nonce from " + r.marker() + " (" + e
                    + "): it must be a regular file (not a link) the service's user can read; re-run the hook for this "
                    + "meeting: " + rerun(r.id()));
        }
        String text = new String(head, StandardCharsets.ISO_8859_1);
        int nl = text.indexOf('\n');
        String line = nl >= 0 ? text.substring(0, nl) : text;
        if (line.endsWith("\r")) {
            line = line.substring(0, line.length() - 1);
        }
        if (!NONCE.matcher(line).matches()) {
            String what = head.length == 0 ? "is empty (a marker of b3lb.protocol=spec?)"
                    : "does not start with a B3LB nonce (1-100 of A-Z a-z 0-9 ! @ * ( ) - _, then a line break)";
            throw new UploadFailure.Permanent(0, r.marker() + " " + what + ", and B3LB takes no recording without "
                    + "the nonce of its record set; re-run the hook for this meeting, which packs the published recording "
                    + "and writes the marker anew: " + rerun(r.id()));
        }
        return line;
    }

    /**
     * @param body    the answer's body as received (B3LB's view answers without one)
     * @param snippet its first line for the log, secret masked
     * @return the failure for an answer B3LB's upload view gives a meaning to, null for the general rules
     */
    static UploadFailure failure(RecordingFiles r, int status, String body, String snippet, URI endpoint) {
        boolean uploadPath = UPLOAD_PATH.matcher(path(endpoint)).matches();
        String http = "HTTP " + status + snippet + ": ";
        Path meta = r.meta();
        return switch (status) {
            case 400 -> new UploadFailure.Permanent(status, http + "B3LB refused the upload as malformed: missing "
                    + "nonce/file/meta or bad metadata.xml (" + meta + " must have the root <recording>); "
                    + (uploadPath ? "see B3LB's log, fix the file or re-run the hook: " + B3lbProtocol.rerun(r.id()) : ENDPOINT));
            case 500 -> new UploadFailure.Permanent(status, http + "B3LB failed parsing metadata.xml (" + meta
                    + " is not XML, or its <meta>, <meeting> or <participants> is not what BBB writes), or failed otherwise: "
                    + "see B3LB's log, fix the file or re-run the hook: " + B3lbProtocol.rerun(r.id()));
            case 403 -> breakout(meta)
                    ? new Abandoned(status, http + "a breakout room recording (isBreakout=true in " + meta.getFileName()
                            + "), which B3LB 3.x does not take")
                    : new UploadFailure.Permanent(status, http + "B3LB answers 403 to every backend path but "
                            + "record/upload (and to breakout room recordings, which this is not): " + ENDPOINT);
            case 404 -> uploadPath && (body == null || body.isEmpty())
                    ? new Abandoned(status, http + "B3LB no longer knows this recording's record set: the meeting "
                            + "ended without recording marks, so B3LB deleted it")
                    : new UploadFailure.Permanent(status, http + "no B3LB upload view there (B3LB's own 404 has no "
                            + "body): " + ENDPOINT);
            case 401 -> new UploadFailure.Permanent(status, http + "B3LB 3.x asks for no credentials, so something "
                    + "in front of it refused: " + ENDPOINT + ", or that proxy's configuration");
            case 405 -> new UploadFailure.Permanent(status, http + "a B3LB backend path that takes no POST: " + ENDPOINT);
            default -> null;
        };
    }

    /** Under spec: a B3LB backend path answering 400, 403 or 405 without a body is most likely a B3LB 3.x. */
    static String specHint(int status, URI endpoint, String body) {
        String hint = FailureClassifier.hint(status);
        if (!BACKEND_PATH.matcher(path(endpoint)).matches() || status != 400 && status != 403 && status != 405
                || body != null && !body.isEmpty()) {
            return hint;
        }
        return "if this is a stock B3LB 3.x (the path looks like one), it speaks its own upload protocol: set "
                + "b3lb.protocol=b3lb and b3lb.upload.endpoint=https://<b3lb-host>/b3lb/b/record/upload; otherwise: " + hint;
    }

    /** Removes the marker, keeps the tar with retention counted from now, so an admin has the full period to look. */
    static void abandon(Abandoned a, RecordingFiles r, UploadMetrics metrics, RecordingSchedule schedule) {
        try {
            Files.getFileAttributeView(r.tar(), BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                    .setTimes(FileTime.from(Instant.now()), null, null);
        } catch (IOException e) {
            LOG.debug("{}: cannot touch {}: {}", r.id(), r.tar(), e.toString());
        }
        try {
            Files.deleteIfExists(r.marker());
        } catch (IOException e) {
            Duration wait = schedule.rejected(r.id(), a.getMessage(), 0);
            metrics.abandoned();
            LOG.error("{}: {}; but cannot delete {} ({}): it is sent again in {} unless the service's user may delete "
                    + "files in {}", r.id(), a.getMessage(), r.marker(), e.toString(), Sizes.duration(wait), r.marker().getParent());
            return;
        }
        schedule.forget(r.id());
        metrics.abandoned();
        LOG.warn("{}: {}; that will not change, so {} is removed and {} kept for the cleanup (b3lb.cleaner.retention-days "
                + "from now)", r.id(), a.getMessage(), r.marker().getFileName(), r.tar().getFileName());
    }

    private static boolean breakout(Path meta) {
        if (!Files.isRegularFile(meta, LinkOption.NOFOLLOW_LINKS)) {
            return false; // a FIFO swapped in would block the open: unknown, keep the marker
        }
        try (InputStream in = Files.newInputStream(meta, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            return BREAKOUT.matcher(new String(in.readNBytes(META_READ), StandardCharsets.UTF_8)).find();
        } catch (IOException e) {
            return false; // unknown: keep the marker
        }
    }

    private static String path(URI endpoint) {
        return Objects.toString(endpoint.getPath(), "");
    }
}
