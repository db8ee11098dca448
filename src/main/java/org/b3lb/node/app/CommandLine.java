package org.b3lb.node.app;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.b3lb.node.config.ConfigException;

/**
 * {@code b3lb-node [run|push --once|clean [--dry-run]] [--config PATH] [--key=value ...]}.
 * Parsed by hand: four options do not justify a CLI library in every node's jar.
 */
public record CommandLine(String command, Path config, Map<String, String> overrides, List<String> flags) {

    public static final String USAGE = "usage: b3lb-node [run | push --once | clean [--dry-run]] [--config PATH] [--KEY=VALUE ...]";

    public static CommandLine parse(String... args) {
        String command = null;
        Path config = null;
        Map<String, String> overrides = new LinkedHashMap<>();
        List<String> flags = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--config")) {
                if (i + 1 >= args.length) {
                    throw new ConfigException("--config needs a file path; " + USAGE);
                }
                config = Path.of(args[++i]);
            } else if (a.startsWith("--config=")) {
                config = Path.of(a.substring("--config=".length()));
            } else if (a.startsWith("--") && a.indexOf('=') > 2 && a.substring(2, a.indexOf('=')).contains(".")) {
                overrides.put(a.substring(2, a.indexOf('=')), a.substring(a.indexOf('=') + 1));
            } else if (a.startsWith("-")) {
                flags.add(a);
            } else if (command == null) {
                command = a;
            } else {
                throw new ConfigException("unexpected argument '" + a + "'; " + USAGE);
            }
        }
        return new CommandLine(command == null ? "run" : command, config, overrides, flags);
    }

    public boolean has(String flag) {
        return flags.contains(flag);
    }

    /** Fails on any flag the command does not know, so a typo never silently changes behaviour. */
    public void allowOnly(String... allowed) {
        for (String f : flags) {
            if (!List.of(allowed).contains(f)) {
                throw new ConfigException("unknown option '" + f + "' for '" + command + "'; " + USAGE);
            }
        }
    }
}
