package org.b3lb.node.testing;

import java.net.http.HttpResponse;
import java.util.regex.Pattern;

/**
 * What B3LB 3.x's poller ({@code check_node} in b3lb/rest/task/core.py) makes of a load answer:
 * status 200, a {@code \n} somewhere, then {@code int(text.split('\n')[0])}. Anything else is
 * swallowed by its bare {@code except} and the node keeps its previous {@code cpu_load}.
 */
public final class B3lbLoadPoll {

    // Python's int(str): surrounding whitespace, an optional sign, ASCII digits (underscores
    // between digits, also accepted by Python, are not produced by us and not modelled)
    private static final Pattern PY_INT = Pattern.compile("[+-]?[0-9]+");

    private B3lbLoadPoll() {
    }

    /** @throws IllegalArgumentException where B3LB would silently keep the node's previous load */
    public static int cpuLoad(HttpResponse<String> r) {
        if (r.statusCode() != 200) {
            throw new IllegalArgumentException("B3LB ignores status " + r.statusCode());
        }
        String text = r.body();
        if (text.indexOf('\n') < 0) {
            throw new IllegalArgumentException("B3LB ignores an answer without a newline: '" + text + "'");
        }
        return pythonInt(text.split("\n", -1)[0]);
    }

    /** Python's {@code int(s)} for a str, as far as a load figure can need it. */
    public static int pythonInt(String s) {
        String t = s.strip();
        if (!PY_INT.matcher(t).matches()) {
            throw new IllegalArgumentException("ValueError: invalid literal for int() with base 10: '" + s + "'");
        }
        return Integer.parseInt(t.startsWith("+") ? t.substring(1) : t);
    }
}
