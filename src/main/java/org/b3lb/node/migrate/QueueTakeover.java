package org.b3lb.node.migrate;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.b3lb.node.layout.RecordingLayout;

/**
 * Every recording in B3LB's queue becomes a b3lb-node recording ({@link RecordingConverter});
 * then, after the queue file was copied to the backup, exactly the rows of the recordings that
 * were converted (or already were) are deleted. A row that cannot be converted stays, named with
 * its reason, for the next run.
 *
 * <p>B3LB's queue is the SQLite file its hook fills and its b3lb-push drains ({@code backlog(mid, nonce)},
 * one row per published recording, ROWID as b3lb-push deletes by). Read and trimmed with python3's
 * own sqlite3 module, the one b3lb-push uses: wherever this queue exists, that reader exists too,
 * while a JDBC driver would add its native libraries for every platform to every node's jar for a
 * one-time takeover. Values travel hex-encoded, so no mid or nonce can break a line.
 */
final class QueueTakeover {

    /** B3LB's NONCE_CHAR_POOL, as the hook checks it (VALID_NONCE). */
    private static final Pattern NONCE = Pattern.compile("[A-Za-z0-9!@*()_-]{1,100}");

    /** One row of the queue; mid or nonce null when the column was NULL. */
    private record Row(long rowid, String mid, String nonce) {
    }

    private static final String READ = String.join("\n",
            "import pathlib, sqlite3, sys",
            "db = sqlite3.connect(pathlib.Path(sys.argv[1]).absolute().as_uri() + '?mode=ro', uri=True, timeout=30)",
            "if db.execute(\"SELECT 1 FROM sqlite_master WHERE type='table' AND name='backlog'\").fetchone() is None:",
            "    sys.exit(0)",
            "h = lambda v: '-' if v is None else str(v).encode('utf-8', 'surrogateescape').hex()",
            "for rowid, mid, nonce in db.execute('SELECT ROWID, mid, nonce FROM backlog ORDER BY ROWID'):",
            "    print(rowid, h(mid), h(nonce))");

    private static final String DELETE = String.join("\n",
            "import sqlite3, sys",
            "db = sqlite3.connect(sys.argv[1], timeout=30)",
            "ids = [(int(l),) for l in sys.stdin.read().split()]",
            "with db:",
            "    n = db.executemany('DELETE FROM backlog WHERE ROWID=?', ids).rowcount",
            "print(n)");

    /** The distribution's python3 (B3LB's units find it on PATH, which on a node is this one); PATH's elsewhere. */
    private static final String PYTHON = Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";

    private record Recording(String mid, String nonce, List<Long> rowids, boolean done) {
    }

    private final NodeRoot root;
    private final Path queueFile;
    private final RecordingConverter converter;
    private final List<Recording> recordings = new ArrayList<>();

    QueueTakeover(NodeRoot root, Path queueFile, RecordingConverter converter) {
        this.root = root;
        this.queueFile = queueFile;
        this.converter = converter;
    }

    void plan(Report r) {
        if (!Files.exists(queueFile)) {
            r.found("B3LB's queue " + root.shown(queueFile) + ": absent, nothing queued");
            return;
        }
        List<Row> rows;
        try {
            rows = rows();
        } catch (IOException e) {
            r.failed(e.getMessage());
            return;
        }
        r.found("B3LB's queue " + root.shown(queueFile) + ": " + rows.size() + " row(s) waiting for upload");
        Map<String, List<Row>> byMid = new LinkedHashMap<>();
        for (Row row : rows) {
            if (row.mid() == null || !RecordingLayout.validId(row.mid()) || row.mid().equals(".") || row.mid().equals("..")) {
                r.failed("queue row " + row.rowid() + " (mid " + show(row.mid()) + "): not a recording id; row kept");
            } else if (row.nonce() == null || !NONCE.matcher(row.nonce()).matches()) {
                r.failed("queue row " + row.rowid() + " (" + row.mid() + "): its nonce is not one of B3LB's (1-100 of A-Z a-z 0-9 "
                        + "! @ * ( ) - _); row kept");
            } else {
                byMid.computeIfAbsent(row.mid(), k -> new ArrayList<>()).add(row);
            }
        }
        for (Map.Entry<String, List<Row>> e : byMid.entrySet()) {
            planOne(e.getKey(), e.getValue(), r);
        }
    }

    private void planOne(String mid, List<Row> rows, Report r) {
        String nonce = rows.get(0).nonce();
        List<Long> ids = rows.stream().map(Row::rowid).toList();
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
            int n = delete(gone);
            r.done("removed " + n + " row(s) from B3LB's queue " + root.shown(queueFile) + " (its copy before: " + copy + ")");
        } catch (IOException e) {
            r.failed("cannot remove the converted rows from " + root.shown(queueFile) + ": " + e.getMessage()
                    + "; they are b3lb-node recordings now and B3LB's units are stopped, so nothing uploads twice");
        }
    }

    private static String show(String s) {
        return s == null ? "NULL" : "'" + org.b3lb.node.layout.RecordingFiles.printable(s.length() > 80 ? s.substring(0, 80) + "..." : s) + "'";
    }

    private List<Row> rows() throws IOException {
        return python(READ, "").lines().map(l -> l.trim().split(" ")).filter(f -> f.length == 3)
                .map(f -> new Row(Long.parseLong(f[0]), unhex(f[1]), unhex(f[2]))).toList();
    }

    /** Deletes exactly these rows in one transaction. @return how many went */
    private int delete(List<Long> rowids) throws IOException {
        return Integer.parseInt(python(DELETE, rowids.stream().map(String::valueOf).collect(Collectors.joining("\n"))).trim());
    }

    private static String unhex(String v) {
        return v.equals("-") ? null : new String(HexFormat.of().parseHex(v), StandardCharsets.UTF_8);
    }

    private String python(String script, String stdin) throws IOException {
        SystemCommands.Result res;
        try {
            res = SystemCommands.exec(new ProcessBuilder(PYTHON, "-c", script, queueFile.toString()), stdin, 60);
        } catch (IOException e) {
            throw new IOException("python3 is needed to read B3LB's SQLite queue (B3LB's b3lb-push needs it too) and "
                    + "was not found: apt-get install python3, then run migrate again");
        }
        if (!res.ok()) {
            throw new IOException("cannot read B3LB's queue " + queueFile + ": " + res.lastLine());
        }
        return res.out();
    }
}
