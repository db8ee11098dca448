package org.b3lb.node.upload;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.b3lb.node.config.Sizes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides whether a new upload may start now ({@link PauseRules}): not while the load figure B3LB
 * reads is above {@code b3lb.upload.pause-above}, nor until it has stayed at or below it for
 * {@code b3lb.upload.pause-hold} (a node hovering at the threshold does not flap), nor outside
 * {@code b3lb.upload.hours}. Asked by the poll gate (no poll while paused) and by the route before
 * each upload (queued exchanges end without a request, their markers stay); running uploads and
 * their redeliveries go on. Hand-written because Camel's route policies pause a route by suspending
 * it, which runs the shutdown strategy over the in-flight exchanges (here: aborts the running
 * uploads), and none reads a load figure.
 */
public final class UploadPause {

    private static final Logger LOG = LoggerFactory.getLogger(UploadPause.class);

    /** No pause: {@code push --once}, an admin's explicit run, ignores pause and hours. */
    public static final UploadPause NEVER = new UploadPause(PauseRules.NONE, () -> null, Clock.systemUTC());

    /**
     * @param busy         the figure is above the threshold, or has not been below it for the hold
     * @param outsideHours now is outside {@code b3lb.upload.hours}
     * @param why          what status shows, empty when not paused
     */
    public record State(boolean busy, boolean outsideHours, String why) {

        public boolean paused() {
            return busy || outsideHours;
        }
    }

    private final PauseRules rules;
    private final Supplier<byte[]> figure;
    private final Clock clock;
    // guarded by this
    private Instant busySince;
    private Instant belowSince;
    private boolean wasOutside;

    /** @param figure the load endpoint's answer ({@code "8123\n"}), the same sampler's; null when it has none */
    public UploadPause(PauseRules rules, Supplier<byte[]> figure, Clock clock) {
        this.rules = rules;
        this.figure = figure;
        this.clock = clock;
    }

    public PauseRules rules() {
        return rules;
    }

    public boolean paused() {
        return rules.any() && now().paused();
    }

    /** Looks at the figure and the clock, and moves the busy state on. */
    public synchronized State now() {
        if (!rules.any()) {
            return new State(false, false, "");
        }
        Instant now = clock.instant();
        List<String> why = new ArrayList<>();
        boolean busy = rules.above() != null && busy(now, why);
        boolean outside = rules.hours() != null && !rules.hours().contains(now);
        if (outside) {
            why.add("outside upload hours " + rules.hours() + " (" + rules.hours().zone() + ")");
        }
        if (outside != wasOutside) {
            wasOutside = outside;
            LOG.info(outside ? "uploads paused: outside upload hours {}; running uploads finish, waiting recordings keep their markers"
                    : "uploads may start again: inside upload hours {}", rules.hours());
        }
        return new State(busy, outside, String.join("; ", why));
    }

    private boolean busy(Instant now, List<String> why) {
        BigDecimal f = figure();
        boolean above = f != null && f.compareTo(rules.above()) > 0;
        String shown = f == null ? "unknown" : f.toPlainString();
        if (above) {
            belowSince = null;
            if (busySince == null) {
                busySince = now;
                LOG.info("uploads paused: node busy (figure {} above {}); running uploads finish, waiting recordings keep their"
                        + " markers until it stays at or below for {}", shown, rules.above(), Sizes.duration(rules.hold()));
            }
            why.add("node busy (figure " + shown + " above " + rules.above() + " for " + since(busySince, now) + ")");
            return true;
        }
        if (busySince == null) {
            return false;
        }
        if (belowSince == null) {
            belowSince = now;
        }
        // an unknown figure (no load average) counts as below: it must not hold the uploads for ever
        if (!now.isBefore(belowSince.plus(rules.hold()))) {
            LOG.info("uploads may start again: figure {} at or below {} for {}", shown, rules.above(), Sizes.duration(rules.hold()));
            busySince = null;
            belowSince = null;
            return false;
        }
        why.add("node busy (figure " + shown + " at or below " + rules.above() + " for " + since(belowSince, now) + " of the "
                + Sizes.duration(rules.hold()) + " hold)");
        return true;
    }

    private static String since(Instant from, Instant now) {
        return Sizes.duration(Duration.between(from, now));
    }

    /** The figure as B3LB reads it, or null when the sampler has none. */
    private BigDecimal figure() {
        byte[] body = figure.get();
        try {
            return body == null ? null : new BigDecimal(new String(body, StandardCharsets.US_ASCII).trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
