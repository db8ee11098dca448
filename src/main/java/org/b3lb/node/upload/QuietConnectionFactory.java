package org.b3lb.node.upload;

import java.io.IOException;
import java.net.Socket;
import org.apache.hc.client5.http.io.ManagedHttpClientConnection;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.config.Http1Config;
import org.apache.hc.core5.http.impl.io.DefaultBHttpClientConnection;
import org.apache.hc.core5.http.io.HttpConnectionFactory;
import org.apache.hc.core5.io.CloseMode;

/**
 * Connections that never log headers or wire bytes, and tell an upload's {@link UploadProgress}
 * its status line and how to abort them. Hand-written because httpclient5's own connection logs
 * every header at DEBUG (the secret is one), and Camel has no hook at connection level: the idle
 * watchdog must close the socket of a write a server stopped reading (Java has no write timeout).
 */
final class QuietConnectionFactory implements HttpConnectionFactory<ManagedHttpClientConnection> {

    @Override
    public ManagedHttpClientConnection createConnection(Socket socket) {
        return new QuietConnection();
    }

    static final class QuietConnection extends DefaultBHttpClientConnection implements ManagedHttpClientConnection {

        private volatile UploadProgress current;

        QuietConnection() {
            super(Http1Config.DEFAULT);
        }

        @Override
        public void sendRequestHeader(ClassicHttpRequest request) throws HttpException, IOException {
            current = request.getEntity() instanceof MultipartTarEntity m ? m.progress() : null;
            if (current != null) {
                current.attach(() -> close(CloseMode.IMMEDIATE));
            }
            super.sendRequestHeader(request);
        }

        @Override
        public ClassicHttpResponse receiveResponseHeader() throws HttpException, IOException {
            ClassicHttpResponse response = super.receiveResponseHeader();
            UploadProgress p = current;
            if (p != null && response.getCode() >= 200) {
                p.answered(response.getCode());
            }
            return response;
        }

        @Override
        public Socket getSocket() {
            return getSocketHolder() == null ? null : getSocketHolder().getSocket();
        }

        @Override
        public void passivate() {
            current = null; // idle pooled connections keep their socket timeout; the pool validates before reuse
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
