package org.b3lb.node.upload;

import java.net.Socket;
import org.apache.hc.client5.http.io.ManagedHttpClientConnection;
import org.apache.hc.core5.http.config.Http1Config;
import org.apache.hc.core5.http.impl.io.DefaultBHttpClientConnection;
import org.apache.hc.core5.http.io.HttpConnectionFactory;

/**
 * Connections that never log request headers or wire bytes. httpclient5's own connection logs
 * every header (org.apache.hc.client5.http.headers) and every byte (.wire) at DEBUG, and the node
 * secret travels in a header: an admin raising the log level to chase a problem must not leak it.
 */
final class QuietConnectionFactory implements HttpConnectionFactory<ManagedHttpClientConnection> {

    @Override
    public ManagedHttpClientConnection createConnection(Socket socket) {
        return new QuietConnection();
    }

    static final class QuietConnection extends DefaultBHttpClientConnection implements ManagedHttpClientConnection {

        QuietConnection() {
            super(Http1Config.DEFAULT);
        }

        @Override
        public Socket getSocket() {
            return getSocketHolder() == null ? null : getSocketHolder().getSocket();
        }

        @Override
        public void passivate() {
            // idle pooled connections keep their socket timeout; the pool validates before reuse
        }

        @Override
        public void activate() {
            // nothing to restore, see passivate
        }

        @Override
        public String toString() {
            return "upload connection " + getRemoteAddress();
        }
    }
}
