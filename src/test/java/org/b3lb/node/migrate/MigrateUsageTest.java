package org.b3lb.node.migrate;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** migrate's command line: bad usage is exit 2 with one line; a node without old scripts has nothing to do. */
class MigrateUsageTest {

    @TempDir
    Path root;

    @Test
    void badUsageIsExitTwoWithOneLine() throws Exception {
        new OldNode(root);
        Cli unknown = Cli.run("migrate", "--root", root.toString(), "--force");
        assertThat(unknown.code()).isEqualTo(2);
        assertThat(unknown.err()).startsWith("b3lb-node: unknown option '--force' for 'migrate'").hasLineCount(1);

        Cli override = Cli.run("migrate", "--root", root.toString(), "--b3lb.protocol=b3lb");
        assertThat(override.code()).isEqualTo(2);
        assertThat(override.err()).startsWith("b3lb-node: migrate takes no --KEY=VALUE").hasLineCount(1);

        Cli noDir = Cli.run("migrate", "--root", root.resolve("nope").toString());
        assertThat(noDir.code()).isEqualTo(2);
        assertThat(noDir.err()).contains("is not a directory").hasLineCount(1);

        Cli noValue = Cli.run("migrate", "--root");
        assertThat(noValue.code()).isEqualTo(2);
        assertThat(noValue.err()).contains("--root needs a directory");

        Files.delete(root.resolve("etc/b3lb-node/application.properties"));
        Cli noConfig = Cli.run("migrate", "--root", root.toString());
        assertThat(noConfig.code()).isEqualTo(2);
        assertThat(noConfig.err()).contains("no b3lb-node config file at ").contains("install the b3lb-node package first")
                .hasLineCount(1);
    }

    @Test
    void aNodeWithoutOldScriptsHasNothingToDo() throws Exception {
        OldNode node = new OldNode(root);
        Map<String, String> before = node.tree();
        Cli run = Cli.run("migrate", "--root", root.toString());
        assertThat(run.code()).as(run.toString()).isZero();
        assertThat(run.out()).contains("found: neither B3LB's node scripts nor the spec's scripts").endsWith("migrate: nothing to do\n");
        assertThat(node.tree()).isEqualTo(before);
    }

    @Test
    void withoutASnippetOfOursTheRunSaysNoOneServesTheLoad() throws Exception {
        OldNode node = new OldNode(root);
        node.b3lbScripts("https://b3lb.example.org/");
        assertThat(Cli.run("migrate", "--root", root.toString(), "--dry-run").out()).doesNotContain("no b3lb-node nginx snippet");
        Files.delete(node.at(OldNode.OUR_SNIPPET));
        assertThat(Cli.run("migrate", "--root", root.toString(), "--dry-run").out())
                .contains("note: no b3lb-node nginx snippet in /etc/bigbluebutton/nginx: once the old one is gone, nginx serves no /b3lb/load");
    }

    @Test
    void ourSnippetThatDpkgSetAsideTakesTheOldOnesPlace() throws Exception {
        OldNode node = new OldNode(root);
        node.b3lbScripts("https://b3lb.example.org/");
        String ours = Files.readString(Path.of("nginx/b3lb-node-load.nginx"));
        Files.delete(node.at(OldNode.OUR_SNIPPET));
        node.write("/etc/bigbluebutton/nginx/b3lb-load.nginx.dpkg-dist", ours);
        Cli run = Cli.run("migrate", "--root", root.toString());
        assertThat(run.code()).as(run.toString()).isZero();
        assertThat(run.out()).contains("done: put b3lb-node's snippet in place as /etc/bigbluebutton/nginx/b3lb-load.nginx");
        assertThat(node.at("/etc/bigbluebutton/nginx/b3lb-load.nginx")).hasContent(ours);
        assertThat(node.at("/etc/bigbluebutton/nginx/b3lb-load.nginx.dpkg-dist")).doesNotExist();
    }
}
