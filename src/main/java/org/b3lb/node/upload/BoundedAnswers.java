package org.b3lb.node.upload;

import java.io.IOException;
import java.io.InputStream;
import org.apache.hc.client5.http.classic.ExecChain;
import org.apache.hc.client5.http.classic.ExecChainHandler;
import org.apache.hc.client5.http.classic.ExecRuntime;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.HttpHeaders;
import org.apache.hc.core5.http.io.entity.InputStreamEntity;
import org.apache.hc.core5.http.io.support.ClassicRequestBuilder;

/**
 * The outermost step of the upload client's exec chain: every answer's body is read at most
 * {@link #MAX} bytes, then the connection is dropped, not drained, so a server sending 30 MB (or an
 * endless chunked body) costs neither heap nor a worker; a 417 to {@code Expect: 100-continue} is
 * repeated at once without it (RFC 9110 10.1.1). Hand-written because camel-http reads a whole
 * answer into memory and httpclient5 drains the rest on close; an exec chain handler is the one
 * place that sees the response and can drop its connection.
 */
final class BoundedAnswers implements ExecChainHandler {

    static final int MAX = 64 * 1024;
    /** Context attribute: this request goes without {@code Expect} (the server answered 417 to it). */
    static final String NO_EXPECT = "b3lb.no-expect";

    @Override
    public ClassicHttpResponse execute(ClassicHttpRequest request, ExecChain.Scope scope, ExecChain chain)
            throws IOException, HttpException {
        // the protocol step below adds its headers (Content-Length, Expect) to the request it is given: a repeat needs a fresh copy
        ClassicHttpRequest again = ClassicRequestBuilder.copy(request).build();
        ClassicHttpResponse response = chain.proceed(request, scope);
        if (response.getCode() == 417 && request.containsHeader(HttpHeaders.EXPECT)
                && scope.clientContext.getAttribute(NO_EXPECT) == null) {
            scope.execRuntime.discardEndpoint();
            response.close();
            scope.clientContext.setAttribute(NO_EXPECT, Boolean.TRUE);
            response = chain.proceed(again, scope);
        }
        HttpEntity entity = response.getEntity();
        InputStream in = entity == null ? null : entity.getContent();
        if (in != null) {
            // one stream, not repeatable: httpcore5's own entity for it, whose writeTo and close go through the cut
            long n = entity.getContentLength();
            response.setEntity(new InputStreamEntity(new Cut(in, scope.execRuntime), n < 0 || n > MAX ? -1 : n,
                    ContentType.parseLenient(entity.getContentType()), entity.getContentEncoding()));
        }
        return response;
    }

    /** Closed before its end, or at the bound, it drops the connection. */
    static final class Cut extends InputStream {

        private final InputStream in;
        private final ExecRuntime runtime;
        private long left = MAX;
        private boolean eof;
        private boolean closed;

        Cut(InputStream in, ExecRuntime runtime) {
            this.in = in;
            this.runtime = runtime;
        }

        @Override
        public int read() throws IOException {
            byte[] b = new byte[1];
            return read(b, 0, 1) < 0 ? -1 : b[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (closed || eof) {
                return -1;
            }
            if (left == 0) {
                drop();
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n < 0) {
                eof = true;
                return -1;
            }
            left -= n;
            return n;
        }

        @Override
        public void close() throws IOException {
            if (closed) {
                return;
            }
            if (eof) {
                closed = true;
                in.close(); // the whole answer was read: the connection can be kept
            } else {
                drop();
            }
        }

        private void drop() {
            closed = true;
            runtime.discardEndpoint();
        }
    }
}
