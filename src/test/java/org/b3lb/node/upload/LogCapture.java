package org.b3lb.node.upload;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.filter.ThresholdFilter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.read.ListAppender;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * Every log event of the JVM, TRACE included, kept in memory; the console still shows INFO and
 * up, so a failing test's output stays readable.
 */
final class LogCapture {

    private final ListAppender<ILoggingEvent> list = new ListAppender<>();

    static LogCapture everything() {
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        Logger root = ctx.getLogger(Logger.ROOT_LOGGER_NAME);
        for (Iterator<Appender<ILoggingEvent>> it = root.iteratorForAppenders(); it.hasNext(); ) {
            Appender<ILoggingEvent> a = it.next();
            ThresholdFilter f = new ThresholdFilter();
            f.setLevel("INFO");
            f.start();
            a.addFilter(f);
        }
        for (Logger l : ctx.getLoggerList()) {
            if (l != root) {
                l.setLevel(null); // inherit TRACE from root, whatever logback-test.xml said
            }
        }
        root.setLevel(Level.TRACE);
        LogCapture c = new LogCapture();
        c.list.setContext(ctx);
        c.list.start();
        root.addAppender(c.list);
        return c;
    }

    /** Formatted messages plus any exception text, one string per event. */
    List<String> lines() {
        List<String> out = new ArrayList<>();
        synchronized (list) {
            for (ILoggingEvent e : new ArrayList<>(list.list)) {
                StringBuilder sb = new StringBuilder(e.getLevel() + " " + e.getLoggerName() + ": " + e.getFormattedMessage());
                for (IThrowableProxy t = e.getThrowableProxy(); t != null; t = t.getCause()) {
                    sb.append(" | ").append(t.getClassName()).append(": ").append(t.getMessage());
                }
                out.add(sb.toString());
            }
        }
        return out;
    }

    List<String> lines(String level, String containing) {
        return lines().stream().filter(l -> l.startsWith(level + " ") && l.contains(containing)).toList();
    }

    int size() {
        return list.list.size();
    }
}
