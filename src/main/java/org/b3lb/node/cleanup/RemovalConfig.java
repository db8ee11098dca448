package org.b3lb.node.cleanup;

import org.b3lb.node.config.Settings;

/**
 * What goes with a recording whose tar the cleanup deletes, besides its {@code <id>.meta.xml}.
 *
 * @param bbbRecordCommand the program run as {@code <command> --delete <id>}; BBB installs it as
 *                         /usr/bin/bbb-record, tests point it at a script
 */
public record RemovalConfig(boolean deleteBbbRecording, String bbbRecordCommand) {

    public static RemovalConfig from(Settings s) {
        boolean delete = s.bool("b3lb.cleaner.delete-bbb-recording");
        String command = s.string("b3lb.cleaner.bbb-record-command");
        if (!command.matches("[^\\s\\p{Cntrl}]+")) {
            throw s.invalid("b3lb.cleaner.bbb-record-command", "must be the path of BBB's bbb-record program,"
                    + " such as /usr/bin/bbb-record (no arguments: the cleanup adds --delete <id>)");
        }
        return new RemovalConfig(delete, command);
    }
}
