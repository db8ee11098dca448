package org.b3lb.node.migrate;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The files of B3LB's node scripts (DE-IBH/b3lb scripts/bbb, placed as its READMEs say) and of
 * the spec's scripts (node-scripts.md), found by where those documents install them and told
 * apart by content where both use one name. Our own hook and snippet are recognised by their
 * first comment and never taken for old ones.
 */
final class OldScripts {

    enum Set {
        B3LB("B3LB's"), SPEC("the spec's");

        final String owner;

        Set(String owner) {
            this.owner = owner;
        }
    }

    enum Kind {
        HOOK("hook"), UNIT("unit"), SNIPPET("nginx snippet"), SCRIPT("script"), CONFIG("config");

        final String label;

        Kind(String label) {
            this.label = label;
        }
    }

    /** One file of an old script set; {@code retire}: moved out of where BBB, systemd or nginx read it. */
    record Item(Set set, Kind kind, Path path, String role, boolean retire) {
    }

    static final String HOOK_NAME = "b3lb-push-hook.rb";
    static final String[] HOOK_DIRS = {"/usr/local/bigbluebutton/core/scripts/post_archive",
        "/usr/local/bigbluebutton/core/scripts/post_publish"};
    static final String UNIT_DIR = "/etc/systemd/system";
    static final String NGINX_SNIPPET = "/etc/bigbluebutton/nginx/b3lb-load.nginx";
    static final String B3LB_CONFIG = "/etc/b3lb/push.properties";
    static final String SPEC_PUSH = "/usr/local/bin/b3lb-push";
    static final String SPEC_CLEANER = "/usr/local/bin/b3lb-cleaner";
    /** The name in our own hook and snippet (src/main/bbb/b3lb-push-hook.rb, nginx/b3lb-node-load.nginx). */
    private static final String OURS = "b3lb-node";

    private final List<Item> items = new ArrayList<>();

    static OldScripts detect(NodeRoot root) throws IOException {
        OldScripts s = new OldScripts();
        for (String dir : HOOK_DIRS) {
            Path hook = root.at(dir + "/" + HOOK_NAME);
            String text = read(hook);
            if (text != null && !ours(text)) {
                boolean b3lb = text.contains("backlog");
                s.items.add(new Item(b3lb ? Set.B3LB : Set.SPEC, Kind.HOOK, hook,
                        b3lb ? "hook queueing recordings in B3LB's SQLite backlog" : "hook marking archived recordings", true));
            }
        }
        String snippet = read(root.at(NGINX_SNIPPET));
        if (snippet != null && !ours(snippet)) {
            boolean b3lb = snippet.contains("/run/b3lb/load");
            s.items.add(new Item(b3lb ? Set.B3LB : Set.SPEC, Kind.SNIPPET, root.at(NGINX_SNIPPET),
                    b3lb ? "serves /run/b3lb/load as /b3lb/load" : "proxies /b3lb/load to port 8765", true));
        }
        s.unit(root, "b3lb-push.path", Set.B3LB, "starts b3lb-push on every change of the published folder");
        // B3LB's units run its scripts from /usr/local/lib/b3lb/; a timer without its service is the spec's
        String push = read(root.at(UNIT_DIR + "/b3lb-push.service"));
        Set pushSet = push != null && push.contains("/usr/local/lib/b3lb/") ? Set.B3LB : Set.SPEC;
        s.unit(root, "b3lb-push.service", pushSet, "uploads recordings");
        s.unit(root, "b3lb-push.timer", pushSet, "starts b3lb-push");
        String load = read(root.at(UNIT_DIR + "/b3lb-load.service"));
        s.unit(root, "b3lb-load.service", load != null && load.contains("/usr/local/lib/b3lb/") ? Set.B3LB : Set.SPEC,
                "serves the load figure");
        String cleaner = read(root.at(UNIT_DIR + "/b3lb-cleaner.service"));
        if (cleaner != null && cleaner.contains(SPEC_CLEANER)) {
            s.unit(root, "b3lb-cleaner.service", Set.SPEC, "deletes uploaded recordings");
            s.unit(root, "b3lb-cleaner.timer", Set.SPEC, "starts b3lb-cleaner daily");
        } else if (cleaner != null) {
            // B3LB's cleaner ends meetings running over 12 h (bbb-conf --secret, API end): nothing of ours does that
            s.items.add(new Item(Set.B3LB, Kind.UNIT, root.at(UNIT_DIR + "/b3lb-cleaner.service"),
                    "ends meetings running too long; kept: b3lb-node does not do that", false));
        }
        s.file(root, B3LB_CONFIG, Set.B3LB, Kind.CONFIG, "b3lbBaseDomain, publishedFolder, queue, nonceMetaTag");
        s.file(root, "/usr/local/lib/b3lb/b3lb-push", Set.B3LB, Kind.SCRIPT, "uploader; kept, nothing runs it once its units are gone");
        s.file(root, "/usr/local/lib/b3lb/b3lb-load", Set.B3LB, Kind.SCRIPT, "load reporter; kept, nothing runs it once its unit is gone");
        s.file(root, SPEC_PUSH, Set.SPEC, Kind.SCRIPT, "uploader holding B3LB_ENDPOINT, B3LB_NODE_SECRET, B3LB_RECORDING_DIR; kept");
        s.file(root, SPEC_CLEANER, Set.SPEC, Kind.SCRIPT, "cleaner holding RETENTION_DAYS; kept");
        s.file(root, "/usr/local/bin/b3lb-load", Set.SPEC, Kind.SCRIPT, "load server on port 8765; kept, nothing runs it once its unit is gone");
        return s;
    }

