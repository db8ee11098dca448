package org.b3lb.node.migrate;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** Takes the old scripts out of service into the {@link Backup}; systemd and nginx only on the node itself. */
final class Retirement {

    private final NodeRoot root;
    private final List<OldScripts.Item> units;
    private final List<OldScripts.Item> hooks;
    private final List<OldScripts.Item> snippets;
    /** Units systemctl could not stop: their files stay, so systemd still knows what it runs. */
    private final java.util.Set<Path> stillRunning = new java.util.HashSet<>();

    Retirement(NodeRoot root, OldScripts found) {
        this.root = root;
        // the triggers (.path, .timer) before the services they start, so none starts one again
        this.units = found.toRetire(OldScripts.Kind.UNIT).stream()
                .sorted(java.util.Comparator.comparing((OldScripts.Item i) -> i.path().toString().endsWith(".service"))).toList();
        this.hooks = found.toRetire(OldScripts.Kind.HOOK);
        this.snippets = found.toRetire(OldScripts.Kind.SNIPPET);
    }

    void plan(Backup backup, Report r) throws IOException {
        for (OldScripts.Item u : units) {
            r.plan("stop and disable " + u.path().getFileName() + ", then move " + root.shown(u.path()) + " to " + backup.placeFor(u.path()));
        }
        for (OldScripts.Item h : hooks) {
            r.plan("move " + h.set().owner + " hook " + root.shown(h.path()) + " to " + backup.placeFor(h.path())
                    + " (BBB runs every *.rb there)");
        }
        for (OldScripts.Item s : snippets) {
            r.plan("move " + s.set().owner + " nginx snippet " + root.shown(s.path()) + " to " + backup.placeFor(s.path())
                    + ", then nginx -t and reload nginx");
            Path ours = keptByDpkg(s.path());
            if (ours != null) {
                r.plan("put b3lb-node's snippet " + root.shown(ours) + " (dpkg kept the old file under its name) in its place");
            }
        }
        if (!snippets.isEmpty() && OldScripts.ownSnippet(root) == null && snippets.stream().allMatch(s -> keptByDpkg(s.path()) == null)) {
            r.note("no b3lb-node nginx snippet in " + root.shown(snippets.get(0).path().getParent()) + ": once the old one is gone, "
                    + "nginx serves no /b3lb/load; apt-get install --reinstall b3lb-node puts it back");
        }
    }

    boolean any() {
        return !units.isEmpty() || !hooks.isEmpty() || !snippets.isEmpty();
    }

    /** First: no old uploader may run while the queue is converted, and no old hook may queue more. */
    void stopOldUploaders(Backup backup, Report r) {
        for (OldScripts.Item u : units) {
            String name = u.path().getFileName().toString();
            if (!root.live()) {
                r.skipped("systemctl disable --now " + name + " (--root: systemd is not touched)");
                continue;
            }
            SystemCommands.Result res = SystemCommands.run("systemctl", "disable", "--now", name);
            if (res.ok()) {
                r.done("stopped and disabled " + name);
            } else {
                stillRunning.add(u.path());
                r.failed("systemctl disable --now " + name + ": " + res.lastLine() + "; its unit file stays; stop it by hand, then "
                        + "run migrate again");
            }
        }
        move(hooks, backup, r);
    }

    /**
     * B3LB's b3lb-load, now stopped, left its last figure in /run/b3lb/load, which our snippet
     * serves while b3lb-node is down (its takeover fallback): a frozen figure would route meetings
     * by a load long gone, so it goes.
     */
    private void staleFigure(Report r) {
        boolean loadStopped = units.stream().anyMatch(u -> u.path().getFileName().toString().equals("b3lb-load.service")
                && !stillRunning.contains(u.path()));
        Path figure = root.at("/run/b3lb/load");
        if (!loadStopped || !java.nio.file.Files.isRegularFile(figure, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try {
            java.nio.file.Files.delete(figure);
            r.done("removed " + root.shown(figure) + ", the last figure of the stopped b3lb-load");
        } catch (IOException e) {
            r.failed("cannot remove " + root.shown(figure) + " (" + e + "); remove it by hand: while b3lb-node is down nginx "
                    + "would answer B3LB with that frozen figure");
        }
    }

    /** Last: unit files and the snippet out of the way, nginx checked and reloaded. */
    void finish(Backup backup, Report r) {
        move(units.stream().filter(u -> !stillRunning.contains(u.path())).toList(), backup, r);
        if (!units.isEmpty() && root.live()) {
            SystemCommands.Result res = SystemCommands.run("systemctl", "daemon-reload");
            if (!res.ok()) {
                r.failed("systemctl daemon-reload: " + res.lastLine());
            }
        }
        staleFigure(r);
        if (snippets.isEmpty() || move(snippets, backup, r) == 0) {
            return;
        }
        for (OldScripts.Item s : snippets) {
            Path ours = keptByDpkg(s.path());
            if (ours != null && !java.nio.file.Files.exists(s.path())) {
                try {
                    java.nio.file.Files.move(ours, s.path(), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                    r.done("put b3lb-node's snippet in place as " + root.shown(s.path()));
                } catch (IOException e) {
                    r.failed("cannot move " + root.shown(ours) + " to " + root.shown(s.path()) + ": " + e + "; move it by hand");
                }
            }
        }
        if (!root.live()) {
            r.skipped("nginx -t and systemctl reload nginx (--root: nginx is not touched)");
            return;
        }
        if (!SystemCommands.run("systemctl", "is-active", "--quiet", "nginx.service").ok()) {
            r.skipped("reload nginx: nginx is not running; it reads the snippets when it starts");
            return;
        }
        SystemCommands.Result test = SystemCommands.run("nginx", "-t");
        if (!test.ok()) {
            r.failed("nginx -t fails after the old snippet was moved (" + test.lastLine() + "); nginx was not reloaded: fix it, "
                    + "then systemctl reload nginx");
            return;
        }
        SystemCommands.Result reload = SystemCommands.run("systemctl", "reload", "nginx.service");
        if (reload.ok()) {
            r.done("nginx -t passed; reloaded nginx");
        } else {
            r.failed("systemctl reload nginx: " + reload.lastLine());
        }
    }

    /** Our snippet as dpkg leaves it when the admin kept an old file of the same name: {@code <name>.dpkg-dist}. */
    private static Path keptByDpkg(Path snippet) {
        Path dist = snippet.resolveSibling(snippet.getFileName() + ".dpkg-dist");
        try {
            String text = OldScripts.read(dist);
            return text != null && OldScripts.ours(text) ? dist : null;
        } catch (IOException e) {
            return null;
        }
    }

    private int move(List<OldScripts.Item> items, Backup backup, Report r) {
        int moved = 0;
        for (OldScripts.Item i : items) {
            try {
                Path to = backup.move(i.path());
                moved++;
                r.done("moved " + root.shown(i.path()) + " to " + to);
            } catch (IOException e) {
                r.failed("cannot move " + root.shown(i.path()) + " to " + backup.dir() + ": " + e + "; move it by hand");
            }
        }
        return moved;
    }
}
