package org.b3lb.node.upload;

import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;

/**
 * The upload body's write path alone, without a socket: MultipartTarEntity.writeTo of one tar
 * (uncapped, as the route builds it) to a null stream, ROUNDS times; prints each round's wall and
 * thread CPU seconds. Run by bench/entity-write.sh against two builds, where a socket's figures on
 * a busy machine vary more than any change of this path could. In the entity's package, compiled
 * with javac: it calls package-private API.
 */
public final class EntityWriteBench {

    public static void main(String[] args) throws Exception {
        Recording r = Recording.ofMarker(Path.of(args[0]).toAbsolutePath());
        int rounds = Integer.parseInt(args[1]);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        for (int i = 0; i < rounds; i++) {
            try (SentFiles files = SentFiles.open(r, false)) {
                long size = files.tar().identity().size();
                long cpu = threads.getCurrentThreadCpuTime();
                long start = System.nanoTime();
                MultipartTarEntity.of(r, files, "recording", new UploadProgress(r, size)).writeTo(OutputStream.nullOutputStream());
                System.out.printf("%.4f %.4f%n", (System.nanoTime() - start) / 1e9, (threads.getCurrentThreadCpuTime() - cpu) / 1e9);
            }
        }
    }
}
