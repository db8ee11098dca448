package org.b3lb.node.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built target/b3lb-node_VERSION_all.deb, read with dpkg-deb as apt would. Runs in the
 * verify phase (failsafe), after jdeb made the package in package.
 */
class DebianPackageIT {

    static final Path DEB = Path.of(System.getProperty("b3lb.deb", "target/b3lb-node_1.0.0_all.deb")).toAbsolutePath();

    @TempDir
    static Path dir;

    static Path dpkgDeb;
    static Map<String, Entry> files;

    record Entry(String mode, String owner, String path) {
    }

    @BeforeAll
    static void read() throws Exception {
        dpkgDeb = Tools.require("dpkg-deb");
        assertThat(DEB).isRegularFile();
        Tools.Result c = Tools.run(dpkgDeb.toString(), "-c", DEB.toString());
        assertThat(c.exit()).as(c.output()).isZero();
        files = new LinkedHashMap<>();
        for (String line : c.output().lines().toList()) {
            // -rw-r--r-- root/root      990 2026-11-28 08:12 ./etc/b3lb-node/application.properties
            String[] f = line.trim().split("\\s+", 6);
            String path = f[5].substring(1); // "./etc/..." -> "/etc/..."
            files.put(path.endsWith("/") && path.length() > 1 ? path.substring(0, path.length() - 1) : path,
                    new Entry(f[0], f[1], path));
        }
        Tools.Result x = Tools.run(dpkgDeb.toString(), "-x", DEB.toString(), dir.resolve("root").toString());
        assertThat(x.exit()).as(x.output()).isZero();
        Tools.Result e = Tools.run(dpkgDeb.toString(), "-e", DEB.toString(), dir.resolve("control").toString());
        assertThat(e.exit()).as(e.output()).isZero();
    }

    @Test
    void controlFields() throws Exception {
        Map<String, String> f = new LinkedHashMap<>();
        for (String field : List.of("Package", "Version", "Architecture", "Depends", "Maintainer", "Section",
                "Priority", "Installed-Size", "Description")) {
            Tools.Result r = Tools.run(dpkgDeb.toString(), "-f", DEB.toString(), field);
            assertThat(r.exit()).as(field + ": " + r.output()).isZero();
            f.put(field, r.output().trim());
        }
        assertThat(f.get("Package")).isEqualTo("b3lb-node");
        assertThat(DEB.getFileName().toString()).isEqualTo("b3lb-node_" + f.get("Version") + "_all.deb");
        assertThat(f.get("Architecture")).isEqualTo("all");
        // a Java 17+ headless runtime in any of its Debian/Ubuntu names, and ruby for the BBB hook
        assertThat(f.get("Depends")).contains("default-jre-headless (>= 2:1.17)").contains("openjdk-17-jre-headless")
                .contains("openjdk-21-jre-headless").contains("java17-runtime-headless").containsPattern("(^|, )ruby($|,)");
        assertThat(f.get("Maintainer")).matches(".+ <.+@.+>");
        assertThat(f.get("Installed-Size")).matches("\\d+");
        assertThat(f.get("Description")).startsWith("B3LB node agent");
    }

    @Test
    void installsEachFileWhereDebianAndBbbExpectItWithItsMode() {
        assertThat(files.get("/usr/share/b3lb-node/b3lb-node.jar")).extracting(Entry::mode).isEqualTo("-rw-r--r--");
        assertThat(files.get("/usr/bin/b3lb-node")).extracting(Entry::mode).isEqualTo("-rwxr-xr-x");
        assertThat(files.get("/etc/b3lb-node/application.properties")).extracting(Entry::mode).isEqualTo("-rw-r--r--");
        assertThat(files.get("/etc/b3lb-node/logback.xml")).extracting(Entry::mode).isEqualTo("-rw-r--r--");
        // read by the launcher as the service's user
        assertThat(files.get("/etc/b3lb-node/jvm.options")).extracting(Entry::mode).isEqualTo("-rw-r--r--");
        assertThat(files.get("/lib/systemd/system/b3lb-node.service")).extracting(Entry::mode).isEqualTo("-rw-r--r--");
        // the README's links into docs/ resolve on the node; the license where Debian policy puts it
        assertThat(files.get("/usr/share/doc/b3lb-node/README.md")).extracting(Entry::mode).isEqualTo("-rw-r--r--");
        assertThat(files.get("/usr/share/doc/b3lb-node/docs/configuration.md")).extracting(Entry::mode).isEqualTo("-rw-r--r--");
        assertThat(files.get("/usr/share/doc/b3lb-node/copyright")).extracting(Entry::mode).isEqualTo("-rw-r--r--");
        assertThat(files.get("/etc/bigbluebutton/nginx/b3lb-node-load.nginx")).extracting(Entry::mode).isEqualTo("-rw-r--r--");
        // one hook in both stages: each run acts only under the protocol it serves
        assertThat(files.get("/usr/local/bigbluebutton/core/scripts/post_archive/b3lb-node-push-hook.rb"))
                .extracting(Entry::mode).isEqualTo("-rwxr-xr-x");
        assertThat(files.get("/usr/local/bigbluebutton/core/scripts/post_publish/b3lb-node-push-hook.rb"))
                .extracting(Entry::mode).isEqualTo("-rwxr-xr-x");
        assertThat(files.values()).allSatisfy(e -> assertThat(e.owner()).as(e.path()).isEqualTo("root/root"));
        assertThat(files.values()).filteredOn(e -> e.mode().startsWith("d"))
                .allSatisfy(e -> assertThat(e.mode()).as(e.path()).isEqualTo("drwxr-xr-x"));
        // created by postinst, never shipped: the package must not overwrite or show a secret
        assertThat(files).doesNotContainKey("/etc/b3lb-node/secret");
    }

