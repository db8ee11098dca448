package org.b3lb.node.upload;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.component.file.FileComponent;
import org.apache.camel.component.file.FileConsumer;
import org.apache.camel.component.file.FileEndpoint;
import org.apache.camel.component.file.GenericFile;
import org.apache.camel.component.file.GenericFileConfiguration;
import org.apache.camel.component.file.GenericFileEndpoint;
import org.apache.camel.component.file.GenericFileOperationFailedException;
import org.apache.camel.component.file.GenericFileOperations;
import org.apache.camel.component.file.GenericFileProcessStrategy;
import org.apache.camel.util.function.Suppliers;

/**
 * Camel's file component, its consumer listing through {@link MarkerAudit#list} instead of
 * {@code File.listFiles}; every other option of the file component applies as before. Hand-written
 * because Camel 4.18's {@code FileConsumer} keeps its listing private: {@code pollDirectory} and
 * {@code FileEndpoint.newFileConsumer} are the narrowest points a subclass can replace.
 */
final class MarkerComponent extends FileComponent {

    /** The URI scheme the upload route polls: {@code b3lb-markers:<dir>?<file options>}. */
    static final String SCHEME = "b3lb-markers";

    private final MarkerAudit audit;

    MarkerComponent(MarkerAudit audit) {
        this.audit = audit;
    }

    @Override
    protected GenericFileEndpoint<File> buildFileEndpoint(String uri, String remaining, Map<String, Object> parameters) {
        File dir = new File(remaining);
        MarkerEndpoint endpoint = new MarkerEndpoint(uri, this);
        endpoint.setFile(dir);
        GenericFileConfiguration config = new GenericFileConfiguration();
        config.setDirectory(dir.getAbsolutePath());
        endpoint.setConfiguration(config);
        return endpoint;
    }

    private final class MarkerEndpoint extends FileEndpoint {

        MarkerEndpoint(String uri, FileComponent component) {
            super(uri, component);
        }

        @Override
        protected FileConsumer newFileConsumer(Processor processor, GenericFileOperations<File> operations) {
            GenericFileProcessStrategy<File> strategy = getProcessStrategy() != null ? getProcessStrategy() : createGenericFileStrategy();
            return new MarkerConsumer(this, processor, operations, strategy);
        }
    }

    private final class MarkerConsumer extends FileConsumer {

        private static final File[] NO_DONE_FILES = new File[0];

        MarkerConsumer(FileEndpoint endpoint, Processor processor, GenericFileOperations<File> operations,
                GenericFileProcessStrategy<File> strategy) {
            super(endpoint, processor, operations, strategy);
        }

        /** @return false when the batch is full (Camel's "limit hit"), true when the directory was read to its end */
        @Override
        protected boolean pollDirectory(Exchange dynamic, String directory, List<GenericFile<File>> fileList, int depth) {
            Path dir = Path.of(directory);
            if (!Files.isDirectory(dir)) {
                if (getEndpoint().isDirectoryMustExist()) {
                    throw new GenericFileOperationFailedException("Directory does not exist: " + dir);
                }
                return true; // MarkerAudit says so, once
            }
            FileEndpoint endpoint = getEndpoint();
            String charset = endpoint.getCharset();
            try {
                return audit.list(dir, () -> canPollMoreFiles(fileList), marker -> {
                    File file = marker.toFile();
                    String name = file.getName();
                    Supplier<GenericFile<File>> generic = Suppliers.memorize(
                            () -> asGenericFile(directory, file, charset, endpoint.isProbeContentType()));
                    // Camel's own checks: the filter, in-progress and idempotent repositories
                    if (isValidFile(dynamic, generic, name, file.getAbsolutePath(), () -> name, false, NO_DONE_FILES)) {
                        fileList.add(generic.get());
                    }
                });
            } catch (IOException e) {
                throw new GenericFileOperationFailedException("cannot list " + dir + ": " + e, e);
            }
        }
    }
}
