package org.b3lb.node.upload;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.regex.Pattern;

/**
 * B3LB's record-set nonce as the hook leaves it in {@code <id>.ready} (under
 * {@code b3lb.protocol=b3lb}): the first line of the marker. B3LB takes it from the query string,
 * so it is percent-encoded for {@code ?nonce=}.
 */
record Nonce(String value) {

    /** B3LB's NONCE_CHAR_POOL (b3lb/rest/b3lb/constants.py), 64 long there; the hook's VALID_NONCE. */
    static final Pattern VALID = Pattern.compile("[A-Za-z0-9!@*()_-]{1,100}");
    /** A nonce line is at most 100 characters plus a line break; more is not a marker the hook wrote. */
    static final int READ_AT_MOST = 256;

    /**
     * Reads the marker without following a link (a planted link must not send another file's first
     * line to B3LB) and at most {@link #READ_AT_MOST} bytes of it.
     *
     * @throws UploadFailure.Permanent naming the marker and the fix, when it holds no valid nonce
     */
    static Nonce read(Recording r) throws UploadFailure.Permanent, IOException {
        ByteBuffer buf = ByteBuffer.allocate(READ_AT_MOST);
        try (SeekableByteChannel ch = Files.newByteChannel(r.marker(), StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            while (buf.hasRemaining() && ch.read(buf) >= 0) {
                // the marker is a few bytes: read until full or at its end
            }
        } catch (NoSuchFileException gone) {
            throw gone; // taken by another run since the poll: transient, the next poll sees it gone
        } catch (IOException e) {
            throw new UploadFailure.Permanent(r.id(), 0, "cannot read the nonce from " + r.marker() + " (" + e
                    + "): it must be a regular file (not a link) the service's user can read; re-run the hook for this "
                    + "meeting: " + B3lbRequest.rerun(r.id()));
        }
        String text = new String(buf.array(), 0, buf.position(), StandardCharsets.ISO_8859_1);
        int nl = text.indexOf('\n');
        String line = nl >= 0 ? text.substring(0, nl) : text;
        if (line.endsWith("\r")) {
            line = line.substring(0, line.length() - 1);
        }
        if (!VALID.matcher(line).matches()) {
            String what = buf.position() == 0 ? "is empty (a marker of b3lb.protocol=spec?)"
                    : "does not start with a B3LB nonce (1-100 of A-Z a-z 0-9 ! @ * ( ) - _, then a line break)";
            throw new UploadFailure.Permanent(r.id(), 0, r.marker() + " " + what + ", and B3LB takes no recording without "
                    + "the nonce of its record set; re-run the hook for this meeting, which packs the published recording "
                    + "and writes the marker anew: " + B3lbRequest.rerun(r.id()));
        }
        return new Nonce(line);
    }

    /** {@code nonce=<value>} with every byte outside RFC 3986's unreserved set percent-encoded. */
    String query() {
        StringBuilder sb = new StringBuilder("nonce=");
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~') {
                sb.append((char) c);
            } else {
                sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return sb.toString();
    }

    /**
     * The nonce lets anyone who has it upload into the meeting's record set, so our log lines leave
     * it out; it travels in a URL (B3LB's choice), which the HTTP client logs at DEBUG.
     */
    @Override
    public String toString() {
        return "Nonce[(hidden)]";
    }
}
