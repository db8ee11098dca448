package org.b3lb.node.migrate;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.b3lb.node.layout.RecordingLayout;

/**
 * Every recording in B3LB's queue becomes a b3lb-node recording ({@link RecordingConverter});
 * then, after the queue file was copied to the backup, exactly the rows of the recordings that
 * were converted (or already were) are deleted. A row that cannot be converted stays, named with
 * its reason, for the next run.
 */
final class QueueTakeover {

    /** B3LB's NONCE_CHAR_POOL, as the hook checks it (VALID_NONCE). */
    private static final Pattern NONCE = Pattern.compile("[A-Za-z0-9!@*()_-]{1,100}");

    private record Recording(String mid, String nonce, List<Long> rowids, boolean done) {
    }

    private final NodeRoot root;
    private final BacklogQueue queue;
    private final Path queueFile;
    private final RecordingConverter converter;
    private final List<Recording> recordings = new ArrayList<>();

    QueueTakeover(NodeRoot root, Path queueFile, RecordingConverter converter) {
        this.root = root;
        this.queueFile = queueFile;
        this.queue = new BacklogQueue(queueFile);
        this.converter = converter;
    }

    void plan(Report r) {
        if (!Files.exists(queueFile)) {
            r.found("B3LB's queue " + root.shown(queueFile) + ": absent, nothing queued");
            return;
        }
        List<BacklogQueue.Row> rows;
        try {
            rows = queue.rows();
        } catch (IOException e) {
            r.failed(e.getMessage());
            return;
        }
        r.found("B3LB's queue " + root.shown(queueFile) + ": " + rows.size() + " row(s) waiting for upload");
        Map<String, List<BacklogQueue.Row>> byMid = new LinkedHashMap<>();
        for (BacklogQueue.Row row : rows) {
            if (row.mid() == null || !RecordingLayout.validId(row.mid()) || row.mid().equals(".") || row.mid().equals("..")) {
                r.failed("queue row " + row.rowid() + " (mid " + show(row.mid()) + "): not a recording id; row kept");
            } else if (row.nonce() == null || !NONCE.matcher(row.nonce()).matches()) {
                r.failed("queue row " + row.rowid() + " (" + row.mid() + "): its nonce is not one of B3LB's (1-100 of A-Z a-z 0-9 "
                        + "! @ * ( ) - _); row kept");
            } else {
                byMid.computeIfAbsent(row.mid(), k -> new ArrayList<>()).add(row);
            }
        }
        for (Map.Entry<String, List<BacklogQueue.Row>> e : byMid.entrySet()) {
            planOne(e.getKey(), e.getValue(), r);
        }
    }

    private void planOne(String mid, List<BacklogQueue.Row> rows, Report r) {
        String nonce = rows.get(0).nonce();
        List<Long> ids = rows.stream().map(BacklogQueue.Row::rowid).toList();
        if (rows.stream().anyMatch(x -> !x.nonce().equals(nonce))) {
            r.failed(mid + ": the queue holds " + rows.size() + " rows with different nonces for it; B3LB knows one of them: "
                    + "delete the wrong row (sqlite3 " + root.shown(queueFile) + ") and run migrate again; rows kept");
            return;
        }
        try {
            String already = converter.alreadyDone(mid, nonce);
            if (already != null) {
                recordings.add(new Recording(mid, nonce, ids, true));
                r.plan("remove " + mid + " from B3LB's queue: " + already);
                return;
            }
        } catch (IOException e) {
            r.failed(mid + ": cannot read its files in the recording directory: " + e.getMessage() + "; row kept");
            return;
        }
        String missing = converter.missingSource(mid);
        if (missing != null) {
            r.failed(mid + ": " + missing + " (or, if B3LB has it already, delete its row: sqlite3 " + root.shown(queueFile)
                    + " \"DELETE FROM backlog WHERE mid='" + mid + "'\"); row kept");
            return;
        }
        recordings.add(new Recording(mid, nonce, ids, false));
        r.plan("convert queued recording " + mid + " into a b3lb-node recording and remove its row from B3LB's queue");
    }

    void apply(Backup backup, Report r) {
        List<Long> gone = new ArrayList<>();
        for (Recording rec : recordings) {
            if (rec.done()) {
                gone.addAll(rec.rowids());
                continue;
            }
            try {
                String how = converter.convert(rec.mid(), rec.nonce());
                gone.addAll(rec.rowids());
                r.done("converted " + rec.mid() + " (" + how + ")");
            } catch (IOException | RuntimeException e) {
                r.failed(rec.mid() + ": not converted: " + e.getMessage() + "; row kept");
            }
        }
        try {
            converter.cleanUp();
        } catch (IOException e) {
            r.note("could not remove the staging directory " + RecordingConverter.STAGING + ": " + e.getMessage());
        }
        if (gone.isEmpty()) {
            return;
        }
        try {
            Path copy = backup.copy(queueFile);
            int n = queue.delete(gone);
            r.done("removed " + n + " row(s) from B3LB's queue " + root.shown(queueFile) + " (its copy before: " + copy + ")");
        } catch (IOException e) {
            r.failed("cannot remove the converted rows from " + root.shown(queueFile) + ": " + e.getMessage()
                    + "; they are b3lb-node recordings now and B3LB's units are stopped, so nothing uploads twice");
        }
    }

    private static String show(String s) {
        return s == null ? "NULL" : "'" + org.b3lb.node.layout.RecordingFiles.printable(s.length() > 80 ? s.substring(0, 80) + "..." : s) + "'";
    }
}
