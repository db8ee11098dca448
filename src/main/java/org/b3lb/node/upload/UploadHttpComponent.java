package org.b3lb.node.upload;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.util.Map;
import org.apache.camel.component.http.HttpComponent;
import org.apache.camel.support.EndpointHelper;
import org.apache.camel.support.jsse.SSLContextParameters;
import org.apache.hc.client5.http.io.HttpClientConnectionManager;

/**
 * camel-http's component, except that an endpoint given its own pool ({@code clientConnectionManager=#...},
 * as the upload route's is) gets that pool from the start instead of a second one the component
 * builds first and the endpoint then drops. Hand-written because camel-http 4.18 builds that
 * throw-away pool for every endpoint, and with it the JDK's default TLS context (trust store read,
 * every CA certificate parsed): ~5 MiB of idle heap and metaspace on a node whose endpoint is
 * plain http, or that has not uploaded yet. Any other endpoint is made exactly as camel-http makes it.
 */
public final class UploadHttpComponent extends HttpComponent {

    static final String OWN_POOL = "clientConnectionManager";

    @Override
    protected HttpClientConnectionManager createConnectionManager(Map<String, Object> parameters, SSLContextParameters ssl,
            Map<String, Object> httpClientOptions) throws GeneralSecurityException, IOException {
        Object own = parameters.get(OWN_POOL);
        if (getClientConnectionManager() == null && own instanceof HttpClientConnectionManager m) {
            return m;
        }
        if (getClientConnectionManager() == null && own instanceof String ref && EndpointHelper.isReferenceParameter(ref)) {
            return EndpointHelper.resolveReferenceParameter(getCamelContext(), ref, HttpClientConnectionManager.class);
        }
        return super.createConnectionManager(parameters, ssl, httpClientOptions);
    }
}
