package org.b3lb.node.upload;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.util.regex.Pattern;
import org.apache.camel.Exchange;
import org.apache.hc.core5.net.PercentCodec;
import org.b3lb.node.config.Protocol;
import org.b3lb.node.layout.HookCommand;
import org.b3lb.node.layout.RecordingFiles;

/**
 * The request of {@code b3lb.protocol=b3lb}, as B3LB 3.x's pusher sends it (scripts/bbb/push/b3lb-push):
 * {@code POST <endpoint>?nonce=<nonce>} with the parts {@code file} (the tar) and {@code meta} (its
 * metadata.xml), no secret. The nonce, the record set's credential, is the marker's first line; it
 * goes in {@link Exchange#HTTP_QUERY}, which replaces the endpoint's query, so that query is kept in front.
 */
final class B3lbRequest {

    /** B3LB's NONCE_CHAR_POOL (b3lb/rest/b3lb/constants.py), 64 long there; the hook's VALID_NONCE. */
    private static final Pattern NONCE = Pattern.compile("[A-Za-z0-9!@*()_-]{1,100}");
    /** A nonce line is at most 100 characters plus a line break; more is not a marker the hook wrote. */
    private static final int NONCE_READ_AT_MOST = 256;

    private B3lbRequest() {
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
}
