package dev.passerelle.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.passerelle.peers.SipPhone;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** {@code GET /health} of a whole gateway, as a load balancer's probe sees it. */
class HealthIT {

    private static HttpResponse<String> health(GatewayHarness gateway) throws Exception {
        return HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.gateway().webSocketPort() + "/health"))
                        .timeout(GatewayHarness.WAIT).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aStartedNodeReportsItselfAndItsStoreUp() throws Exception {
        try (GatewayHarness gateway = GatewayHarness.start()) {
            HttpResponse<String> r = health(gateway);
            assertEquals(200, r.statusCode(), r.body());
            assertEquals("{\"status\":\"up\",\"node\":\"it-node\",\"store\":{\"type\":\"memory\",\"status\":\"up\","
                    + "\"detail\":\"in memory (this node only)\"},\"outboundProxy\":[]}", r.body());
        }
    }

    @Test
    void theOutboundProxyAddressIsReported() throws Exception {
        try (SipPhone proxy = SipPhone.start();
                GatewayHarness gateway = GatewayHarness.start("sip:127.0.0.1:" + proxy.port() + ";transport=udp")) {
            HttpResponse<String> r = health(gateway);
            assertEquals(200, r.statusCode(), r.body());
            assertTrue(r.body().endsWith(",\"outboundProxy\":[{\"address\":\"127.0.0.1\",\"port\":" + proxy.port()
                    + ",\"transport\":\"udp\",\"state\":\"current\"}]}"), r.body());
        }
    }
}