    @Test
    void everyYamlRouteOfTheRepositoryIsInstalled() throws Exception {
        try (Stream<Path> routes = Files.list(Path.of("routes"))) {
            List<String> expected = routes.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".camel.yaml"))
                    .map(n -> "/etc/b3lb-node/routes/" + n).toList();
            assertThat(expected).contains("/etc/b3lb-node/routes/load.camel.yaml");
            assertThat(files.keySet()).filteredOn(p -> p.startsWith("/etc/b3lb-node/routes/") && !p.endsWith("routes"))
                    .containsExactlyInAnyOrderElementsOf(expected);
        }
    }

    @Test
    void everythingUnderEtcIsAConffile() throws Exception {
        List<String> conffiles = Files.readAllLines(dir.resolve("control/conffiles")).stream().filter(l -> !l.isBlank()).toList();
        List<String> underEtc = files.entrySet().stream()
                .filter(e -> e.getKey().startsWith("/etc/") && !e.getValue().mode().startsWith("d"))
                .map(Map.Entry::getKey).toList();
        assertThat(underEtc).contains("/etc/b3lb-node/application.properties", "/etc/b3lb-node/logback.xml", "/etc/b3lb-node/jvm.options",
                "/etc/b3lb-node/routes/load.camel.yaml", "/etc/bigbluebutton/nginx/b3lb-node-load.nginx");
        assertThat(conffiles).containsExactlyInAnyOrderElementsOf(underEtc);
    }

    @Test
    void maintainerScriptsAreExecutableAndPassShSyntaxCheck() throws Exception {
        Tools.Result info = Tools.run(dpkgDeb.toString(), "-I", DEB.toString());
        for (String script : List.of("postinst", "prerm", "postrm")) {
            assertThat(info.output()).containsPattern("\\*\\s+" + script + "\\s+#!/bin/sh");
            Path p = dir.resolve("control").resolve(script);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(p))).isEqualTo("rwxr-xr-x");
            assertThat(Files.readString(p)).startsWith("#!/bin/sh\n").contains("set -e");
            Tools.Result n = Tools.run("sh", "-n", p.toString());
            assertThat(n.exit()).as(script + ": " + n.output()).isZero();
            // the same text as in the repository: jdeb's [[token]] filtering must not have touched it
            assertThat(Files.readString(p)).isEqualTo(Files.readString(Path.of("src/deb/control", script)));
        }
    }

    /**
     * A real dpkg install, upgrade, remove and purge into a throwaway tree: dpkg --root with
     * --force-script-chrootless runs our maintainer scripts on this machine with DPKG_ROOT set,
     * which they honour, so nothing outside the tree is touched. Needs root, as CI is.
     */
    @Test
    void installUpgradeRemoveAndPurgeInAThrowawayRoot() throws Exception {
        Path dpkg = Tools.require("dpkg");
        boolean root = Tools.run("id", "-u").output().trim().equals("0");
        org.junit.jupiter.api.Assumptions.assumeTrue(root || System.getenv("CI") != null, "dpkg --root needs root");
        Path r = dir.resolve("sysroot");
        for (String d : List.of("var/lib/dpkg/info", "var/lib/dpkg/updates", "var/lib/dpkg/triggers", "var/log")) {
            Files.createDirectories(r.resolve(d));
        }
        Files.writeString(r.resolve("var/lib/dpkg/status"), "");
        List<String> dpkgRoot = List.of(dpkg.toString(), "--root=" + r, "--force-script-chrootless", "--force-depends",
                "--force-confdef", "--force-confold");

        Tools.Result install = Tools.run(with(dpkgRoot, "-i", DEB.toString()));
        assertThat(install.exit()).as(install.output()).isZero();
        Path secret = r.resolve("etc/b3lb-node/secret");
        assertThat(secret).isRegularFile().isEmptyFile();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(secret))).isEqualTo("rw-r-----");
        assertThat(install.output()).contains("created empty " + secret);
        // enabled for the next boot, as deb-systemd-helper does it, but started nowhere
        assertThat(r.resolve("etc/systemd/system/multi-user.target.wants/b3lb-node.service")).isSymbolicLink();
        assertThat(r.resolve("usr/bin/b3lb-node")).isExecutable();
        List<Path> hooks = List.of(r.resolve("usr/local/bigbluebutton/core/scripts/post_archive/b3lb-node-push-hook.rb"),
                r.resolve("usr/local/bigbluebutton/core/scripts/post_publish/b3lb-node-push-hook.rb"));
        assertThat(hooks).allSatisfy(h -> assertThat(h).isExecutable());

        // the admin fills in the secret, edits the config and adds a route; BBB has recordings
        Files.writeString(secret, "node-secret\n");
        Path config = r.resolve("etc/b3lb-node/application.properties");
        Files.writeString(config, Files.readString(config) + "\n# edited by the admin\n");
        Path ownRoute = Files.writeString(r.resolve("etc/b3lb-node/routes/mine.camel.yaml"), "# the admin's\n");
        Path recording = Files.createDirectories(r.resolve("var/bigbluebutton/recording/status/archived")).resolve("m1.tar");
        Files.writeString(recording, "tar");

        Tools.Result upgrade = Tools.run(with(dpkgRoot, "-i", DEB.toString()));
        assertThat(upgrade.exit()).as(upgrade.output()).isZero();
        assertThat(secret).hasContent("node-secret");
        assertThat(Files.readString(config)).endsWith("# edited by the admin\n");
        assertThat(upgrade.output()).doesNotContain("created empty");

        Tools.Result remove = Tools.run(with(dpkgRoot, "--remove", "b3lb-node"));
        assertThat(remove.exit()).as(remove.output()).isZero();
        assertThat(r.resolve("usr/share/b3lb-node/b3lb-node.jar")).doesNotExist();
        // BBB would go on running a hook left behind for a service that is gone
        assertThat(hooks).allSatisfy(h -> assertThat(h).doesNotExist());
        assertThat(secret).hasContent("node-secret");
        assertThat(config).exists();

        Tools.Result purge = Tools.run(with(dpkgRoot, "--purge", "b3lb-node"));
        assertThat(purge.exit()).as(purge.output()).isZero();
        assertThat(secret).doesNotExist();
        assertThat(config).doesNotExist();
        assertThat(r.resolve("etc/bigbluebutton/nginx/b3lb-node-load.nginx")).doesNotExist();
        assertThat(r.resolve("etc/systemd/system/multi-user.target.wants/b3lb-node.service")).doesNotExist();
        assertThat(ownRoute).hasContent("# the admin's");
        assertThat(recording).hasContent("tar");
    }

    /**
     * The class-data archive as postinst makes it (its own make_cds_archive, run on a copy of the
     * packaged jar with the packaged JVM options and a real training start), and the JVM
     * with those options starting with it, with a stale one (jar changed), a corrupt one and
     * none: an archive only ever costs start-up time, never the start.
     */
    @Test
    void classDataArchiveFromTheTrainingStartAndStartsWithoutAGoodOne() throws Exception {
        Path cds = Files.createDirectories(dir.resolve("cds"));
        Path jar = Files.copy(dir.resolve("root/usr/share/b3lb-node/b3lb-node.jar"), cds.resolve("b3lb-node.jar"));
        Path config = Files.writeString(cds.resolve("application.properties"),
                "b3lb.routes-dir=" + dir.resolve("root/etc/b3lb-node/routes") + "\n");
        Path options = dir.resolve("root/etc/b3lb-node/jvm.options");
        String postinst = Files.readString(dir.resolve("control/postinst"));
        int start = postinst.indexOf("make_cds_archive() {");
        assertThat(start).isPositive();
        String function = postinst.substring(start, postinst.indexOf("\n}\n", start) + 3);
        Path lib = cds.resolve("lib");
        Path script = Files.writeString(cds.resolve("make.sh"), "ROOT=; UNIT=b3lb-node.service\n" + function
                + "CDS_DIR=" + lib + " CDS_JAR=" + jar + " CDS_CONFIG=" + config + " CDS_JVM_OPTIONS=" + options
                + "\nmake_cds_archive\n");

        Tools.Result made = Tools.run("sh", script.toString());
        assertThat(made.exit()).as(made.output()).isZero();
        assertThat(made.output()).doesNotContain("no class-data archive");
        Path archive = lib.resolve("b3lb-node.jsa");
        assertThat(archive).isRegularFile();
        String env = "JDK_JAVA_OPTIONS=-XX:SharedArchiveFile=" + archive;
        assertThat(lib.resolve("cds.env")).hasContent(env);

        Path recordings = Files.createDirectories(cds.resolve("archived"));
        List<String> unitOpts = List.of("@" + options);
        // -Xshare:on: the JVM refuses to start unless it maps the archive, so this proves it is used
        Tools.Result used = clean(env, unitOpts, List.of("-Xshare:on"), jar, config, recordings);
        assertThat(used.exit()).as(used.output()).isZero();
        assertThat(used.output()).contains("cleanup: would delete 0");

        Files.setLastModifiedTime(jar, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5000));
        Tools.Result stale = clean(env, unitOpts, List.of(), jar, config, recordings);
        assertThat(stale.exit()).as(stale.output()).isZero();
        assertThat(stale.output()).contains("cleanup: would delete 0");

        Files.delete(archive);
        Files.write(archive, new byte[64 * 1024]);
        Tools.Result corrupt = clean(env, unitOpts, List.of(), jar, config, recordings);
        assertThat(corrupt.exit()).as(corrupt.output()).isZero();
        assertThat(corrupt.output()).contains("cleanup: would delete 0");

        Files.delete(archive);
        Tools.Result absent = clean(env, unitOpts, List.of(), jar, config, recordings);
        assertThat(absent.exit()).as(absent.output()).isZero();
        assertThat(absent.output()).contains("cleanup: would delete 0");
    }

    /** `clean --dry-run` of the jar with the packaged JVM options and the environment cds.env sets. */
    private static Tools.Result clean(String env, List<String> unitOpts, List<String> more, Path jar, Path config,
            Path recordings) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("env", env, Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(unitOpts);
        cmd.addAll(more);
        cmd.addAll(List.of("-jar", jar.toString(), "clean", "--dry-run", "--config", config.toString(),
                "--b3lb.recording-dir=" + recordings));
        return Tools.run(cmd.toArray(String[]::new));
    }

    private static String[] with(List<String> base, String... more) {
        List<String> all = new java.util.ArrayList<>(base);
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }

    @Test
    void packagedFilesAreTheRepositorysFiles() throws Exception {
        Path root = dir.resolve("root");
        Map<String, String> sources = Map.of(
                "usr/bin/b3lb-node", "src/deb/bin/b3lb-node",
                "etc/b3lb-node/application.properties", "config/application.properties",
                "etc/b3lb-node/logback.xml", "config/logback.xml",
                "etc/b3lb-node/jvm.options", "config/jvm.options",
                "lib/systemd/system/b3lb-node.service", "systemd/b3lb-node.service",
                "etc/bigbluebutton/nginx/b3lb-node-load.nginx", "nginx/b3lb-node-load.nginx",
                "usr/local/bigbluebutton/core/scripts/post_archive/b3lb-node-push-hook.rb", "src/main/bbb/b3lb-push-hook.rb",
                "usr/local/bigbluebutton/core/scripts/post_publish/b3lb-node-push-hook.rb", "src/main/bbb/b3lb-push-hook.rb");
        sources.forEach((installed, source) -> assertThat(root.resolve(installed)).as(installed).hasSameBinaryContentAs(Path.of(source)));
    }

    @Test
    void theJarIsTheShadedRunnableOne() throws Exception {
        Path jar = dir.resolve("root/usr/share/b3lb-node/b3lb-node.jar");
        assertThat(jar).hasSameBinaryContentAs(Path.of("target/b3lb-node.jar"));
        try (JarFile j = new JarFile(jar.toFile())) {
            assertThat(j.getManifest().getMainAttributes().getValue("Main-Class")).isEqualTo("org.b3lb.node.app.App");
            // shaded: Camel itself is inside, not on a class path the package does not have
            assertThat(j.getEntry("org/apache/camel/main/Main.class")).isNotNull();
        }
    }
}
