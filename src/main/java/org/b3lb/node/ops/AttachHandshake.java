package org.b3lb.node.ops;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;

/**
 * Prepares the JDK's Attach API for a JVM that systemd runs with {@code PrivateTmp=yes}, and
 * refuses, before any signal is sent, an attach the JVM would answer with a thread dump.
 * Hand-written because the JDK's client cannot do either: on Linux (JDK 17 and 21) it looks for
 * the JVM's socket {@code .java_pid<pid>} only in its own {@code /tmp} when both share a PID
 * namespace, while HotSpot always creates it in the {@code /tmp} it sees, the service's private
 * one; and it sends SIGQUIT even where the JVM cannot see its {@code .attach_pid<pid>} request,
 * which HotSpot then treats as a plain SIGQUIT and prints a thread dump into the journal.
 *
 * <p>Here the request is created where HotSpot looks first, the JVM's working directory (the unit
 * makes that {@code /run/b3lb-node}, writable by the service's user), else its {@code /tmp}; the
 * socket is reached through a link {@code /tmp/.java_pid<pid>} to
 * {@code /proc/<pid>/root/tmp/.java_pid<pid>}. The JDK still checks that the socket belongs to
 * this user and that no one else may use it.
 */
final class AttachHandshake implements AutoCloseable {

    private final Path request;
    private final Path link;

    private AttachHandshake(Path request, Path link) {
        this.request = request;
        this.link = link;
    }

    static AttachHandshake prepare(long pid) throws IOException {
        Path proc = Path.of("/proc", Long.toString(pid));
        int serviceUid = (Integer) Files.getAttribute(proc, "unix:uid");
        int myUid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        if (myUid != 0 && myUid != serviceUid) {
            // HotSpot ignores a request of another user: the signal would only print a thread dump
            throw new IOException("the service runs as uid " + serviceUid + ", this command as uid " + myUid
                    + "; run it as root or as the service's user");
        }
        long nsPid = innermostPid(proc, pid);
        Path theirTmp = proc.resolve("root/tmp");
        Path socket = theirTmp.resolve(".java_pid" + nsPid);
        Path request = null;
        if (!Files.exists(socket)) {
            if (!Files.isWritable(theirTmp)) {
                throw new IOException("the service's /tmp is read-only, and its JVM can only create its attach socket"
                        + " there; keep PrivateTmp=yes in the unit (systemctl cat b3lb-node)");
            }
            request = createRequest(proc.resolve("cwd").resolve(".attach_pid" + nsPid),
                    theirTmp.resolve(".attach_pid" + nsPid), proc);
        }
        Path link = null;
        try {
            if (nsPid == pid && !Files.isSameFile(Path.of("/tmp"), theirTmp)) {
                link = linkSocket(Path.of("/tmp", ".java_pid" + pid), socket);
            }
        } catch (IOException e) {
            if (request != null) {
                Files.deleteIfExists(request);
            }
            throw e;
        }
        return new AttachHandshake(request, link);
    }

    private static Path createRequest(Path inCwd, Path inTmp, Path proc) throws IOException {
        for (Path p : List.of(inCwd, inTmp)) {
            try {
                Files.createFile(p);
                return p;
            } catch (FileAlreadyExistsException e) {
                return p;
            } catch (IOException e) {
                // next place
            }
        }
        throw new IOException("cannot leave the attach request in the service's working directory ("
                + Files.readSymbolicLink(proc.resolve("cwd")) + ") or its /tmp, so its JVM would print a thread dump"
                + " instead of attaching; the packaged unit sets WorkingDirectory=/run/b3lb-node for this");
    }

    private static Path linkSocket(Path link, Path socket) throws IOException {
        try {
            Files.createSymbolicLink(link, socket);
            return link;
        } catch (FileAlreadyExistsException e) {
            // left by an interrupted run of this command: the same link is fine, anything else is not ours
            if (Files.isSymbolicLink(link) && Files.readSymbolicLink(link).equals(socket)
                    && Files.getAttribute(link, "unix:uid", LinkOption.NOFOLLOW_LINKS)
                            .equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"))) {
                return link;
            }
            throw new IOException(link + " exists and is not this command's link to the service's socket; remove it"
                    + " if no JVM of that process id runs outside the service");
        }
    }

    /** The process id the JVM knows itself by: the last NSpid of its status, as the JDK's client reads it. */
    private static long innermostPid(Path proc, long pid) throws IOException {
        for (String line : Files.readAllLines(proc.resolve("status"))) {
            if (line.startsWith("NSpid:")) {
                String[] ids = line.substring(6).trim().split("\\s+");
                return Long.parseLong(ids[ids.length - 1]);
            }
        }
        return pid;
    }

    @Override
    public void close() throws IOException {
        if (link != null) {
            Files.deleteIfExists(link);
        }
        if (request != null) {
            Files.deleteIfExists(request);
        }
    }
}
