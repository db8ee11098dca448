package org.b3lb.node.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.camel.BeanInject;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.main.MainConfigurationProperties;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.apache.camel.test.main.junit5.Configure;
import org.junit.jupiter.api.Test;

/**
 * The shipped {@code routes/load.camel.yaml} on camel-test-main-junit5: {@code @CamelMainTest}
 * loads the YAML file itself (the {@link Configure} hook sets the routes-include pattern and the
 * platform-http server, as {@code NodeService} does with {@code camel.main.routes-include-pattern}
 * and {@code camel.server.*}) and the test binds the {@code loadResponder} bean the route refers
 * to, over a fixed figure (load average 1.5 on 4 CPUs) so the answer is known to the byte.
 * The port is picked at run time, hence the hook rather than {@code properties = {...}}.
 */
@CamelMainTest(properties = {"camel.main.name=load-route-test", "b3lb.load.enabled=true"})
class LoadRouteCamelMainTest {

    @BindToRegistry("loadResponder")
    LoadResponder responder = new LoadResponder(new LoadSampler(() -> LoadFigure.percent(1.5, 4), System::nanoTime, LoadFigure.Format.PERCENT));

    @BeanInject
    CamelContext context;

    int port;

    @Configure
    protected void configure(MainConfigurationProperties main) throws IOException {
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        main.withRoutesIncludePattern("file:routes/load.camel.yaml");
        main.httpServer().withEnabled(true).withHost("127.0.0.1").withPort(port);
    }

    private HttpResponse<String> send(String method, String path) throws Exception {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).method(method, HttpRequest.BodyPublishers.noBody()).build();
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theYamlRouteAnswersTheFigureOfItsResponderBean() throws Exception {
        NotifyBuilder answered = new NotifyBuilder(context).fromRoute("load").whenCompleted(1).create();

        HttpResponse<String> r = send("GET", "/");

        assertThat(answered.matches(10, TimeUnit.SECONDS)).isTrue();
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("37.50\n");
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
        assertThat(r.headers().firstValueAsLong("Content-Length")).hasValue(6);
    }

    @Test
    void onlyGetAndHeadOnTheRootPath() throws Exception {
        assertThat(send("HEAD", "/").statusCode()).isEqualTo(200);
        assertThat(send("POST", "/").statusCode()).isEqualTo(405);
        assertThat(send("DELETE", "/").statusCode()).isEqualTo(405);
        assertThat(send("GET", "/nope").statusCode()).isEqualTo(404);
    }
}
