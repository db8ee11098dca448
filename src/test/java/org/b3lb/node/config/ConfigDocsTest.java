package org.b3lb.node.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The project's rule that every setting is documented with its default and its environment variable,
 * held against the shipped config/application.properties: each of its keys (the active lines, and the
 * protocol-dependent keys it shows as {@code #key=value}) has a row in README's "All settings" table
 * and in docs/configuration.md naming {@link Settings#environmentName} and the shipped default. Docs
 * may list more keys than the file (a key documented before its code lands); never fewer.
 */
class ConfigDocsTest {

    private static final Path SHIPPED = Path.of("config", "application.properties");
    private static final Pattern COMMENTED_KEY = Pattern.compile("^#(b3lb\\.[a-z0-9.-]+)=(.*)$");
    private static final Pattern CODE = Pattern.compile("`([^`]*)`");

    /** One documented key: its default cell and its environment-variable cell, as written. */
    record Row(String defaultCell, String envCell) {
    }

    /** A shipped key and its default; {@code b3lbDefault} is null unless the protocol changes it. */
    record Shipped(String key, String value, String b3lbDefault) {
    }

    @Test
    void everyShippedKeyIsInReadmesTableWithItsDefaultAndEnvironmentVariable() throws IOException {
        assertThat(problems(shipped(), readmeTable(Files.readString(Path.of("README.md"))), "README.md (All settings)"))
                .isEmpty();
    }

    @Test
    void everyShippedKeyIsInConfigurationMdWithItsDefaultAndEnvironmentVariable() throws IOException {
        assertThat(problems(shipped(), rows(Files.readString(Path.of("docs", "configuration.md"))), "docs/configuration.md"))
                .isEmpty();
    }

    @Test
    void aMissingRowOrAWrongDefaultIsNamed(@TempDir Path dir) throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        String edited = readme
                .replaceAll("(?m)^\\| `b3lb\\.upload\\.poll-delay` .*\\R", "")
                .replace("| `b3lb.load.port` | `8765` |", "| `b3lb.load.port` | `8766` |")
                .replace("`B3LB_CLEANER_DRY_RUN`", "`B3LB_CLEANER_DRYRUN`");
        Path copy = dir.resolve("README.md");
        Files.writeString(copy, edited);

        List<String> found = problems(shipped(), readmeTable(Files.readString(copy)), "README.md (All settings)");

        assertThat(found).containsExactlyInAnyOrder(
                "README.md (All settings) has no row for b3lb.upload.poll-delay (default 5s, B3LB_UPLOAD_POLL_DELAY)",
                "README.md (All settings): b3lb.load.port's default is '`8766`', the shipped file says 8765",
                "README.md (All settings): b3lb.cleaner.dry-run's environment variable is '`B3LB_CLEANER_DRYRUN`',"
                        + " expected B3LB_CLEANER_DRY_RUN");
    }

    /** The keys of the shipped file with their defaults; commented keys take the spec protocol's. */
    static List<Shipped> shipped() throws IOException {
        String text = Files.readString(SHIPPED);
        Properties active = new Properties();
        active.load(new StringReader(text));
        Properties spec = resource("/b3lb/protocol-spec.properties");
        Properties b3lb = resource("/b3lb/protocol-b3lb.properties");
        Map<String, Shipped> keys = new LinkedHashMap<>();
        for (String name : active.stringPropertyNames()) {
            keys.put(name, new Shipped(name, active.getProperty(name), b3lb.getProperty(name)));
        }
        for (String line : text.split("\\R")) {
            Matcher m = COMMENTED_KEY.matcher(line);
            if (m.matches() && !keys.containsKey(m.group(1))) {
                String key = m.group(1);
                assertThat(spec.getProperty(key)).as("default of the commented key %s in protocol-spec.properties", key).isNotNull();
                keys.put(key, new Shipped(key, spec.getProperty(key), b3lb.getProperty(key)));
            }
        }
        assertThat(keys).as("keys of %s", SHIPPED).hasSizeGreaterThan(20);
        return new ArrayList<>(keys.values());
    }

    static List<String> problems(List<Shipped> keys, Map<String, Row> doc, String where) {
        List<String> problems = new ArrayList<>();
        for (Shipped k : keys) {
            String env = Settings.environmentName(k.key());
            Row row = doc.get(k.key());
            if (row == null) {
                problems.add(where + " has no row for " + k.key() + " (default " + (k.value().isEmpty() ? "empty" : k.value())
                        + ", " + env + ")");
                continue;
            }
            if (!defaultMatches(row.defaultCell(), k.value())) {
                problems.add(where + ": " + k.key() + "'s default is '" + row.defaultCell() + "', the shipped file says "
                        + (k.value().isEmpty() ? "empty" : k.value()));
            }
            if (k.b3lbDefault() != null && !row.defaultCell().contains("b3lb: `" + k.b3lbDefault() + "`")) {
                problems.add(where + ": " + k.key() + "'s default does not say 'b3lb: `" + k.b3lbDefault() + "`'");
            }
            if (!row.envCell().equals("`" + env + "`")) {
                problems.add(where + ": " + k.key() + "'s environment variable is '" + row.envCell() + "', expected " + env);
            }
        }
        return problems;
    }

    /** An empty default is written "empty..."; any other is the cell's first code span. */
    private static boolean defaultMatches(String cell, String value) {
        if (value.isEmpty()) {
            return cell.startsWith("empty");
        }
        Matcher m = CODE.matcher(cell);
        return m.find() && m.start() == 0 && m.group(1).equals(value);
    }

    private static Map<String, Row> readmeTable(String readme) {
        int start = readme.indexOf("\n## All settings\n");
        assertThat(start).as("README.md has a section '## All settings'").isNotNegative();
        int end = readme.indexOf("\n## ", start + 1);
        return rows(readme.substring(start, end < 0 ? readme.length() : end));
    }

    /** Table rows whose first cell is a {@code `b3lb.*`} key: key -> (second cell, third cell). */
    static Map<String, Row> rows(String markdown) {
        Map<String, Row> rows = new LinkedHashMap<>();
        for (String line : markdown.split("\\R")) {
            if (!line.startsWith("| `b3lb.")) {
                continue;
            }
            String[] cells = line.substring(1).split(" \\| ");
            if (cells.length < 3) {
                continue;
            }
            String key = cells[0].trim().replace("`", "");
            rows.put(key, new Row(cells[1].trim(), cells[2].trim().replaceAll("\\s*\\|$", "")));
        }
        return rows;
    }

    private static Properties resource(String name) throws IOException {
        Properties p = new Properties();
        try (InputStream in = ConfigDocsTest.class.getResourceAsStream(name)) {
            assertThat(in).as(name).isNotNull();
            p.load(in);
        }
        return p;
    }
}
