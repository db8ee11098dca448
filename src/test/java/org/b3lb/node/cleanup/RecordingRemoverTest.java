package org.b3lb.node.cleanup;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.b3lb.node.cleanup.RetentionRule.Verdict;
import org.b3lb.node.layout.RecordingFiles;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * What goes with a tar the cleanup deletes: its {@code <id>.meta.xml} (a regular file only) and,
 * when configured, {@code bbb-record --delete <id>}, run as a real program (a script that records
 * its arguments), never for a recording with a marker.
 */
class RecordingRemoverTest {

    @TempDir
    Path tmp;
    Path dir;
    Path outside;
    Path argsFile;
    List<String> report = new ArrayList<>();
    ListAppender<ILoggingEvent> log = new ListAppender<>();

    @BeforeEach
    void setUp() throws IOException {
        dir = Files.createDirectory(tmp.resolve("archived"));
        outside = Files.createDirectory(tmp.resolve("elsewhere"));
        argsFile = tmp.resolve("bbb-record.args");
        log.start();
        ((Logger) LoggerFactory.getLogger(BbbRecord.class)).addAppender(log);
        ((Logger) LoggerFactory.getLogger(RecordingRemover.class)).addAppender(log);
    }

    @AfterEach
    void tearDown() {
        ((Logger) LoggerFactory.getLogger(BbbRecord.class)).detachAppender(log);
        ((Logger) LoggerFactory.getLogger(RecordingRemover.class)).detachAppender(log);
    }

    /** A stand-in for /usr/bin/bbb-record: appends its arguments to a file, exits with {@code code}. */
    Path script(int code) throws IOException {
        Path s = tmp.resolve("bbb-record-" + code);
        Files.writeString(s, "#!/bin/sh\necho \"$@\" >> '" + argsFile + "'\nexit " + code + "\n");
        Files.setPosixFilePermissions(s, PosixFilePermissions.fromString("rwxr-xr-x"));
        return s;
    }

    CleanupResult pass(boolean dryRun, String bbbRecord) {
        return new CleanupPass(dir, new RetentionRule(Duration.ofDays(7)), dryRun, new CleanupMetrics(new SimpleMeterRegistry(), java.time.Instant.now()),
                new RecordingRemover(Files::delete, bbbRecord), report::add, Clock.systemUTC(), org.b3lb.node.config.Protocol.SPEC).run();
    }

    List<String> recordedArgs() throws IOException {
        return Files.exists(argsFile) ? Files.readAllLines(argsFile, StandardCharsets.UTF_8) : List.of();
    }

    @Test
    void theMetaXmlGoesWithItsTarAndIsCountedAsFreed() throws IOException {
        Fixture.uploaded(dir, "rec-1.tar", Fixture.OLD, 3000);
        Fixture.file(dir, "rec-1.meta.xml", Fixture.OLD, 200);
        Fixture.uploaded(dir, "young.tar", Fixture.NEW, 3000);
        Fixture.file(dir, "young.meta.xml", Fixture.NEW, 200);
        Fixture.file(dir, "pending.tar", Fixture.OLD, 3000);
        Fixture.file(dir, "pending.meta.xml", Fixture.OLD, 200);
        Fixture.file(dir, "pending.ready", Fixture.OLD, 0);
        Fixture.file(dir, "orphan.meta.xml", Fixture.OLD, 200);

        CleanupResult r = pass(false, null);

        assertThat(r.deleted()).isEqualTo(1);
        assertThat(r.freedBytes()).isEqualTo(3200);
        assertThat(Fixture.names(dir)).containsExactlyInAnyOrder("young.tar", "young.uploaded", "young.meta.xml", "pending.tar",
                "pending.meta.xml", "pending.ready", "orphan.meta.xml");
        assertThat(report).singleElement().asString().startsWith("deleted rec-1.tar and rec-1.meta.xml (3.1 KiB, uploaded ");
    }

    @Test
    void aSymlinkedOrDirectoryMetaXmlIsLeftAlone() throws IOException {
        Fixture.uploaded(dir, "rec-1.tar", Fixture.OLD);
        Path target = Fixture.file(outside, "important.xml", Fixture.OLD);
        Files.createSymbolicLink(dir.resolve("rec-1.meta.xml"), target);
        Fixture.uploaded(dir, "rec-2.tar", Fixture.OLD);
        Files.createDirectory(dir.resolve("rec-2.meta.xml"));

        CleanupResult r = pass(false, null);

        assertThat(r.deleted()).isEqualTo(2);
        assertThat(r.errors()).isZero();
        assertThat(Fixture.names(dir)).containsExactlyInAnyOrder("rec-1.meta.xml", "rec-2.meta.xml");
        assertThat(Files.isSymbolicLink(dir.resolve("rec-1.meta.xml"))).isTrue();
        assertThat(target).exists();
        assertThat(log.list).filteredOn(e -> e.getLevel() == Level.WARN).hasSize(2);
    }

