package org.b3lb.node.migrate;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Collectors;

/**
 * B3LB's queue, the SQLite file its hook fills and its b3lb-push drains ({@code backlog(mid, nonce)},
 * one row per published recording, ROWID as b3lb-push deletes by). Read and trimmed with python3's
 * own sqlite3 module, the one b3lb-push uses: wherever this queue exists, that reader exists too,
 * while a JDBC driver would add its native libraries for every platform to every node's jar for a
 * one-time takeover. Values travel hex-encoded, so no mid or nonce can break a line.
 */
final class BacklogQueue {

    /** One row; mid or nonce null when the column was NULL. */
    record Row(long rowid, String mid, String nonce) {
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
    private static final String PYTHON = java.nio.file.Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";

    private final Path file;

    BacklogQueue(Path file) {
        this.file = file;
    }

    List<Row> rows() throws IOException {
        return python(READ, "").lines().map(l -> l.trim().split(" ")).filter(f -> f.length == 3)
                .map(f -> new Row(Long.parseLong(f[0]), unhex(f[1]), unhex(f[2]))).toList();
    }

    /** Deletes exactly these rows in one transaction. @return how many went */
    int delete(List<Long> rowids) throws IOException {
        return Integer.parseInt(python(DELETE, rowids.stream().map(String::valueOf).collect(Collectors.joining("\n"))).trim());
    }

    private static String unhex(String v) {
        return v.equals("-") ? null : new String(HexFormat.of().parseHex(v), StandardCharsets.UTF_8);
    }

    private String python(String script, String stdin) throws IOException {
        SystemCommands.Result res;
        try {
            res = SystemCommands.exec(new ProcessBuilder(PYTHON, "-c", script, file.toString()), stdin, 60);
        } catch (IOException e) {
            throw new IOException("python3 is needed to read B3LB's SQLite queue (B3LB's b3lb-push needs it too) and "
                    + "was not found: apt-get install python3, then run migrate again");
        }
        if (!res.ok()) {
            throw new IOException("cannot read B3LB's queue " + file + ": " + res.lastLine());
        }
        return res.out();
    }
}
