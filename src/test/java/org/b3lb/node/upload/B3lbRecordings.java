package org.b3lb.node.upload;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;

/**
 * What the hook leaves under {@code b3lb.protocol=b3lb}, in its order: {@code <id>.meta.xml} (the
 * published metadata.xml), {@code <id>.tar}, then {@code <id>.ready} holding the nonce and a newline.
 */
final class B3lbRecordings {

    private static final String POOL = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!@*(-_)";
    private static final SecureRandom RANDOM = new SecureRandom();

    private B3lbRecordings() {
    }

    /** 64 characters of B3LB's NONCE_CHAR_POOL, each of its specials included. */
    static String nonce() {
        StringBuilder sb = new StringBuilder("!@*(-_)");
        while (sb.length() < 64) {
            sb.append(POOL.charAt(RANDOM.nextInt(POOL.length())));
        }
        return sb.toString();
    }

    /** A metadata.xml as BBB 2.7 publishes it, with B3LB's nonce in meta. */
    static String metadata(String id, String nonce, boolean breakout) {
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<recording>\n"
                + "  <id>" + id + "</id>\n  <state>published</state>\n  <published>true</published>\n"
                + "  <start_time>1700000000000</start_time>\n  <end_time>1700000600000</end_time>\n"
                + "  <participants>3</participants>\n  <rawSize>12345</rawSize>\n"
                + "  <meeting id=\"" + id + "\" externalId=\"room-1\" name=\"Room 1\" breakout=\"" + breakout + "\"/>\n"
                + "  <meta>\n    <isBreakout>" + breakout + "</isBreakout>\n    <meetingName>Room 1</meetingName>\n"
                + "    <b3lb-recordset>" + nonce + "</b3lb-recordset>\n    <bbb-origin>Greenlight</bbb-origin>\n  </meta>\n"
                + "  <playback>\n    <format>presentation</format>\n"
                + "    <link>https://bbb.example.com/playback/presentation/2.3/" + id + "</link>\n"
                + "    <duration>600000</duration>\n  </playback>\n</recording>\n";
    }

    static Path meta(Path dir, String id, String xml) throws IOException {
        return Files.writeString(dir.resolve(id + ".meta.xml"), xml, StandardCharsets.UTF_8);
    }

    /** meta.xml, tar, marker with the nonce, as the hook writes them. */
    static Path ready(Path dir, String id, String nonce, String metaXml, int tarSize) throws IOException {
        meta(dir, id, metaXml);
        Path tar = Recordings.tar(dir, id, tarSize);
        Files.writeString(dir.resolve(id + ".ready"), nonce + "\n", StandardCharsets.US_ASCII);
        return tar;
    }

    static Path ready(Path dir, String id, String nonce, int tarSize) throws IOException {
        return ready(dir, id, nonce, metadata(id, nonce, false), tarSize);
    }
}