    @Test
    void bbbRecordDeleteRunsForEachRemovedRecordingOnly() throws IOException {
        Fixture.uploaded(dir, "rec-1.tar", Fixture.OLD);
        Fixture.uploaded(dir, "rec-2.tar", Fixture.OLD);
        Fixture.file(dir, "pending.tar", Fixture.OLD);
        Fixture.file(dir, "pending.ready", Fixture.OLD, 0);
        Fixture.uploaded(dir, "young.tar", Fixture.NEW);

        Path bbbRecord = script(0);
        CleanupResult r = pass(false, bbbRecord.toString());

        assertThat(r.deleted()).isEqualTo(2);
        assertThat(r.errors()).isZero();
        assertThat(recordedArgs()).containsExactlyInAnyOrder("--delete rec-1", "--delete rec-2");
        assertThat(report).filteredOn(l -> l.startsWith("deleted rec-1.tar, then " + bbbRecord + " --delete rec-1 ("))
                .hasSize(1);
    }

    @Test
    void aFailingBbbRecordIsOneWarningAndThePassGoesOn() throws IOException {
        Fixture.uploaded(dir, "rec-1.tar", Fixture.OLD);
        Fixture.uploaded(dir, "rec-2.tar", Fixture.OLD);

        CleanupResult r = pass(false, script(3).toString());

        assertThat(r.deleted()).isEqualTo(2);
        assertThat(r.errors()).isZero();
        assertThat(Fixture.names(dir)).isEmpty();
        assertThat(recordedArgs()).hasSize(2);
        List<ILoggingEvent> warnings = log.list.stream().filter(e -> e.getLevel() == Level.WARN).toList();
        assertThat(warnings).hasSize(2);
        assertThat(warnings.get(0).getFormattedMessage()).contains(" --delete rec-").contains(" exited 3; ");
    }

    @Test
    void aMissingBbbRecordIsAWarningNamingTheKey() throws IOException {
        Fixture.uploaded(dir, "rec-1.tar", Fixture.OLD);
        CleanupResult r = pass(false, tmp.resolve("no-such-bbb-record").toString());
        assertThat(r.deleted()).isEqualTo(1);
        assertThat(r.errors()).isZero();
        assertThat(log.list).filteredOn(e -> e.getLevel() == Level.WARN).singleElement()
                .extracting(ILoggingEvent::getFormattedMessage).asString().contains("check b3lb.cleaner.bbb-record-command");
    }

    @Test
    void aDryRunNamesWhatWouldGoAndRunsNothing() throws IOException {
        Fixture.uploaded(dir, "rec-1.tar", Fixture.OLD, 1000);
        Fixture.file(dir, "rec-1.meta.xml", Fixture.OLD, 100);

        CleanupResult r = pass(true, script(0).toString());

        assertThat(r.freedBytes()).isEqualTo(1100);
        assertThat(report).containsExactly("would delete rec-1.tar (1000 B) and rec-1.meta.xml, then run " + script(0)
                + " --delete rec-1");
        assertThat(recordedArgs()).isEmpty();
        assertThat(Fixture.names(dir)).hasSize(3);
    }

    @Test
    void aVersionRenamedIntoPlaceBetweenTheLastLookAndTheDeleteIsPutBackNotDeleted() throws IOException {
        Path tar = Fixture.uploaded(dir, "rec-1.tar", Fixture.OLD);
        byte[] versionB = "version B, packed by a rebuild".getBytes(StandardCharsets.US_ASCII);
        RecordingRemover remover = new RecordingRemover(Files::delete, (from, to) -> {
            // the hook renames version B into place right after the remover's last look
            Files.move(Files.write(outside.resolve("b"), versionB), from, StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        }, null);
        RetentionRule rule = new RetentionRule(Duration.ofDays(7));

        RecordingRemover.Outcome o = remover.removeIfStillExpired(new RecordingFiles(dir, "rec-1"), rule,
                rule.cutoffMillis(Instant.now()));

        assertThat(o.verdict()).isEqualTo(Verdict.RETAINED);
        assertThat(tar).hasBinaryContent(versionB);
        assertThat(Fixture.names(dir)).containsExactlyInAnyOrder("rec-1.tar", "rec-1.uploaded");
    }

    @Test
    void twoVersionsInPlaceDuringTheDeleteAreBothKept() throws IOException {
        Path tar = Fixture.uploaded(dir, "rec-1.tar", Fixture.OLD);
        RecordingRemover remover = new RecordingRemover(Files::delete, (from, to) -> {
            Files.move(Files.writeString(outside.resolve("b"), "B"), from, StandardCopyOption.REPLACE_EXISTING);
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
            Files.move(Files.writeString(outside.resolve("c"), "C"), from); // and yet another before it is put back
        }, null);
        RetentionRule rule = new RetentionRule(Duration.ofDays(7));

        remover.removeIfStillExpired(new RecordingFiles(dir, "rec-1"), rule, rule.cutoffMillis(Instant.now()));

        assertThat(tar).hasContent("C");
        Path aside = Fixture.names(dir).stream().filter(n -> n.startsWith(".rec-1.tar.cleanup")).map(dir::resolve)
                .findFirst().orElseThrow();
        assertThat(aside).hasContent("B");
        assertThat(log.list).filteredOn(e -> e.getLevel() == Level.ERROR).singleElement()
                .extracting(ILoggingEvent::getFormattedMessage).asString().contains("was replaced twice");
    }
}
