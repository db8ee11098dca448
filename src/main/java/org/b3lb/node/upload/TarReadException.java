package org.b3lb.node.upload;

import java.io.IOException;

/** The tar could not be read while streaming it: told apart from network errors, which it is not. */
final class TarReadException extends IOException {

    TarReadException(IOException cause) {
        super(cause.getMessage(), cause);
    }
}
