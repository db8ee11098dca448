package org.b3lb.node.migrate;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.Map;
import org.b3lb.node.cleanup.AdoptUploaded;
import org.b3lb.node.config.ConfigException;
import org.b3lb.node.config.ConfigLocator;
import org.b3lb.node.config.Settings;
import org.b3lb.node.layout.RecordingFiles;

/**
 * {@code b3lb-node migrate [--dry-run] [--config F] [--root DIR]}: takes a node over from B3LB's own node
 * scripts or the spec's scripts (docs/migrate.md). A second run finds nothing to do. Exit 0 when everything
 * was done, 1 when something (named in a {@code failed:} line) could not be, 2 for bad usage or configuration.
 */
public final class MigrateCommand {

    public static final String CONFIG = ConfigLocator.SYSTEM.toString();

    private MigrateCommand() {
    }

    /** @param rootDir a directory standing for / (tests), or null; @param config null for {@link #CONFIG} */
    public static int run(String rootDir, Path config, boolean dryRun, PrintStream out) {
        NodeRoot root = rootDir == null ? NodeRoot.SYSTEM : new NodeRoot(Path.of(rootDir));
        if (!Files.isDirectory(root.dir())) {
            throw new ConfigException("--root " + rootDir + " is not a directory");
        }
        Path configFile = config != null ? config.toAbsolutePath() : root.at(CONFIG);
        if (!Files.isRegularFile(configFile)) {
            throw new ConfigException("no b3lb-node config file at " + configFile + ": install the b3lb-node package first, or give --config");
        }
        if (root.live() && !dryRun && !AtomicFiles.isRoot()) {
            throw new ConfigException("migrate changes /etc, systemd units and nginx: run it as root "
                    + "(sudo b3lb-node migrate), or look first with --dry-run");
        }
        Settings settings = Settings.load(configFile, Map.of(), Map.of());
        Report r = new Report(out, dryRun);
        if (!root.live()) {
            r.note("--root " + root.dir() + ": every path below is read under it; systemd and nginx are not touched");
        }
        try {
            return migrate(root, configFile, settings, r);
        } catch (IOException | UncheckedIOException e) {
            r.failed(e instanceof UncheckedIOException u ? u.getCause().getMessage() : e.getMessage());
            return r.finish();
        }
    }

    private static int migrate(NodeRoot root, Path configFile, Settings settings, Report r) throws IOException {
        OldScripts found = OldScripts.detect(root);
        if (found.items().isEmpty()) {
            r.found("neither B3LB's node scripts nor the spec's scripts (hooks, units, nginx snippet, push.properties, scripts)");
            return r.finish();
        }
        for (OldScripts.Item i : found.items()) {
            r.found(i.set().owner + " " + i.kind().label + " " + root.shown(i.path()) + ": " + i.role());
        }
        Backup backup = new Backup(root, LocalDateTime.now());
        PropertiesFile props = PropertiesFile.read(configFile);
        SettingsCarry carry = new SettingsCarry(configFile, props, secretFile(root, configFile, settings));
        boolean b3lbSet = found.has(OldScripts.Set.B3LB);
        B3lbPushConfig b3lb = null;
        if (b3lbSet) {
            b3lb = B3lbPushConfig.read(root.at(OldScripts.B3LB_CONFIG));
            carry.fromB3lb(b3lb, OldScripts.B3LB_CONFIG, r);
        }
        if (found.has(OldScripts.Set.SPEC)) {
            carry.fromSpec(OldScripts.read(root.at(OldScripts.SPEC_PUSH)), OldScripts.read(root.at(OldScripts.SPEC_CLEANER)), b3lbSet, r);
        }
        Path recordingDir = root.at(carry.planned("b3lb.recording-dir").orElse(settings.string("b3lb.recording-dir")));
        AdoptUploaded.Found spec = found.active(OldScripts.Set.SPEC) && Files.isDirectory(recordingDir)
                ? AdoptUploaded.scan(recordingDir, null, (tar, e) -> r.failed("cannot read " + root.shown(tar) + ": " + e))
                : null;
        if (spec != null) {
            planSpec(spec, root, r);
        }
        QueueTakeover queue = null;
        if (b3lb != null) {
            Path hook = OldScripts.ownHook(root);
            r.found(hook == null ? "no b3lb-node hook in " + OldScripts.HOOK_DIRS[1] + ": queued recordings are packed here as it packs them"
                    : "b3lb-node's hook " + root.shown(hook) + ": it packs the queued recordings");
            queue = new QueueTakeover(root, root.at(b3lb.queue()), new RecordingConverter(root, recordingDir, b3lb, hook, configFile));
            queue.plan(r);
        }
        Retirement retire = new Retirement(root, found);
        retire.plan(backup, r);
        boolean restart = carry.changes() || retire.any();
        if (restart) {
            r.plan("enable and restart b3lb-node");
        }
        if (r.dryRun()) {
            return r.finish();
        }
        retire.stopOldUploaders(backup, r);
        carry.apply(r);
        if (spec != null) {
            for (RecordingFiles f : spec.adoptable()) {
                try {
                    AdoptUploaded.adopt(f);
                    r.done("recorded the upload of " + f.id() + " (by the spec's b3lb-push)");
                } catch (IOException e) {
                    r.failed("cannot record the upload of " + root.shown(f.tar()) + ": " + e.getMessage());
                }
            }
        }
        if (queue != null) {
            queue.apply(backup, r);
        }
        retire.finish(backup, r);
        if (restart) {
            restart(root, r);
        }
        return r.finish();
    }

    private static void planSpec(AdoptUploaded.Found spec, NodeRoot root, Report r) {
        if (spec.pending() > 0) {
            r.found(spec.pending() + " recording(s) of the spec's waiting for upload (marker and tar): kept as they are, "
                    + "b3lb-node uploads them");
        }
        for (RecordingFiles f : spec.busy()) {
            r.note(f.id() + ": a hook is writing it now (" + root.shown(f.lock()) + "); run migrate again once it is done");
        }
        for (RecordingFiles f : spec.adoptable()) {
            r.plan("record " + root.shown(f.tar()) + " as uploaded (no marker: the spec's b3lb-push had B3LB's 200 for it)");
        }
    }

    private static void restart(NodeRoot root, Report r) {
        if (!root.live()) {
            r.skipped("systemctl enable b3lb-node and systemctl restart b3lb-node (--root: systemd is not touched)");
            return;
        }
        // the package leaves the service disabled and stopped while old scripts are in service (postinst)
        SystemCommands.Result enable = SystemCommands.run("systemctl", "enable", "b3lb-node.service");
        if (!enable.ok()) {
            r.failed("systemctl enable b3lb-node: " + enable.lastLine() + "; it will not start at boot: enable it by hand");
        }
        SystemCommands.Result res = SystemCommands.run("systemctl", "restart", "b3lb-node.service");
        if (res.ok()) {
            r.done((enable.ok() ? "enabled and " : "") + "restarted b3lb-node");
        } else {
            r.failed("systemctl restart b3lb-node: " + res.lastLine() + "; see journalctl -u b3lb-node");
        }
    }

    /** The file the service reads the secret from: b3lb.upload.secret-file, else "secret" beside the config file. */
    private static Path secretFile(NodeRoot root, Path configFile, Settings settings) {
        if (settings.has("b3lb.upload.secret-file")) {
            return root.at(settings.string("b3lb.upload.secret-file"));
        }
        return configFile.toAbsolutePath().getParent().resolve("secret");
    }
}
