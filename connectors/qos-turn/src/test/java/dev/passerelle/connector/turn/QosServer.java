package dev.passerelle.connector.turn;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A QoS server for the tests: a real HTTP server on a loopback port that records every POST and
 * answers with the status the test sets, or stalls until the test releases it.
 */
final class QosServer implements AutoCloseable {

    /** One POST as the server saw it. */
    record Received(String method, String contentType, String authorization, JsonNode body) {}

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
    private final AtomicInteger status = new AtomicInteger(200);
    private final BlockingQueue<Boolean> entered = new LinkedBlockingQueue<>();
    private volatile CountDownLatch stall = new CountDownLatch(0);

    private QosServer(int port) {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/reports", exchange -> {
            entered.add(Boolean.TRUE);
            try {
                stall.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            byte[] body = exchange.getRequestBody().readAllBytes();
            int answer = status.get();
            if (answer / 100 == 2) {
                received.add(new Received(exchange.getRequestMethod(),
                        exchange.getRequestHeaders().getFirst("Content-Type"),
                        exchange.getRequestHeaders().getFirst("Authorization"), JSON.readTree(body)));
            }
            exchange.sendResponseHeaders(answer, -1);
            exchange.close();
        });
        server.setExecutor(null);
        server.start();
    }

    /** A server on a free port. */
    static QosServer start() {
        return new QosServer(0);
    }

    /** A server on {@code port}, e.g. one that was refusing connections so far. */
    static QosServer startOn(int port) {
        return new QosServer(port);
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/reports");
    }

    /** From now on, POSTs are answered with {@code code} and not recorded unless it is 2xx. */
    void answer(int code) {
        status.set(code);
    }

    /** From now on, POSTs wait until {@link #release()}. */
    void stall() {
        stall = new CountDownLatch(1);
    }

    void release() {
        stall.countDown();
    }

    /** Waits until a POST reached the server (recorded or not). */
    void awaitRequest(Duration wait) throws InterruptedException {
        if (entered.poll(wait.toMillis(), TimeUnit.MILLISECONDS) == null) {
            throw new AssertionError("no POST reached the QoS server within " + wait);
        }
    }

    /** The next recorded POST, or an AssertionError after {@code wait}. */
    Received next(Duration wait) throws InterruptedException {
        Received r = received.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
        if (r == null) {
            throw new AssertionError("the QoS server received nothing within " + wait);
        }
        return r;
    }

    /** Recorded POSTs not taken by {@link #next} yet. */
    int pending() {
        return received.size();
    }

    @Override
    public void close() {
        release();
        server.stop(0);
    }
}
