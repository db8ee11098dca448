package org.b3lb.node.migrate;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A BBB node under a temporary root: b3lb-node installed (its config file, empty secret file and
 * hook, as the package installs them), plus B3LB's node scripts or the spec's scripts placed
 * exactly where their READMEs put them. The texts are the scripts' own, cut to the lines that
 * matter here (paths, settings, the words migrate tells them apart by).
 */
public final class OldNode {

    public static final String POST_PUBLISH = "/usr/local/bigbluebutton/core/scripts/post_publish";
    public static final String POST_ARCHIVE = "/usr/local/bigbluebutton/core/scripts/post_archive";
    public static final String ARCHIVED = "/var/bigbluebutton/recording/status/archived";
    public static final String PUBLISHED = "/var/bigbluebutton/published/presentation";
    public static final String RAW = "/var/bigbluebutton/recording/raw";
    public static final String QUEUE = "/var/bigbluebutton/b3lb/push-queue.db";
    /** Our hook under a name of its own: BBB runs every *.rb there. */
    public static final String OUR_HOOK = POST_PUBLISH + "/b3lb-node-push-hook.rb";
    /** Our snippet under a name of its own, beside the old one: BBB's nginx includes every *.nginx there. */
    public static final String OUR_SNIPPET = "/etc/bigbluebutton/nginx/b3lb-node-load.nginx";

    public static final String PYTHON = Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";

    public final Path root;

    public OldNode(Path root) throws IOException {
        this.root = root;
        write("/etc/b3lb-node/application.properties", Files.readString(Path.of("config/application.properties")));
        write("/etc/b3lb-node/secret", "");
        write(OUR_HOOK, Files.readString(Path.of("src/main/bbb/b3lb-push-hook.rb")));
        write(OUR_SNIPPET, Files.readString(Path.of("nginx/b3lb-node-load.nginx")));
        Files.createDirectories(at(ARCHIVED));
    }

    public Path at(String abs) {
        return root.resolve(abs.substring(1));
    }

    public Path write(String abs, String text) throws IOException {
        Path p = at(abs);
        Files.createDirectories(p.getParent());
        return Files.writeString(p, text, StandardCharsets.UTF_8);
    }

    /** B3LB 3.3's scripts/bbb, as load/README.md, push/README.md and cleaner/README.md place them. */
    public void b3lbScripts(String baseDomain) throws IOException {
        write("/etc/bigbluebutton/nginx/b3lb-load.nginx", "# B3LB - BigBlueButton Load Balancer\n\nlocation /b3lb/load {\n"
                + "    alias /run/b3lb/load;\n    default_type text/plain;\n}\n");
        write("/run/b3lb/load", "4711\n"); // b3lb-load's figure, rewritten every 10 s while it runs
        write("/usr/local/lib/b3lb/b3lb-load", "#!/usr/bin/env python3\nwith open('/run/b3lb/load.new', 'w') as f:\n    pass\n");
        write("/etc/systemd/system/b3lb-load.service", "[Unit]\nDescription=Dumps the server load periodically at /run/b3lb/load.\n\n"
                + "[Service]\nType=simple\nExecStart=/usr/bin/env python3 /usr/local/lib/b3lb/b3lb-load\n\n[Install]\nWantedBy=multi-user.target\n");
        write(POST_PUBLISH + "/b3lb-push-hook.rb", "#!/usr/bin/ruby\n# encoding: UTF-8\nrequire \"optimist\"\nrequire \"java_properties\"\n"
                + "require \"sqlite3\"\nproperties_fn = \"/etc/b3lb/push.properties\"\n"
                + "    db.execute \"CREATE TABLE IF NOT EXISTS backlog (mid varchar(64), nonce varchar(64))\"\n"
                + "    db.execute \"INSERT INTO backlog (mid, nonce) VALUES (?, ?)\", meeting_id, nonce\nexit 0\n");
        write("/usr/local/lib/b3lb/b3lb-push", "#!/usr/bin/env python3\nCONFIG_FILENAME = \"/etc/b3lb/push.properties\"\n"
                + "        \"{}b3lb/b/record/upload\".format(B3LB_BASE_DOMAIN),\n");
        write("/etc/b3lb/push.properties", "# where to find the b3lb backend API\nb3lbBaseDomain=" + baseDomain + "\n\n"
                + "# published folder of BBB\npublishedFolder=/var/bigbluebutton/published/presentation\n\n"
                + "# backlog queue (SQLite3)\nqueueDirname=/var/bigbluebutton/b3lb\nqueueFilename=push-queue.db\n\n"
                + "# tag used as identification & authorization in uploads\nnonceMetaTag=b3lb-recordset\n");
        write("/etc/systemd/system/b3lb-push.service", "[Unit]\nDescription=uploading bbb recordings to the b3lb backend\n\n"
                + "[Service]\nType=simple\nUser=bigbluebutton\nGroup=bigbluebutton\n"
                + "ExecStart=/usr/bin/env python3 /usr/local/lib/b3lb/b3lb-push\n\n[Install]\nWantedBy=multi-user.target\n");
        write("/etc/systemd/system/b3lb-push.path", "[Unit]\nDescription=triggering b3lb-push by filesystem changes\n\n"
                + "[Path]\nPathChanged=/var/bigbluebutton/published/presentation\nTriggerLimitIntervalSec=0\n\n"
                + "[Install]\nWantedBy=multi-user.target\n");
        write("/etc/systemd/system/b3lb-push.timer", "[Unit]\nDescription=triggering b3lb-push regulary\n\n"
                + "[Timer]\nOnBootSec=60min\nOnUnitInactiveSec=60min\n\n[Install]\nWantedBy=timers.target\n");
        write("/opt/b3lb/scripts/cleaner.py", "#!/usr/bin/env python3\nMEETING_TIMEOUT = timedelta(hours=12)\n");
        write("/etc/systemd/system/b3lb-cleaner.service", "[Unit]\nDescription=BBB meetings cleanup\n\n[Service]\nType=oneshot\n"
                + "ExecStart=/opt/b3lb/scripts/cleaner.py\n");
        write("/etc/systemd/system/b3lb-cleaner.timer", "[Unit]\nDescription=daily BBB meetings cleanup\n\n[Timer]\nOnCalendar=05:00\n\n"
                + "[Install]\nWantedBy=multi-user.target\n");
    }

