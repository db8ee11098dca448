package org.b3lb.node.load;

import org.b3lb.node.config.Settings;

/** The load endpoint's settings, checked at start-up. */
public record LoadConfig(boolean enabled, String host, int port, LoadFigure.Format format, Source source) {

    /** What the figure measures, {@code b3lb.load.source}. */
    public enum Source {
        /** 1-minute load average / online CPUs, the spec's. */
        LOADAVG,
        /** CPU utilisation from /proc/stat, B3LB's own reporter's. */
        CPU
    }

    public static LoadConfig from(Settings s) {
        return new LoadConfig(s.bool("b3lb.load.enabled"), s.host("b3lb.load.host"), s.port("b3lb.load.port"),
                format(s, "b3lb.load.format"), source(s, "b3lb.load.source"));
    }

    /** Whether the background CPU sampling ({@code load-sample} route) has anything to feed. */
    public boolean samplesCpu() {
        return enabled && source == Source.CPU;
    }

    static Source source(Settings s, String key) {
        return switch (s.string(key)) {
            case "loadavg" -> Source.LOADAVG;
            case "cpu" -> Source.CPU;
            default -> throw s.invalid(key, "must be loadavg (1-minute load average / CPUs, the spec's) or cpu "
                    + "(CPU utilisation from /proc/stat, as B3LB's own reporter)");
        };
    }

    static LoadFigure.Format format(Settings s, String key) {
        return switch (s.string(key)) {
            case "percent" -> LoadFigure.Format.PERCENT;
            case "integer" -> LoadFigure.Format.INTEGER;
            default -> throw s.invalid(key, "must be percent (45.32, the spec's answer) or integer (4532, B3LB 3.x's 0..10000 scale)");
        };
    }
}
