package org.b3lb.node.ops;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import org.apache.camel.util.json.DeserializationException;
import org.apache.camel.util.json.JsonObject;
import org.apache.camel.util.json.Jsoner;

/**
 * The admin commands' way to the running service: its management port. HttpURLConnection, not
 * the JDK's HttpClient: one short request does not need the client's thread pool.
 */
public final class ServiceClient {

    /** Nothing listens on the management port: the service is not running (or elsewhere). */
    public static final class NotRunning extends Exception {
        public NotRunning(String message) {
            super(message);
        }
    }

    private final String address;

    public ServiceClient(String host, int port) {
        // a wildcard listen address is reached on loopback
        String h = host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]") ? "127.0.0.1" : host;
        this.address = (h.contains(":") ? "[" + h + "]" : h) + ":" + port;
    }

    public JsonObject status() throws NotRunning, IOException {
        String url = "http://" + address + StatusEndpoint.PATH;
        HttpURLConnection c = (HttpURLConnection) new URL(url).openConnection();
        c.setConnectTimeout(3_000);
        c.setReadTimeout(30_000);
        // one request per command: a kept-alive connection would outlive a restarted service
        c.setRequestProperty("Connection", "close");
        int code;
        try {
            code = c.getResponseCode();
        } catch (ConnectException e) {
            throw new NotRunning("b3lb-node is not running: nothing answers on " + address
                    + " (b3lb.management.host/port); systemctl status b3lb-node");
        }
        if (code == 404) {
            throw new IOException(url + " answered 404: the service there is an older"
                    + " b3lb-node or another program; b3lb-node --version and systemctl status b3lb-node");
        }
        if (code != 200) {
            throw new IOException(url + " answered HTTP " + code);
        }
        try (InputStream in = c.getInputStream()) {
            return (JsonObject) Jsoner.deserialize(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (DeserializationException | ClassCastException e) {
            throw new IOException(url + " answered something that is not b3lb-node's status (another program on that port?)");
        }
    }
}
