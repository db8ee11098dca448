package org.b3lb.node.migrate;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Edits the admin's application.properties line by line: a key's active lines get the new value,
 * a key without one gets its line after its commented example ({@code #key=...}) or at the end;
 * every other line, comment and blank stays as it is. Hand-written because java.util.Properties
 * rewrites the whole file and drops the comments that document every key.
 */
final class PropertiesFile {

    private static final Pattern ACTIVE = Pattern.compile("^\\s*([^#!\\s=:][^\\s=:]*)\\s*[=:\\s]\\s*(.*?)\\s*$");
    private static final Pattern EXAMPLE = Pattern.compile("^\\s*[#!]\\s*([^\\s=:]+)\\s*[=:].*$");

    private final Path file;
    private final List<String> lines;
    private final boolean endsWithNewline;

    private PropertiesFile(Path file, List<String> lines, boolean endsWithNewline) {
        this.file = file;
        this.lines = lines;
        this.endsWithNewline = endsWithNewline;
    }

    static PropertiesFile read(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        return new PropertiesFile(file, new ArrayList<>(text.lines().toList()), text.isEmpty() || text.endsWith("\n"));
    }

    /** The value of the key's last active line (the one Properties keeps), or null. */
    String get(String key) {
        String value = null;
        for (String l : lines) {
            Matcher m = ACTIVE.matcher(l);
            if (m.matches() && m.group(1).equals(key)) {
                value = m.group(2);
            }
        }
        return value;
    }

    /** Sets the key; @return false when it already had exactly this value. */
    boolean set(String key, String value) {
        if (value.equals(get(key))) {
            return false;
        }
        boolean replaced = false;
        int example = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (names(ACTIVE, lines.get(i), key)) {
                lines.set(i, key + "=" + value);
                replaced = true;
            } else if (names(EXAMPLE, lines.get(i), key)) {
                example = i;
            }
        }
        if (!replaced) {
            lines.add(example >= 0 ? example + 1 : lines.size(), key + "=" + value);
        }
        return true;
    }

    private static boolean names(Pattern line, String text, String key) {
        Matcher m = line.matcher(text);
        return m.matches() && m.group(1).equals(key);
    }

    void write() throws IOException {
        String text = String.join("\n", lines) + (endsWithNewline && !lines.isEmpty() ? "\n" : "");
        AtomicFiles.write(file, text.getBytes(StandardCharsets.UTF_8), null);
    }
}