    /** node-scripts.md's scripts as its Installation sections place them, configured as its install script does. */
    public void specScripts(String endpoint, String secret, int retentionDays) throws IOException {
        write("/usr/local/bin/b3lb-load", "#!/usr/bin/env python3\nPORT = 8765\n");
        write("/etc/systemd/system/b3lb-load.service", "[Unit]\nDescription=B3LB Load Endpoint\nAfter=network.target\n\n[Service]\n"
                + "Type=simple\nUser=bigbluebutton\nExecStart=/usr/local/bin/b3lb-load\nRestart=on-failure\nRestartSec=5s\n\n"
                + "[Install]\nWantedBy=multi-user.target\n");
        write("/etc/bigbluebutton/nginx/b3lb-load.nginx", "location /b3lb/load {\n    proxy_pass http://127.0.0.1:8765/;\n"
                + "    proxy_set_header Host $host;\n    proxy_set_header X-Real-IP $remote_addr;\n\n    allow 10.0.0.0/8;\n"
                + "    allow 172.16.0.0/12;\n    allow 192.168.0.0/16;\n    deny all;\n}\n");
        write(POST_ARCHIVE + "/b3lb-push-hook.rb", "#!/usr/bin/ruby\n# B3LB Post-Archive Hook\nrequire 'fileutils'\n\nmeeting_id = ARGV[0]\n"
                + "recording_dir = \"/var/bigbluebutton/recording/status/archived\"\nmarker_file = File.join(recording_dir, "
                + "\"#{meeting_id}.ready\")\nFileUtils.touch(marker_file)\nputs \"B3LB: Marked recording #{meeting_id} for upload\"\nexit 0\n");
        write("/usr/local/bin/b3lb-push", "#!/bin/bash\n# B3LB Recording Upload Script\nset -e\n\n# Configuration\n"
                + "B3LB_ENDPOINT=\"" + endpoint + "\"\nB3LB_NODE_SECRET=\"" + secret + "\"\n"
                + "B3LB_RECORDING_DIR=\"/var/bigbluebutton/recording/status/archived\"\n\n"
                + "for marker in \"$B3LB_RECORDING_DIR\"/*.ready; do\n    [ -e \"$marker\" ] || continue\ndone\n");
        write("/etc/systemd/system/b3lb-push.service", "[Unit]\nDescription=B3LB Recording Upload\nAfter=network.target\n\n[Service]\n"
                + "Type=oneshot\nExecStart=/usr/local/bin/b3lb-push\nUser=bigbluebutton\n\n[Install]\nWantedBy=multi-user.target\n");
        write("/etc/systemd/system/b3lb-push.timer", "[Unit]\nDescription=B3LB Recording Upload Timer\nRequires=b3lb-push.service\n\n"
                + "[Timer]\nOnBootSec=5min\nOnUnitActiveSec=5min\n\n[Install]\nWantedBy=timers.target\n");
        write("/usr/local/bin/b3lb-cleaner", "#!/usr/bin/env python3\nimport os\n\n# Configuration\n"
                + "RECORDING_DIR = \"/var/bigbluebutton/recording/status/archived\"\nRETENTION_DAYS = " + retentionDays
                + "\nDRY_RUN = False\n");
        write("/etc/systemd/system/b3lb-cleaner.service", "[Unit]\nDescription=B3LB Recording Cleaner\nAfter=network.target\n\n"
                + "[Service]\nType=oneshot\nExecStart=/usr/local/bin/b3lb-cleaner\nUser=bigbluebutton\n\n[Install]\nWantedBy=multi-user.target\n");
        write("/etc/systemd/system/b3lb-cleaner.timer", "[Unit]\nDescription=B3LB Recording Cleaner Timer\nRequires=b3lb-cleaner.service\n\n"
                + "[Timer]\nOnCalendar=daily\nOnCalendar=03:00\nPersistent=true\n\n[Install]\nWantedBy=timers.target\n");
    }

