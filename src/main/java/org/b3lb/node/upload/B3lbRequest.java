package org.b3lb.node.upload;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import org.apache.camel.Exchange;

/**
 * The request of {@code b3lb.protocol=b3lb}, as B3LB 3.x's own pusher sends it
 * (scripts/bbb/push/b3lb-push): {@code POST <endpoint>?nonce=<nonce>} with the FILE parts
 * {@code file} ({@code <id>.tar}, the published presentation) and {@code meta}
 * ({@code <id>.meta.xml}, its metadata.xml), no secret needed. The nonce goes in camel-http's
 * {@link Exchange#HTTP_QUERY} header, which replaces the endpoint's query, so the endpoint's own
 * query is kept in front of it.
 */
final class B3lbRequest {

    static final String META_SUFFIX = ".meta.xml";
    /** Where the package installs the hook for b3lb.protocol=b3lb. */
    static final String HOOK = "/usr/local/bigbluebutton/core/scripts/post_publish/b3lb-push-hook.rb";

    private B3lbRequest() {
    }

    /** The command that packs a meeting's published recording, writes its meta.xml and marker anew. */
    static String rerun(String id) {
        return "sudo -u bigbluebutton ruby " + HOOK + " -m " + id + " -f presentation";
    }

    static Path meta(Recording r) {
        return r.tar().resolveSibling(r.id() + META_SUFFIX);
    }

    /**
     * Reads the nonce, checks the metadata file like the tar (no link followed, a regular file),
     * sets the query and returns the body. Run before every attempt, like the spec's body.
     *
     * @param tarSize the tar's size, checked by the caller without following links
     * @throws UploadFailure.Permanent when the marker holds no nonce or the metadata file is missing
     *                                 or not a regular file: the marker stays until an admin re-runs the hook
     */
    static MultipartTarEntity entity(Exchange exchange, Recording r, long tarSize, String field, URI endpoint)
            throws UploadFailure.Permanent, IOException {
        Nonce nonce = Nonce.read(r);
        Path meta = meta(r);
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(meta, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            throw new UploadFailure.Permanent(r.id(), 0, "no " + meta.getFileName() + " beside " + r.tar().getFileName()
                    + ": the hook writes it before the marker, so it was removed since, and B3LB takes no recording "
                    + "without its metadata.xml; re-run the hook for this meeting: " + rerun(r.id()));
        }
        if (!a.isRegularFile()) {
            throw new UploadFailure.Permanent(r.id(), 0, meta + " is " + (a.isSymbolicLink() ? "a symbolic link" : "not a regular file")
                    + "; refusing to send it: remove it and re-run the hook for this meeting: " + rerun(r.id()));
        }
        String own = endpoint.getRawQuery();
        exchange.getIn().setHeader(Exchange.HTTP_QUERY, own == null || own.isEmpty() ? nonce.query() : own + "&" + nonce.query());
        UploadProgress progress = new UploadProgress(r, tarSize + a.size());
        return MultipartTarEntity.of(List.of(
                new MultipartTarEntity.Part(field, r.fileName(), "application/x-tar", r.tar(), tarSize),
                new MultipartTarEntity.Part("meta", "metadata.xml", "application/xml", meta, a.size())), progress);
    }
}
