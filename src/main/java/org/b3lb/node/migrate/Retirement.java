package org.b3lb.node.migrate;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Takes the old scripts out of service: their units stopped and disabled, then their hooks, the
 * nginx snippet and the unit files moved out of the directories BBB, nginx and systemd read into
 * the {@link Backup}; nginx reloaded only after {@code nginx -t} passes. systemd and nginx are
 * only touched on the node itself, never under --root.
 */
final class Retirement {

    private final NodeRoot root;
    private final List<OldScripts.Item> units;
    private final List<OldScripts.Item> hooks;
    private final List<OldScripts.Item> snippets;

    Retirement(NodeRoot root, OldScripts found) {
        this.root = root;
        this.units = found.toRetire(OldScripts.Kind.UNIT);
        this.hooks = found.toRetire(OldScripts.Kind.HOOK);
        this.snippets = found.toRetire(OldScripts.Kind.SNIPPET);
    }

    void plan(Backup backup, Report r) {
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
                r.failed("systemctl disable --now " + name + ": " + res.lastLine() + "; stop it by hand");
            }
        }
        move(hooks, backup, r);
    }

    /** Last: unit files and the snippet out of the way, nginx checked and reloaded. */
    void finish(Backup backup, Report r) {
        move(units, backup, r);
        if (!units.isEmpty() && root.live()) {
            SystemCommands.Result res = SystemCommands.run("systemctl", "daemon-reload");
            if (!res.ok()) {
                r.failed("systemctl daemon-reload: " + res.lastLine());
            }
        }
        if (snippets.isEmpty() || move(snippets, backup, r) == 0) {
            return;
        }
        if (!root.live()) {
            r.skipped("nginx -t and systemctl reload nginx (--root: nginx is not touched)");
            return;
        }
        if (!SystemCommands.nginxActive()) {
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