    /** B3LB's queue as its hook creates and fills it, through python3's sqlite3 (B3LB's own schema). */
    public void queue(List<String[]> midNonce) throws Exception {
        Files.createDirectories(at(QUEUE).getParent());
        StringBuilder rows = new StringBuilder();
        for (String[] r : midNonce) {
            rows.append(r[0]).append('\t').append(r[1]).append('\n');
        }
        sh(rows.toString(), PYTHON, "-c", "import sqlite3, sys\ndb = sqlite3.connect(sys.argv[1])\n"
                + "db.execute('CREATE TABLE IF NOT EXISTS backlog (mid varchar(64), nonce varchar(64))')\n"
                + "for line in sys.stdin.read().splitlines():\n    m, n = line.split('\\t')\n"
                + "    db.execute('INSERT INTO backlog (mid, nonce) VALUES (?, ?)', (m, n))\ndb.commit()\n", at(QUEUE).toString());
    }

    /** The queue's rows as "mid nonce" lines, in ROWID order. */
    public List<String> queueRows(Path file) throws Exception {
        return sh("", PYTHON, "-c", "import sqlite3, sys\nfor m, n in sqlite3.connect(sys.argv[1]).execute("
                + "'SELECT mid, nonce FROM backlog ORDER BY ROWID'):\n    print(m, n)\n", file.toString()).lines().toList();
    }

    /** published/presentation/<mid>/ as BBB publishes it; the nonce in metadata.xml's meta when given. */
    public Path published(String mid, String metaNonce) throws IOException {
        Path d = Files.createDirectories(at(PUBLISHED).resolve(mid));
        String meta = metaNonce == null ? "" : "<b3lb-recordset>" + metaNonce + "</b3lb-recordset>";
        Files.writeString(d.resolve("metadata.xml"), "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<recording>\n  <id>" + mid
                + "</id>\n  <state>published</state>\n  <published>true</published>\n  <participants>3</participants>\n"
                + "  <meeting id=\"" + mid + "\" externalId=\"room\" name=\"Room\" breakout=\"false\"/>\n"
                + "  <meta><isBreakout>false</isBreakout><meetingName>Room</meetingName>" + meta + "</meta>\n"
                + "  <playback><format>presentation</format></playback>\n</recording>\n");
        Files.createDirectories(d.resolve("presentation/slides"));
        Files.writeString(d.resolve("presentation/slides/slide-1.svg"), "<svg id=\"" + mid + "\"/>");
        Files.createDirectories(d.resolve("video"));
        Files.write(d.resolve("video/webcams.webm"), (mid + "-video").repeat(300).getBytes(StandardCharsets.US_ASCII));
        return d;
    }

    /** raw/<mid>/events.xml with B3LB's nonce in the metadata element. */
    public void rawEvents(String mid, String nonce) throws IOException {
        write(RAW + "/" + mid + "/events.xml", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<recording meeting_id=\"" + mid + "\">\n"
                + "  <metadata isBreakout=\"false\" b3lb-recordset=\"" + nonce + "\"/>\n  <event timestamp=\"1\" module=\"x\"/>\n</recording>\n");
    }

    /** What a tar of the published presentation holds, as the hook packs it: tar -cf - -C <dir> . */
    public byte[] expectedTar(String mid) throws Exception {
        Process p = new ProcessBuilder("tar", "-cf", "-", "-C", at(PUBLISHED).resolve(mid).toString(), ".").start();
        byte[] b = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        return b;
    }

    /** Every file under the root, path to content hash and mode: what a run must not change. */
    Map<String, String> tree() throws IOException {
        Map<String, String> m = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.toList()) {
                String key = root.relativize(p).toString();
                if (Files.isSymbolicLink(p)) {
                    m.put(key, "-> " + Files.readSymbolicLink(p));
                } else if (Files.isDirectory(p)) {
                    m.put(key + "/", "dir");
                } else {
                    m.put(key, sha256(Files.readAllBytes(p)) + " " + Files.getPosixFilePermissions(p) + " "
                            + Files.getLastModifiedTime(p).toMillis());
                }
            }
        }
        return m;
    }

    static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String sh(String stdin, String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }
}
