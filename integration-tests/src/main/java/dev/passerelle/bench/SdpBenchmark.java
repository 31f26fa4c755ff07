package dev.passerelle.bench;

import dev.passerelle.gateway.sdp.CodecPolicy;
import dev.passerelle.gateway.sdp.Sdp;
import dev.passerelle.gateway.sdp.SdpParser;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the gateway spends on each SDP that crosses it: parse, codec policy, write. Run single
 * threaded: the figure is per core. The offers are the captured Chromium 156 one (audio + video,
 * 6.4 KB, 170 lines) and the baresip 1.0 one (plain RTP audio, 360 bytes). Run from the project
 * root (exec:exec, not exec:java, so that JMH's fork gets the module's class path):
 *
 * <pre>
 * mvn -o -B -q -pl integration-tests -am -DskipTests -Dexec.skip=true package \
 *     org.codehaus.mojo:exec-maven-plugin:exec -Dexec.executable=java \
 *     -Dexec.args="-cp %classpath org.openjdk.jmh.Main SdpBenchmark -t 1"
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class SdpBenchmark {

    @Param({"chromium-offer.sdp", "baresip-offer.sdp"})
    public String offer;

    private String text;
    private final SdpParser parser = new SdpParser();
    private final CodecPolicy policy = CodecPolicy.defaults();

    @Setup
    public void load() throws IOException {
        try (InputStream in = SdpBenchmark.class.getResourceAsStream("/sdp/" + offer)) {
            if (in == null) {
                throw new IllegalStateException("sdp/" + offer + " is not on the class path");
            }
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** Parsing alone, with every check. */
    @Benchmark
    public Sdp parse() {
        return parser.parse(text);
    }

    /** What an offer costs the gateway: parse, apply the default codec policy, write. */
    @Benchmark
    public String parsePolicyWrite() {
        return policy.apply(parser.parse(text)).write();
    }
}
