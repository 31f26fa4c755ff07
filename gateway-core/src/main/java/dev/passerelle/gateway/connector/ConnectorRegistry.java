package dev.passerelle.gateway.connector;

import dev.passerelle.connector.spi.ConnectorContext;
import dev.passerelle.connector.spi.ConnectorException;
import dev.passerelle.connector.spi.IdentityConnector;
import dev.passerelle.connector.spi.IdentityConnectorFactory;
import dev.passerelle.gateway.config.ConfigException;
import dev.passerelle.gateway.connector.SwappableIdentityConnector.Instance;
import dev.passerelle.gateway.connector.UnitSource.Stamp;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connectors of this gateway, in units, each in a class loader of its own below the gateway's:
 * the factories on the gateway's class path (the built-in unit, which never changes), every
 * {@code *.jar} directly in {@code connectors.dir}, and every sub-folder of it (one unit made of
 * its jars: a connector with its dependencies). Factories are found with
 * {@link java.util.ServiceLoader}.
 *
 * <p>The identity connector selected by {@code identity.connector} is created at construction and
 * handed out, once, as {@link #identity()}: a connector that stays the same object for the life of
 * the gateway while the instance behind it is swapped as units come and go. {@link #watch} makes
 * the registry follow the folder while the gateway runs:
 *
 * <ul>
 *   <li>a unit added or replaced that provides the selected name gives a new instance, created
 *       from the same settings and swapped in atomically; the old instance is closed, and its class
 *       loader with it, once the logins still running on it returned;
 *   <li>a unit whose factory was built for another API version, whose factory or connector cannot
 *       be loaded or created, or that names a connector another unit already provides, is refused
 *       with one WARN line; what was in use stays;
 *   <li>when the unit providing the selected connector is removed, the built-in factory of that
 *       name takes over if there is one; else logins fail with 503 until a unit provides it again.
 * </ul>
 *
 * A unit of the folder may provide a name the built-in unit also provides: the folder's wins.
 */
public final class ConnectorRegistry implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ConnectorRegistry.class);

    private static final String SELECTION_KEY = "identity.connector";

    private final Path dir;
    private final String identityName;
    private final ConnectorContext identityContext;
    private final ClassLoader gatewayLoader = ConnectorRegistry.class.getClassLoader();
    private final Map<String, IdentityConnectorFactory> builtIn;
    private final SwappableIdentityConnector identity;
    /** The version in use of every unit of the folder, by path. */
    private final Map<Path, LoadedUnit> loaded = new TreeMap<>();
    /** Units refused as they are now: tried again once they change. */
    private final Map<Path, List<Stamp>> refused = new HashMap<>();
    /** Units that could not be read at the last rescan, as they were then. */
    private final Map<Path, List<Stamp>> unreadable = new HashMap<>();
    /** Where each loaded version's jars are copied, one numbered folder per version; made on first use. */
    private Path copies;
    private long versions;
    private ConnectorWatcher watcher;
    private boolean closed;

    /**
     * Loads the units of {@code connectorsDir} and creates the selected identity connector.
     * Problems of units that do not provide it are logged, not thrown.
     *
     * @param connectorsDir the {@code connectors.dir} folder; may not exist
     * @param identityName the {@code identity.connector} selected
     * @param identityContext its settings, used again for every instance swapped in later
     * @throws ConfigException naming {@code identity.connector} when no connector of that name is
     *     installed or it was built for another API version, naming the key at fault when the
     *     connector refuses its settings, or naming {@code connectors.dir} when it cannot be read
     */
    public ConnectorRegistry(Path connectorsDir, String identityName, ConnectorContext identityContext) {
        this.dir = connectorsDir;
        this.identityName = identityName;
        this.identityContext = identityContext;
        this.identity = new SwappableIdentityConnector(identityName);
        try {
            this.builtIn = FactoryScan.identityFactories(gatewayLoader, false);
        } catch (UnitRefusal e) {
            throw new ConfigException(SELECTION_KEY, "the connectors of the gateway's class path: " + e.getMessage(), e);
        }
        try {
            apply(true);
        } catch (UncheckedIOException e) {
            close();
            throw new ConfigException("connectors.dir", e.getMessage(), e);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** The selected identity connector; the same object for the life of the registry. */
    public IdentityConnector identity() {
        return identity;
    }

    /**
     * Follows {@code connectors.dir} from now on, applying its changes once it has been still for
     * {@code quietPeriod}. A folder that does not exist or cannot be watched is logged and not
     * watched: the gateway runs on with what it loaded.
     */
    public synchronized void watch(Duration quietPeriod) {
        if (closed || watcher != null) {
            throw new IllegalStateException(closed ? "closed" : "already watching " + dir);
        }
        if (!Files.isDirectory(dir)) {
            log.warn("connectors.dir {} does not exist: not watched; connectors put there later need a restart", dir);
            return;
        }
        try {
            watcher = new ConnectorWatcher(dir, quietPeriod, this::rescan);
        } catch (IOException e) {
            log.warn("cannot watch connectors.dir {}: {}; connectors change only with a restart", dir, e.toString());
            return;
        }
        watcher.start();
        log.info("watching {} for connector units (quiet period {} ms)", dir, quietPeriod.toMillis());
    }

    /**
     * Applies what the folder holds now.
     *
     * @return true when a unit could not be read yet (it may still be being copied) and the
     *     rescan should be run again a quiet period later
     */
    synchronized boolean rescan() {
        return !closed && apply(false);
    }

    /**
     * At start ({@code starting}), a problem with the selected connector is a ConfigException and
     * an unreadable unit is refused at once; later both are logged and the rescan goes on.
     */
    private boolean apply(boolean starting) {
        List<UnitSource> units = UnitSource.list(dir);
        Set<Path> present = units.stream().map(UnitSource::path).collect(Collectors.toSet());
        List<LoadedUnit> dropped = new ArrayList<>();
        for (Iterator<LoadedUnit> it = loaded.values().iterator(); it.hasNext(); ) {
            LoadedUnit unit = it.next();
            if (!present.contains(unit.path())) {
                it.remove();
                dropped.add(unit);
                log.info("connector unit {} removed", unit.path());
            }
        }
        refused.keySet().retainAll(present);
        unreadable.keySet().retainAll(present);

        boolean retry = false;
        Instance staged = null;
        String selectedRefusal = null;
        for (UnitSource source : units) {
            LoadedUnit inUse = loaded.get(source.path());
            if (inUse != null && inUse.source().stamp().equals(source.stamp())
                    || source.stamp().equals(refused.get(source.path()))) {
                continue;
            }
            LoadedUnit candidate;
            try {
                candidate = LoadedUnit.open(source, nextCopyFolder(), gatewayLoader);
            } catch (IOException e) {
                retry |= unreadable(source, e, starting);
                continue;
            } catch (UnitRefusal e) {
                unreadable.remove(source.path());
                refuse(source, e.getMessage(), true);
                if (identityName.equals(e.connector()) && selectedRefusal == null) {
                    selectedRefusal = "connector '" + identityName + "' (" + source.path() + ") " + e.detail();
                }
                continue;
            }
            unreadable.remove(source.path());
            String conflict = conflict(candidate);
            if (conflict != null) {
                candidate.release();
                // Not remembered: once the other unit is gone, this one is tried again.
                refuse(source, conflict, false);
                continue;
            }
            IdentityConnectorFactory factory = candidate.identityFactories().get(identityName);
            if (factory != null) {
                IdentityConnector connector;
                try {
                    connector = create(factory, source.path().toString(), starting);
                } catch (UnitRefusal e) {
                    candidate.release();
                    refuse(source, e.getMessage(), true);
                    continue;
                } catch (RuntimeException e) {
                    candidate.release();
                    throw e;
                }
                candidate.acquire();
                staged = new Instance(identityName, connector, candidate, candidate.label(factory));
            }
            LoadedUnit previous = loaded.put(source.path(), candidate);
            if (previous != null) {
                dropped.add(previous);
            }
            log.info("connector unit {} {}: identity connectors {}", source.path(), previous == null ? "loaded" : "reloaded",
                    candidate.identityFactories().keySet());
        }
        select(staged, starting, selectedRefusal);
        dropped.forEach(LoadedUnit::release);
        return retry;
    }

    /**
     * Puts the right instance of the selected connector in use: {@code staged} when a unit
     * providing it was just loaded, else the current one while its unit is still loaded, else the
     * built-in factory's, else none.
     */
    private void select(Instance staged, boolean starting, String selectedRefusal) {
        if (staged != null) {
            install(staged);
            return;
        }
        Instance current = identity.current();
        if (current != null && (current.unit() == null || loaded.get(current.unit().path()) == current.unit())) {
            return;
        }
        IdentityConnectorFactory factory = builtIn.get(identityName);
        if (factory != null) {
            try {
                install(new Instance(identityName, create(factory, "the gateway's class path", starting), null,
                        "(" + LoadedUnit.jarName(factory) + ")"));
                return;
            } catch (UnitRefusal e) {
                log.warn("the built-in identity connector '{}' cannot take over: {}", identityName, e.getMessage());
            }
        } else if (starting) {
            throw new ConfigException(SELECTION_KEY, selectedRefusal != null ? selectedRefusal
                    : "no connector named '" + identityName + "' is installed; installed: " + installed());
        }
        if (current != null) {
            identity.swap(null);
            String why = loaded.containsKey(current.unit().path()) ? "the new version of " + current.origin()
                    + " does not provide it" : current.origin() + " is gone";
            log.warn("identity connector '{}' is not installed any more ({}): logins are refused with 503"
                    + " until a unit provides it again", identityName, why);
        }
    }

    private void install(Instance next) {
        Instance previous = identity.swap(next);
        log.info("identity connector '{}' {} loaded from {}{}", identityName, next.label(), next.origin(),
                previous == null ? "" : ", replacing " + previous.origin());
    }

    /**
     * A new instance of the selected connector from its settings.
     *
     * @throws UnitRefusal when it cannot be created, after the start
     * @throws ConfigException when it cannot be created, at the start
     */
    private IdentityConnector create(IdentityConnectorFactory factory, String origin, boolean starting)
            throws UnitRefusal {
        try {
            IdentityConnector connector = factory.create(identityContext);
            if (connector == null) {
                throw new IllegalStateException(factory.getClass().getName() + ".create returned null");
            }
            return connector;
        } catch (ConnectorException e) {
            if (starting) {
                throw settingsError(identityContext.settingsKey(), e);
            }
            throw new UnitRefusal(identityName, "refused its settings: " + e.getMessage(), e);
        } catch (RuntimeException | LinkageError | ServiceConfigurationError e) {
            if (starting) {
                throw new ConfigException(SELECTION_KEY, "connector '" + identityName + "' (" + origin
                        + ") failed to start: " + e, e);
            }
            throw new UnitRefusal(identityName, "failed to start: " + e, e);
        }
    }

    /**
     * A connector names the key at fault at the start of its message ("identity.static.users[0].token:
     * required"); that key, not the whole subtree's, becomes the ConfigException's key, so the message
     * is not prefixed twice. A message that names no key of the subtree is reported against the subtree.
     */
    private static ConfigException settingsError(String settingsKey, ConnectorException e) {
        String message = String.valueOf(e.getMessage());
        int colon = message.indexOf(": ");
        String key = colon < 0 ? "" : message.substring(0, colon);
        boolean namesItsKey = (key.equals(settingsKey) || key.startsWith(settingsKey + ".")) && !key.contains(" ");
        return namesItsKey
                ? new ConfigException(key, message.substring(colon + 2), e)
                : new ConfigException(settingsKey, message, e);
    }

    /** Why {@code candidate} may not be loaded beside the other units, or null when it may. */
    private String conflict(LoadedUnit candidate) {
        for (LoadedUnit other : loaded.values()) {
            if (other.path().equals(candidate.path())) {
                continue;
            }
            for (String name : candidate.identityFactories().keySet()) {
                if (other.identityFactories().containsKey(name)) {
                    return "connector '" + name + "' is already provided by " + other.path();
                }
            }
        }
        return null;
    }

    /**
     * A unit that could not be read is tried again a quiet period later while it keeps changing
     * (a copy in progress); unchanged since the last try, or at the start, it is refused.
     */
    private boolean unreadable(UnitSource source, IOException e, boolean starting) {
        List<Stamp> before = unreadable.put(source.path(), source.stamp());
        if (starting || source.stamp().equals(before)) {
            unreadable.remove(source.path());
            refuse(source, "it cannot be read: " + e, true);
            return false;
        }
        log.info("connector unit {} cannot be read yet ({}): tried again after the quiet period", source.path(),
                e.toString());
        return true;
    }

    private void refuse(UnitSource source, String reason, boolean remember) {
        if (remember) {
            refused.put(source.path(), source.stamp());
        }
        log.warn("connector unit {} refused: {}; {}", source.path(), reason,
                loaded.containsKey(source.path()) ? "its previous version stays in use" : "nothing of it is loaded");
    }

    private List<String> installed() {
        Set<String> names = new LinkedHashSet<>(builtIn.keySet());
        loaded.values().forEach(unit -> names.addAll(unit.identityFactories().keySet()));
        return List.copyOf(names);
    }

    private Path nextCopyFolder() {
        try {
            if (copies == null) {
                copies = Files.createTempDirectory("passerelle-connectors-");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a folder for connector copies: " + e.getMessage(), e);
        }
        return copies.resolve(Long.toString(++versions));
    }

    /**
     * Stops watching, closes the identity connector (once the logins still on it returned) and
     * every unit's class loader, and deletes the copies.
     */
    @Override
    public void close() {
        ConnectorWatcher stopping;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            stopping = watcher;
            watcher = null;
        }
        // Outside the lock: a rescan in progress holds it, and the watcher waits for it to end.
        if (stopping != null) {
            stopping.close();
        }
        synchronized (this) {
            identity.swap(null);
            loaded.values().forEach(LoadedUnit::release);
            loaded.clear();
            if (copies != null) {
                LoadedUnit.deleteTree(copies);
            }
        }
    }
}
