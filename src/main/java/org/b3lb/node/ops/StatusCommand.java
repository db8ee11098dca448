package org.b3lb.node.ops;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.apache.camel.util.json.JsonObject;
import org.apache.camel.util.json.Jsoner;
import org.b3lb.node.config.Sizes;

/**
 * {@code b3lb-node status [--json]}: asks the running service for {@link StatusEndpoint#PATH} and
 * prints it for a human, or as JSON for scripts. Exit 0 healthy, 1 degraded (or no usable
 * answer), 3 not running.
 */
public final class StatusCommand {

    public static final int HEALTHY = 0;
    public static final int DEGRADED = 1;
    public static final int NOT_RUNNING = 3;
    private static final String ROW = "  %-32s %10s %9s %8s  %-24s %s%n";

    private StatusCommand() {
    }

    public static int run(ServiceClient client, boolean json, PrintStream out, PrintStream err) {
        JsonObject s;
        try {
            s = client.status();
        } catch (ServiceClient.NotRunning e) {
            err.println("b3lb-node status: " + e.getMessage());
            return NOT_RUNNING;
        } catch (IOException e) {
            err.println("b3lb-node status: " + e.getMessage());
            return DEGRADED;
        }
        if (json) {
            out.println(Jsoner.prettyPrint(Jsoner.serialize(s), 2));
        } else {
            print(s, Instant.now(), out);
        }
        return "UP".equals(s.getString("status")) ? HEALTHY : DEGRADED;
    }

    static void print(JsonObject s, Instant now, PrintStream out) {
        out.printf("b3lb-node %s: %s (pid %s, up %s)%n", s.getString("version"), s.getString("status"),
                s.get("pid"), duration(s.getLong("uptimeSeconds")));
        for (Object p : s.getCollection("problems")) {
            out.println("  problem: " + p);
        }
        if (s.get("protocol") != null) {
            out.println("protocol: b3lb.protocol=" + s.getString("protocol") + ("b3lb".equals(s.getString("protocol"))
                    ? " (a stock B3LB 3.x)" : " (the protocol of the node-scripts document)") + "; upload endpoint: "
                    + (s.get("endpoint") == null ? "none (upload disabled)" : s.getString("endpoint")));
        }
        out.println("routes:");
        for (Object o : s.getCollection("routes")) {
            JsonObject r = (JsonObject) o;
            out.printf("  %-12s %s%s%n", r.getString("id"), r.getString("state"),
                    Boolean.FALSE.equals(r.getBoolean("autoStartup")) ? " (disabled in the config)" : "");
        }
        out.print("health:");
        for (Object o : s.getCollection("health")) {
            JsonObject h = (JsonObject) o;
            out.print(" " + h.getString("id") + "=" + h.getString("state"));
        }
        out.println();
        Object load = ((JsonObject) s.get("load")).get("percent");
        out.println("load figure: " + (load == null ? "cannot be read" : load + " %"));

        JsonObject p = (JsonObject) s.get("pending");
        out.printf("pending recordings: %d, %s, oldest %s (in %s)%n", p.getInteger("count"), bytes(p.getLong("totalBytes")),
                p.getInteger("count") == 0 ? "-" : duration(p.getLong("oldestAgeSeconds")), p.getString("dir"));
        if (p.getString("error") != null) {
            out.println("  " + p.getString("error"));
        }
        if (p.get("unmarked") != null) {
            out.printf("not uploaded, not marked: %d%s%n", p.getInteger("unmarked"),
                    p.getInteger("unmarked") == 0 ? "" : " (b3lb-node clean --dry-run --verbose shows the command that marks each)");
        }
        List<?> stuck = (List<?>) p.getCollection("stuck");
        if (!stuck.isEmpty()) {
            out.printf("stuck (waiting over %s or failed; the %d oldest pending are checked):%n",
                    duration(p.getLong("stuckAfterSeconds")), p.getInteger("listedOf"));
            out.printf(ROW, "ID", "SIZE", "AGE", "ATTEMPTS", "NEXT ATTEMPT", "LAST ERROR");
            for (Object o : stuck) {
                JsonObject r = (JsonObject) o;
                out.printf(ROW, r.getString("id"),
                        r.get("bytes") == null ? "no tar" : bytes(r.getLong("bytes")), duration(r.getLong("ageSeconds")),
                        Objects.toString(r.get("attempts"), "unknown"), next(r.getString("nextAttempt"), now),
                        r.get("attempts") == null ? "unknown" : Objects.toString(r.getString("lastError"), "-"));
            }
        }

        JsonObject u = (JsonObject) s.get("uploads");
        if (u != null) {
            int waiting = u.getInteger("waiting");
            out.println("uploads: " + (!Boolean.TRUE.equals(u.getBoolean("enabled")) ? "disabled (b3lb.upload.enabled=false)"
                    : Boolean.TRUE.equals(u.getBoolean("paused")) ? "paused: " + u.getString("pausedBecause") : "running")
                    + ", " + waiting + (waiting == 1 ? " recording" : " recordings") + " waiting");
        }

        JsonObject c = (JsonObject) s.get("cleanup");
        out.printf("cleanup: last pass %s; since start deleted %d, freed %s, %d errors; next pass %s%n",
                c.get("lastPassAt") == null ? "none since start" : c.getString("lastPassAt"),
                c.getLong("deletedSinceStart"), bytes(c.getLong("freedBytesSinceStart")), c.getLong("errorsSinceStart"),
                c.get("nextPassAt") == null ? "not scheduled (cleanup route stopped or disabled)" : c.getString("nextPassAt"));

        JsonObject d = (JsonObject) s.get("disk");
        if (d.get("error") != null) {
            out.println("free space: " + d.getString("error"));
        } else {
            out.printf("free space: %s of %s on the filesystem of %s%n", bytes(d.getLong("freeBytes")),
                    bytes(d.getLong("totalBytes")), d.getString("dir"));
        }
    }

    private static String next(String at, Instant now) {
        if (at == null) {
            return "-";
        }
        Duration in = Duration.between(now, Instant.parse(at));
        return in.isNegative() ? "due now" : "in " + duration(in.toSeconds());
    }

    static String duration(Long seconds) {
        return Sizes.duration(Duration.ofSeconds(seconds == null ? 0 : seconds));
    }

    static String bytes(Long n) {
        return Sizes.bytes(n == null ? 0 : n);
    }
}
