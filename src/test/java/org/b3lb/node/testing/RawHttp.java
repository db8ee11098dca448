package org.b3lb.node.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * One HTTP/1.0 exchange over a plain socket, returning every byte the server sent. Used where a
 * client library would hide what is on the wire (the JDK 17 client reads a body after HEAD).
 */
public final class RawHttp {

    private RawHttp() {
    }

    public static String exchange(int port, String method, String path) throws IOException {
        return send(port, method + " " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n");
    }

    /** Sends {@code request} as it is (it must make the server close: HTTP/1.0 or Connection: close) and returns the answer. */
    public static String send(int port, String request) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            InputStream in = s.getInputStream();
            in.transferTo(out); // the server closes after the response
            return out.toString(StandardCharsets.ISO_8859_1);
        }
    }
}