    /** The installed b3lb-node hook (whatever its name) in post_publish, or null. */
    static Path ownHook(NodeRoot root) throws IOException {
        return firstOurs(root.at(HOOK_DIRS[1]), "*.rb");
    }

    /** b3lb-node's own nginx snippet (whatever its name), or null. */
    static Path ownSnippet(NodeRoot root) throws IOException {
        return firstOurs(root.at(NGINX_SNIPPET).getParent(), "*.nginx");
    }

    private static Path firstOurs(Path dir, String glob) throws IOException {
        if (!Files.isDirectory(dir)) {
            return null;
        }
        try (java.nio.file.DirectoryStream<Path> ds = Files.newDirectoryStream(dir, glob)) {
            for (Path p : ds) {
                String text = read(p);
                if (text != null && ours(text)) {
                    return p;
                }
            }
        }
        return null;
    }

    List<Item> items() {
        return items;
    }

    boolean has(Set set) {
        return items.stream().anyMatch(i -> i.set() == set);
    }

    /** Hooks or units of the set still where they run: its uploader is still the active one. */
    boolean active(Set set) {
        return items.stream().anyMatch(i -> i.set() == set && i.retire() && (i.kind() == Kind.HOOK || i.kind() == Kind.UNIT));
    }

    List<Item> toRetire(Kind kind) {
        return items.stream().filter(i -> i.retire() && i.kind() == kind).toList();
    }

    private void unit(NodeRoot root, String name, Set set, String role) {
        file(root, UNIT_DIR + "/" + name, set, Kind.UNIT, role);
    }

    /** Units are retired, other files (scripts, config) kept. */
    private void file(NodeRoot root, String abs, Set set, Kind kind, String role) {
        if (Files.isRegularFile(root.at(abs))) {
            items.add(new Item(set, kind, root.at(abs), role, kind == Kind.UNIT));
        }
    }

    /** Neither B3LB's scripts nor the spec's ever name b3lb-node; our hook and snippet do in their first comment. */
    static boolean ours(String text) {
        return text.contains(OURS);
    }

    /** The file's text, or null when it is not a regular file. */
    static String read(Path p) throws IOException {
        if (!Files.isRegularFile(p)) {
            return null;
        }
        return new String(Files.readAllBytes(p), StandardCharsets.UTF_8);
    }
}
