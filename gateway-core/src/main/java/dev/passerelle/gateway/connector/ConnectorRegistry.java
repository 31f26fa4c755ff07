package dev.passerelle.gateway.connector;

import dev.passerelle.connector.spi.ConnectorContext;
import dev.passerelle.connector.spi.ConnectorException;
import dev.passerelle.connector.spi.ConnectorFactory;
import dev.passerelle.connector.spi.ConnectorKind;
import dev.passerelle.connector.spi.IdentityConnector;
import dev.passerelle.connector.spi.IdentityConnectorFactory;
import dev.passerelle.connector.spi.MediaConnectorFactory;
import dev.passerelle.connector.spi.ProviderConnector;
import dev.passerelle.connector.spi.ProviderConnectorFactory;
import dev.passerelle.connector.spi.QosConnector;
import dev.passerelle.connector.spi.QosConnectorFactory;
import dev.passerelle.gateway.config.ConfigException;
import dev.passerelle.gateway.connector.UnitSource.Stamp;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connectors of this gateway, of every kind, in units, each in a class loader of its own below
 * the gateway's: the factories on the gateway's class path (the built-in unit, which never
 * changes), every {@code *.jar} directly in {@code connectors.dir}, and every sub-folder of it (one
 * unit made of its jars: a connector with its dependencies). Factories are found with
 * {@link java.util.ServiceLoader}, one service type per {@link ConnectorKind}.
 *
 * <p>The connectors in use are created at construction: for each kind with a selection key
 * ({@code identity.connector}, {@code qos.connector}, {@code media.anchor}) the connector of the
 * selected name, and every provider connector installed. Each sits in a slot whose instance is
 * swapped as units come and go, behind what the routes hold for the life of the gateway:
 * {@link #identity()}, {@link #qos()}, {@link #media()}, {@link #providers()}. {@link #watch}
 * makes the registry follow the folder while the gateway runs:
 *
 * <ul>
 *   <li>a unit added or replaced gives a new instance of every connector in use that it provides,
 *       created from the same settings and swapped in atomically; the old instance is closed, and
 *       its class loader with it, once what still runs on it let go (a login, a call pinned to its
 *       media connector, a call claimed by its provider);
 *   <li>a unit whose factory was built for another API version, whose factory or connector cannot
 *       be loaded or created, or that names a connector another unit already provides under the
 *       same kind, is refused with one WARN line; what was in use stays;
 *   <li>when the unit providing a connector in use is removed, the built-in factory of that kind
 *       and name takes over if there is one; else logins (identity, qos) or new calls (media) fail
 *       with 503 until a unit provides it again, and a provider stops claiming destinations.
 * </ul>
 *
 * A unit of the folder may provide a kind and name the built-in unit also provides: the folder's
 * wins.
 */
public final class ConnectorRegistry implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ConnectorRegistry.class);

    /** The settings of a connector: its subtree of the configuration, by kind and name. */
    @FunctionalInterface
    public interface Contexts {
        ConnectorContext of(ConnectorKind kind, String name);
    }

    private final Path dir;
    private final Contexts contexts;
    private final ClassLoader gatewayLoader = ConnectorRegistry.class.getClassLoader();
    private final Map<ConnectorKind, Map<String, ConnectorFactory>> builtIn;
    /** The slot of each kind that has a selection key. */
    private final Map<ConnectorKind, Slot<?>> selected = new EnumMap<>(ConnectorKind.class);
    private final SwappableIdentityConnector identity;
    private final SwappableQosConnector qos;
    private final SwappableMedia media;
    private final ProviderSlots providers = new ProviderSlots();
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

    /** A connector in use: its kind and name. */
    private record Key(ConnectorKind kind, String name) {}

    /** An instance created from a unit being loaded, not yet swapped in. */
    private record Staged(Key key, AutoCloseable connector, ConnectorFactory factory) {}

    /**
     * Loads the units of {@code connectorsDir} and creates the connectors in use. Problems of
     * units that provide none of them are logged, not thrown.
     *
     * @param connectorsDir the {@code connectors.dir} folder; may not exist
     * @param selectedNames the name selected for every kind that has a selection key
     * @param contexts the settings of each connector, asked again for every instance swapped in
     * @throws ConfigException naming the selection key ({@code identity.connector} ...) when no
     *     connector of the selected name is installed or it was built for another API version,
     *     naming the key at fault when a connector in use refuses its settings, or naming
     *     {@code connectors.dir} when it cannot be read
     */
    public ConnectorRegistry(Path connectorsDir, Map<ConnectorKind, String> selectedNames, Contexts contexts) {
        this.dir = connectorsDir;
        this.contexts = contexts;
        for (ConnectorKind kind : ConnectorKind.values()) {
            if (kind.selectionKey() != null) {
                String name = selectedNames.get(kind);
                if (name == null) {
                    throw new IllegalArgumentException("no name selected by " + kind.selectionKey());
                }
                selected.put(kind, new Slot<>(kind, name, contexts.of(kind, name)));
            }
        }
        this.identity = new SwappableIdentityConnector(slot(ConnectorKind.IDENTITY));
        this.qos = new SwappableQosConnector(slot(ConnectorKind.QOS));
        this.media = new SwappableMedia(slot(ConnectorKind.MEDIA));
        try {
            this.builtIn = FactoryScan.factories(gatewayLoader, false);
        } catch (UnitRefusal e) {
            throw new ConfigException("connectors.dir", "the connectors of the gateway's class path: " + e.getMessage(), e);
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

    @SuppressWarnings("unchecked")
    private <C extends AutoCloseable> Slot<C> slot(ConnectorKind kind) {
        return (Slot<C>) selected.get(kind);
    }

    /** The selected identity connector; the same object for the life of the registry. */
    public IdentityConnector identity() {
        return identity;
    }

    /** The selected QoS connector; the same object for the life of the registry. */
    public QosConnector qos() {
        return qos;
    }

    /** The selected media connector, as calls pin it; the same object for the life of the registry. */
    public MediaConnectors media() {
        return media;
    }

    /** The provider connectors installed; the same object for the life of the registry. */
    public Providers providers() {
        return providers;
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
     * At start ({@code starting}), a problem with a connector in use is a ConfigException and an
     * unreadable unit is refused at once; later both are logged and the rescan goes on.
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
        Map<Key, ConnectorInstance<AutoCloseable>> staged = new HashMap<>();
        Map<Key, String> selectedRefusals = new HashMap<>();
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
                selected.values().stream().filter(slot -> e.concerns(slot.kind(), slot.name())).findFirst()
                        .ifPresent(slot -> selectedRefusals.putIfAbsent(new Key(slot.kind(), slot.name()),
                                "connector '" + slot.name() + "' (" + source.path() + ") " + e.detail()));
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
            List<Staged> created;
            try {
                created = instances(candidate, starting);
            } catch (UnitRefusal e) {
                candidate.release();
                refuse(source, e.getMessage(), true);
                continue;
            } catch (RuntimeException e) {
                candidate.release();
                throw e;
            }
            for (Staged s : created) {
                candidate.acquire();
                staged.put(s.key(), new ConnectorInstance<>(describe(s.key()), s.connector(), candidate,
                        candidate.label(s.factory())));
            }
            LoadedUnit previous = loaded.put(source.path(), candidate);
            if (previous != null) {
                dropped.add(previous);
            }
            log.info("connector unit {} {}: {}", source.path(), previous == null ? "loaded" : "reloaded",
                    candidate.provides());
        }
        for (Slot<?> slot : selected.values()) {
            Key key = new Key(slot.kind(), slot.name());
            select(slot, staged.get(key), starting, selectedRefusals.get(key));
        }
        Set<String> providerNames = new TreeSet<>(providers.names());
        providerNames.addAll(builtIn.get(ConnectorKind.PROVIDER).keySet());
        staged.keySet().stream().filter(k -> k.kind() == ConnectorKind.PROVIDER).forEach(k -> providerNames.add(k.name()));
        for (String name : providerNames) {
            Slot<ProviderConnector> slot = providers.get(name);
            if (slot == null) {
                slot = new Slot<>(ConnectorKind.PROVIDER, name, contexts.of(ConnectorKind.PROVIDER, name));
            }
            select(slot, staged.get(new Key(ConnectorKind.PROVIDER, name)), starting, null);
            if (slot.current() == null) {
                providers.remove(name);
            } else {
                providers.put(slot);
            }
        }
        dropped.forEach(LoadedUnit::release);
        return retry;
    }

    /**
     * New instances of every connector in use that {@code candidate} provides: the selected ones
     * of its kinds and all its providers. All or none: when one cannot be created, those already
     * created are closed.
     *
     * @throws UnitRefusal when one cannot be created, after the start
     * @throws ConfigException when one cannot be created, at the start
     */
    private List<Staged> instances(LoadedUnit candidate, boolean starting) throws UnitRefusal {
        List<Staged> created = new ArrayList<>();
        String origin = candidate.path().toString();
        try {
            for (Slot<?> slot : selected.values()) {
                ConnectorFactory factory = candidate.factories(slot.kind()).get(slot.name());
                if (factory != null) {
                    Key key = new Key(slot.kind(), slot.name());
                    created.add(new Staged(key, create(factory, key, slot.context(), origin, starting), factory));
                }
            }
            for (Map.Entry<String, ConnectorFactory> provider : candidate.factories(ConnectorKind.PROVIDER).entrySet()) {
                Key key = new Key(ConnectorKind.PROVIDER, provider.getKey());
                created.add(new Staged(key, create(provider.getValue(), key,
                        contexts.of(ConnectorKind.PROVIDER, provider.getKey()), origin, starting), provider.getValue()));
            }
        } catch (UnitRefusal | RuntimeException e) {
            created.forEach(s -> closeQuietly(s.key(), s.connector(), origin));
            throw e;
        }
        return created;
    }

    /**
     * Puts the right instance of a connector in use into its slot: {@code staged} when a unit
     * providing it was just loaded, else the current one while its unit is still loaded, else the
     * built-in factory's, else none.
     */
    private void select(Slot<?> slot, ConnectorInstance<AutoCloseable> staged, boolean starting, String refusal) {
        if (staged != null) {
            install(slot, staged);
            return;
        }
        ConnectorInstance<?> current = slot.current();
        if (current != null && (current.unit() == null || loaded.get(current.unit().path()) == current.unit())) {
            return;
        }
        Key key = new Key(slot.kind(), slot.name());
        ConnectorFactory factory = builtIn.get(slot.kind()).get(slot.name());
        if (factory != null) {
            try {
                AutoCloseable connector = create(factory, key, slot.context(), "the gateway's class path", starting);
                install(slot, new ConnectorInstance<>(slot.description(), connector, null,
                        "(" + LoadedUnit.jarName(factory) + ")"));
                return;
            } catch (UnitRefusal e) {
                log.warn("the built-in {} cannot take over: {}", slot.description(), e.getMessage());
            }
        } else if (starting && slot.kind().selectionKey() != null) {
            throw new ConfigException(slot.kind().selectionKey(), refusal != null ? refusal
                    : "no connector named '" + slot.name() + "' is installed; installed: " + installed(slot.kind()));
        }
        if (current != null) {
            slot.swap(null);
            String why = loaded.containsKey(current.unit().path()) ? "the new version of " + current.origin()
                    + " does not provide it" : current.origin() + " is gone";
            log.warn("{} is not installed any more ({}): {}", slot.description(), why, withoutIt(slot.kind()));
        }
    }

    /** What the gateway does while no connector of a slot is installed. */
    private static String withoutIt(ConnectorKind kind) {
        return switch (kind) {
            case IDENTITY, QOS -> "logins are refused with 503 until a unit provides it again";
            case MEDIA -> "new calls are refused with 503 until a unit provides it again; calls in progress keep it";
            case PROVIDER -> "its destinations are not claimed any more; calls in progress keep it";
        };
    }

    @SuppressWarnings("unchecked")
    private static <C extends AutoCloseable> void install(Slot<C> slot, ConnectorInstance<?> next) {
        ConnectorInstance<C> previous = slot.swap((ConnectorInstance<C>) next);
        log.info("{} {} loaded from {}{}", slot.description(), next.label(), next.origin(),
                previous == null ? "" : ", replacing " + previous.origin());
    }

    /**
     * A new instance of a connector in use, from its settings; the factory's kind fixes the
     * connector interface it returns.
     *
     * @throws UnitRefusal when it cannot be created, after the start
     * @throws ConfigException when it cannot be created, at the start
     */
    private static AutoCloseable create(ConnectorFactory factory, Key key, ConnectorContext context, String origin,
            boolean starting) throws UnitRefusal {
        try {
            AutoCloseable connector = switch (key.kind()) {
                case IDENTITY -> ((IdentityConnectorFactory) factory).create(context);
                case QOS -> ((QosConnectorFactory) factory).create(context);
                case MEDIA -> ((MediaConnectorFactory) factory).create(context);
                case PROVIDER -> ((ProviderConnectorFactory) factory).create(context);
            };
            if (connector == null) {
                throw new IllegalStateException(factory.getClass().getName() + ".create returned null");
            }
            return connector;
        } catch (ConnectorException e) {
            if (starting) {
                throw settingsError(context.settingsKey(), e);
            }
            throw new UnitRefusal(key.kind(), key.name(), "refused its settings: " + e.getMessage(), e);
        } catch (RuntimeException | LinkageError | ServiceConfigurationError e) {
            if (starting) {
                String at = key.kind().selectionKey() != null ? key.kind().selectionKey() : context.settingsKey();
                throw new ConfigException(at, "connector '" + key.name() + "' (" + origin + ") failed to start: " + e, e);
            }
            throw new UnitRefusal(key.kind(), key.name(), "failed to start: " + e, e);
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

    private static String describe(Key key) {
        return Slot.label(key.kind()) + " connector '" + key.name() + "'";
    }

    private static void closeQuietly(Key key, AutoCloseable connector, String origin) {
        try {
            connector.close();
        } catch (Exception | LinkageError e) {
            log.warn("closing {} from {} failed: {}", describe(key), origin, e.toString());
        }
    }

    /** Why {@code candidate} may not be loaded beside the other units, or null when it may. */
    private String conflict(LoadedUnit candidate) {
        for (LoadedUnit other : loaded.values()) {
            if (other.path().equals(candidate.path())) {
                continue;
            }
            for (ConnectorKind kind : ConnectorKind.values()) {
                for (String name : candidate.factories(kind).keySet()) {
                    if (other.factories(kind).containsKey(name)) {
                        return Slot.label(kind) + " connector '" + name + "' is already provided by " + other.path();
                    }
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

    private List<String> installed(ConnectorKind kind) {
        Set<String> names = new LinkedHashSet<>(builtIn.get(kind).keySet());
        loaded.values().forEach(unit -> names.addAll(unit.factories(kind).keySet()));
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
     * Stops watching, lets go of every connector in use (each closed once what still runs on it
     * let go) and of every unit's class loader, and deletes the copies.
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
            selected.values().forEach(slot -> slot.swap(null));
            for (Slot<ProviderConnector> slot : List.copyOf(providers.all())) {
                slot.swap(null);
                providers.remove(slot.name());
            }
            loaded.values().forEach(LoadedUnit::release);
            loaded.clear();
            if (copies != null) {
                LoadedUnit.deleteTree(copies);
            }
        }
    }
}
