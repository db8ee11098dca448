package org.b3lb.node.app;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.b3lb.node.config.ConfigException;

/**
 * {@code b3lb-node [COMMAND [ARG ...]] [--config PATH] [--key=value ...] [--flag ...]}.
 * Parsed by hand: a handful of options do not justify a CLI library in every node's jar.
 */
public record CommandLine(String command, Path config, Map<String, String> overrides, List<String> flags,
                          List<String> arguments) {

    public static final String USAGE = "usage: b3lb-node [run | status [--json] | routes list|stop ID|start ID"
            + " | push --once | clean [--dry-run] [--verbose] | migrate [--dry-run] | adopt-uploaded [--dry-run] | --help | --version]"
            + " [--config PATH] [--KEY=VALUE ...]";

    static final String SECRET_KEY = "b3lb.upload.secret";

    public static String help(String version) {
        return """
                b3lb-node %s: the B3LB node agent (load endpoint, recording upload, retention cleanup)

                usage: b3lb-node [COMMAND] [--config PATH] [--KEY=VALUE ...]

                commands:
                  run                      run the service (the default; systemd runs this)
                  status [--json]          ask the running service: version, uptime, routes, load figure,
                                           pending and stuck recordings, cleanup passes, free space;
                                           exit 0 healthy, 1 degraded, 3 not running
                  routes list              the running service's routes and their states
                  routes stop ID           stop route ID (load, load-sample, upload, cleanup or disk-guard)
                                           until started or restarted
                  routes start ID          start it again
                  push --once              upload every pending recording once, then exit
                  clean [--dry-run] [--verbose]
                                           one retention cleanup pass now (--dry-run: list, delete nothing;
                                           what it keeps is counted by reason, --verbose: each entry)
                  migrate [--dry-run]      take over from B3LB's node scripts or the spec's scripts: carry
                                           their settings, convert B3LB's queue, retire their units, hooks
                                           and nginx snippet (--dry-run: say what, change nothing; as root)
                  adopt-uploaded [--dry-run]
                                           once, on an upgrade from 1.0 (the package runs it): record
                                           upload evidence for tars without marker or evidence
                  help, --help             this text
                  version, --version       the version

                options:
                  --config PATH            config file; default ./config/application.properties if it
                                           exists, else /etc/b3lb-node/application.properties
                  --KEY=VALUE              override a config key, e.g. --b3lb.load.port=8766 (not the
                                           secret: the command line is visible in ps; use the secret file)
                  migrate --root DIR       read every node path under DIR, touch no systemd or nginx (tests)
                  routes --jmx HOST:PORT   use a JMX port opened by hand instead of attaching to the
                                           service's process (which needs the service's user)

                status and routes find the service on b3lb.management.host:b3lb.management.port of the
                config file. Exit codes: 0 ok, 1 failed (status: degraded), 2 bad usage or
                configuration, 3 the service is not running (status, routes).
                """.formatted(version);
    }

    public static CommandLine parse(String... args) {
        String command = null;
        Path config = null;
        Map<String, String> overrides = new LinkedHashMap<>();
        List<String> flags = new ArrayList<>();
        List<String> arguments = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--config")) {
                if (i + 1 >= args.length) {
                    throw new ConfigException("--config needs a file path; " + USAGE);
                }
                config = Path.of(args[++i]);
            } else if (a.startsWith("--config=")) {
                config = Path.of(a.substring("--config=".length()));
            } else if (a.equals("--" + SECRET_KEY) || a.startsWith("--" + SECRET_KEY + "=")) {
                // never echo the value: this line goes to the terminal and often to a ticket
                throw new ConfigException(SECRET_KEY + " is refused on the command line: every local user sees it in ps"
                        + " and JMX; write it to the secret file instead (/etc/b3lb-node/secret, or the file"
                        + " b3lb.upload.secret-file names)");
            } else if (a.equals("--root") || a.equals("--jmx")) {
                if (i + 1 >= args.length) {
                    throw new ConfigException(a + " needs " + (a.equals("--root") ? "a directory" : "HOST:PORT") + "; " + USAGE);
                }
                flags.add(a + "=" + args[++i]);
            } else if (a.startsWith("--") && a.indexOf('=') > 2 && a.substring(2, a.indexOf('=')).contains(".")) {
                overrides.put(a.substring(2, a.indexOf('=')), a.substring(a.indexOf('=') + 1));
            } else if (a.equals("-h")) {
                flags.add("--help");
            } else if (a.startsWith("-")) {
                flags.add(a);
            } else if (command == null) {
                command = a;
            } else {
                arguments.add(a);
            }
        }
        return new CommandLine(command == null ? "run" : command, config, overrides, flags, arguments);
    }

    public boolean has(String flag) {
        return flags.contains(flag);
    }

    /** @return the value of {@code --name=value} or {@code --name value}, or null */
    public String value(String name) {
        for (String f : flags) {
            if (f.startsWith(name + "=")) {
                return f.substring(name.length() + 1);
            }
        }
        return null;
    }

    /** Fails on any flag or extra argument the command does not know, so a typo never silently changes behaviour. */
    public void allowOnly(String... allowed) {
        allowArguments(0);
        allowFlags(allowed);
    }

    public void allowFlags(String... allowed) {
        for (String f : flags) {
            String name = f.contains("=") ? f.substring(0, f.indexOf('=')) : f;
            if (!List.of(allowed).contains(name)) {
                throw new ConfigException("unknown option '" + f + "' for '" + command + "'; " + USAGE);
            }
        }
    }

    /** Fails when the command got more than {@code max} arguments after its name. */
    public void allowArguments(int max) {
        if (arguments.size() > max) {
            throw new ConfigException("unexpected argument '" + arguments.get(max) + "'; " + USAGE);
        }
    }
}
