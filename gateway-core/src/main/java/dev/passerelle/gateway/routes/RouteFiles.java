package dev.passerelle.gateway.routes;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.builder.RouteBuilderLifecycleStrategy;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Camel route files ({@code *.yaml}, {@code *.yml}, YAML DSL) directly in {@code
 * connectors.dir}, loaded into the gateway's context and kept in step with the folder:
 * <ul>
 *   <li>a new or changed file is loaded as a new version beside the one in use; its routes get
 *       ids of their own ({@code <file>#<n>/<id>}), so both run at once. Once all of them started,
 *       it replaces the previous version for new calls;</li>
 *   <li>a file that does not parse or validate, or whose routes do not start, is refused with
 *       one WARN line naming it and why; what it started is removed, and its previous version
 *       stays in use;</li>
 *   <li>a removed file takes no new calls;</li>
 *   <li>a version no longer in use (replaced or removed) keeps its routes until its last call
 *       ends ({@link RouteVersion#pin()}), then they are stopped and removed, off the thread of
 *       whoever let go of it (which may be one of those routes).</li>
 * </ul>
 * Rescans run one at a time (the watcher's thread, or the start).
 */
final class RouteFiles {
    private static final Logger log = LoggerFactory.getLogger(RouteFiles.class);
    private static final long STOP_SECONDS = 10;

    private final CamelContext camel;
    private final Path dir;
    private final Executor work;
    /** The version in use of each file, by file name. */
    private final Map<String, FileVersion> inUse = new HashMap<>();
    /** Every version whose routes exist, by route id. */
    private final Map<String, FileVersion> byRoute = new ConcurrentHashMap<>();
    private long loaded;

    /** @param work where retired versions' routes are removed */
    RouteFiles(CamelContext camel, Path dir, Executor work) {
        this.camel = camel;
        this.dir = dir;
        this.work = work;
    }

    /** The version a route belongs to; {@link RouteVersion#BUILT_IN} for a route of no file. */
    RouteVersion versionOf(String routeId) {
        FileVersion version = routeId == null ? null : byRoute.get(routeId);
        return version == null ? RouteVersion.BUILT_IN : version;
    }

    /**
     * Applies the folder's content. Returns true when a file could not be read (being written),
     * so that the watcher tries again later.
     */
    synchronized boolean rescan() {
        Map<String, byte[]> present = new HashMap<>();
        boolean retry = false;
        if (Files.isDirectory(dir)) {
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, RouteFiles::isRouteFile)) {
                for (Path file : files) {
                    try {
                        present.put(file.getFileName().toString(), Files.readAllBytes(file));
                    } catch (NoSuchFileException gone) {
                        log.debug("route file {} went away while being read", file);
                    } catch (IOException e) {
                        log.warn("route file {} cannot be read yet: {}", file, e.toString());
                        retry = true;
                    }
                }
            } catch (IOException e) {
                log.warn("connectors.dir {} cannot be listed: {}", dir, e.toString());
                return true;
            }
        }
        for (String gone : new ArrayList<>(inUse.keySet())) {
            if (!present.containsKey(gone)) {
                remove(gone);
            }
        }
        present.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(file -> {
            FileVersion current = inUse.get(file.getKey());
            if (current == null || !Arrays.equals(current.content, file.getValue())) {
                load(file.getKey(), file.getValue(), current);
            }
        });
        return retry;
    }

    private static boolean isRouteFile(Path path) {
        String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
        return (name.endsWith(".yaml") || name.endsWith(".yml")) && !name.startsWith(".") && Files.isRegularFile(path);
    }

    private void load(String file, byte[] content, FileVersion previous) {
        FileVersion version = new FileVersion(file, ++loaded, content);
        try {
            // The YAML DSL's loader goes by the location's extension; ".yml" is the same language.
            String location = file.substring(0, file.lastIndexOf('.')) + ".yaml";
            Resource resource = ResourceHelper.fromBytes(location, content);
            for (RoutesBuilder builder : PluginHelper.getRoutesLoader(camel).findRoutesBuilders(resource)) {
                if (builder instanceof RouteBuilder routes) {
                    routes.addLifecycleInterceptor(version.naming());
                }
                camel.addRoutes(builder);
            }
            if (version.routeIds.isEmpty()) {
                throw new IllegalArgumentException("it declares no route");
            }
        } catch (Exception e) {
            removeRoutes(version);
            log.warn("route file {} refused: {}; {}", file, reason(e), previous == null
                    ? "it is not loaded" : "version " + previous.sequence + " stays in use");
            return;
        }
        inUse.put(file, version);
        version.takeOver();
        if (previous == null) {
            log.info("route file {} loaded as version {}: routes {}", file, version.sequence, version.routeIds);
        } else {
            log.info("route file {} replaced: version {} (routes {}) takes new calls; version {} stops after its last call",
                    file, version.sequence, version.routeIds, previous.sequence);
            previous.retire();
        }
    }

    private void remove(String file) {
        FileVersion version = inUse.remove(file);
        log.info("route file {} removed: its providers take no new calls; version {} stops after its last call",
                file, version.sequence);
        version.retire();
    }

    /** The message of the deepest cause that has one: Camel wraps the useful one several times. */
    private static String reason(Throwable e) {
        String reason = e.getMessage();
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null) {
                reason = t.getMessage();
            }
        }
        return reason == null ? e.toString() : reason.replaceAll("\\s+", " ").trim();
    }

    private void removeRoutes(FileVersion version) {
        for (String routeId : version.routeIds) {
            try {
                if (camel.getRoute(routeId) != null) {
                    camel.getRouteController().stopRoute(routeId, STOP_SECONDS, TimeUnit.SECONDS);
                    camel.removeRoute(routeId);
                }
            } catch (Exception e) {
                log.warn("route {} of route file {} did not stop cleanly: {}", routeId, version.file, e.toString());
            } finally {
                byRoute.remove(routeId);
            }
        }
    }

    /** One loaded content of one file. */
    private final class FileVersion implements RouteVersion {
        private final String file;
        private final long sequence;
        private final byte[] content;
        private final List<String> routeIds = new ArrayList<>();
        private int pins;
        /** Set once every route started, cleared when replaced or removed; a refused version never is. */
        private boolean current;
        private boolean retired;

        FileVersion(String file, long sequence, byte[] content) {
            this.file = file;
            this.sequence = sequence;
            this.content = content;
        }

        /** Gives every route of the version an id of its own, before it is added to the context. */
        RouteBuilderLifecycleStrategy naming() {
            return new RouteBuilderLifecycleStrategy() {
                @Override
                public void afterConfigure(RouteBuilder builder) {
                    for (RouteDefinition route : builder.getRouteCollection().getRoutes()) {
                        String given = route.getRouteId();
                        String id = file + "#" + sequence + "/" + (given == null ? "route" + (routeIds.size() + 1) : given);
                        route.setId(id);
                        route.setCustomId(true);
                        routeIds.add(id);
                        byRoute.put(id, FileVersion.this);
                    }
                }
            };
        }

        @Override
        public long sequence() {
            return sequence;
        }

        @Override
        public synchronized boolean current() {
            return current;
        }

        synchronized void takeOver() {
            current = true;
        }

        @Override
        public synchronized boolean pin() {
            if (retired) {
                return false;
            }
            pins++;
            return true;
        }

        @Override
        public void unpin() {
            boolean last;
            synchronized (this) {
                pins--;
                last = retireIfIdle();
            }
            if (last) {
                work.execute(this::unload);
            }
        }

        /** No longer in use: its routes go once no call holds it. */
        void retire() {
            boolean idle;
            synchronized (this) {
                current = false;
                idle = retireIfIdle();
            }
            if (idle) {
                work.execute(this::unload);
            }
        }

        private boolean retireIfIdle() {
            if (!current && pins == 0 && !retired) {
                retired = true;
                return true;
            }
            return false;
        }

        private void unload() {
            removeRoutes(this);
            log.info("route file {} version {} unloaded: routes {} stopped and removed", file, sequence, routeIds);
        }
    }
}
