package org.b3lb.node.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The number of online CPUs of the host. The load average counts runnable tasks of the whole
 * host, so it must be divided by the host's CPUs, not by the JVM's view (which a systemd
 * CPUAffinity= or cgroup quota can shrink, inflating the figure).
 */
public final class CpuCount {

    static final Path ONLINE = Path.of("/sys/devices/system/cpu/online");

    private CpuCount() {
    }

    public static int online() {
        try {
            int n = parseRanges(Files.readString(ONLINE, StandardCharsets.US_ASCII));
            if (n > 0) {
                return n;
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or /sys not mounted: the JVM's count is the best we have
        }
        return Runtime.getRuntime().availableProcessors();
    }

    /** Parses the kernel's CPU list format, e.g. {@code 0-3,8-11,14}; returns 0 when unparsable. */
    static int parseRanges(String list) {
        int count = 0;
        for (String part : list.trim().split(",")) {
            if (part.isEmpty()) {
                return 0;
            }
            int dash = part.indexOf('-');
            if (dash < 0) {
                Integer.parseInt(part);
                count++;
            } else {
                int from = Integer.parseInt(part.substring(0, dash));
                int to = Integer.parseInt(part.substring(dash + 1));
                if (to < from) {
                    return 0;
                }
                count += to - from + 1;
            }
        }
        return count;
    }
}
