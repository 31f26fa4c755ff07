package dev.passerelle.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** {@code GET /health} of a whole gateway, as a load balancer's probe sees it. */
class HealthIT {

    @Test
    void aStartedNodeReportsItselfAndItsStoreUp() throws Exception {
        try (GatewayHarness gateway = GatewayHarness.start()) {
            HttpResponse<String> r = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.gateway().webSocketPort() + "/health"))
                            .timeout(GatewayHarness.WAIT).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
            assertEquals("{\"status\":\"up\",\"node\":\"it-node\",\"store\":{\"type\":\"memory\",\"status\":\"up\","
                    + "\"detail\":\"in memory (this node only)\"}}", r.body());
        }
    }
}
