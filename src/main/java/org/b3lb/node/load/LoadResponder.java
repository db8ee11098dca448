package org.b3lb.node.load;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;

/**
 * Turns a load request into the answer: {@code 200 text/plain "45.32\n"}, or 503 when the source has
 * no figure, no load average from the OS or no /proc/stat sample (the balancer then keeps its last
 * value rather than reading garbage).
 */
public final class LoadResponder implements Processor {

    private static final byte[] UNAVAILABLE = "load figure unavailable\n".getBytes(StandardCharsets.US_ASCII);

    private final LoadSampler sampler;

    public LoadResponder(LoadSampler sampler) {
        this.sampler = sampler;
    }

    @Override
    public void process(Exchange exchange) {
        Message m = exchange.getMessage();
        // request headers would otherwise be echoed back as response headers
        m.removeHeaders("*");
        byte[] body = sampler.body();
        m.setHeader(Exchange.HTTP_RESPONSE_CODE, body == null ? 503 : 200);
        m.setHeader(Exchange.CONTENT_TYPE, "text/plain; charset=utf-8");
        // a ByteBuffer: platform-http (4.18) sends it with Content-Length in one write on the event
        // loop, while a byte[] takes its fallback path (converted to an InputStream, pumped by
        // blocking reads on worker threads), most of the CPU and garbage per request (docs/benchmarks.md)
        m.setBody(ByteBuffer.wrap(body == null ? UNAVAILABLE : body));
    }
}
