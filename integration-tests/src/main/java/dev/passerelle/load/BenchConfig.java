package dev.passerelle.load;

import java.nio.file.Path;
import java.util.Map;

/** The configuration of a gateway a benchmark starts in its own JVM. */
final class BenchConfig {
    private BenchConfig() {}

    /**
     * WebSocket and SIP on free loopback ports, the static identity connector with {@code tokens}
     * (user → token, in order), connector jars from {@code connectorsDir}, then {@code more}
     * (whole top-level YAML sections, or empty).
     */
    static String yaml(Map<String, String> tokens, Path connectorsDir, String more) {
        StringBuilder users = new StringBuilder();
        tokens.forEach((user, token) ->
                users.append("      - {user: ").append(user).append(", token: ").append(token).append("}\n"));
        return """
                websocket:
                  host: 127.0.0.1
                  port: 0
                sip:
                  host: 127.0.0.1
                  port: 0
                identity:
                  connector: static
                  static:
                    users:
                %sconnectors:
                  dir: %s
                """.formatted(users, connectorsDir.toAbsolutePath()) + more;
    }
}
