package dev.passerelle.gateway.connector;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One deployable unit as it lies in {@code connectors.dir}: a {@code *.jar} directly in the folder
 * is a unit by itself; a sub-folder is one unit made of the jars directly in it (a connector with
 * its dependencies). The stamp (names, sizes, modification times) tells whether it changed since
 * it was last read.
 *
 * @param path the jar or the sub-folder; the unit's identity across versions
 * @param jars the unit's jars, sorted
 * @param stamp what the jars looked like when listed
 */
record UnitSource(Path path, List<Path> jars, List<Stamp> stamp) {

    record Stamp(String name, long size, FileTime modified) {}

    UnitSource {
        jars = List.copyOf(jars);
        stamp = List.copyOf(stamp);
    }

    /** The units of {@code dir}, sorted by path; none when the folder does not exist. */
    static List<UnitSource> list(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<UnitSource> units = new ArrayList<>();
        for (Path entry : sortedEntries(dir)) {
            if (Files.isDirectory(entry)) {
                List<Path> jars = sortedEntries(entry).stream().filter(UnitSource::isJar).toList();
                of(entry, jars).ifPresent(units::add);
            } else if (isJar(entry)) {
                of(entry, List.of(entry)).ifPresent(units::add);
            }
        }
        return units;
    }

    /** The same unit's stamp read again, to tell whether it changed while it was being copied. */
    List<Stamp> restamp() throws IOException {
        List<Stamp> now = new ArrayList<>();
        for (Path jar : jars) {
            now.add(stampOf(jar));
        }
        return now;
    }

    /** A jar that vanished between listing and reading is left out: the unit is still changing. */
    private static Optional<UnitSource> of(Path path, List<Path> jars) {
        List<Path> present = new ArrayList<>();
        List<Stamp> stamps = new ArrayList<>();
        for (Path jar : jars) {
            try {
                stamps.add(stampOf(jar));
                present.add(jar);
            } catch (NoSuchFileException gone) {
                continue;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + jar + ": " + e.getMessage(), e);
            }
        }
        return present.isEmpty() ? Optional.empty() : Optional.of(new UnitSource(path, present, stamps));
    }

    private static Stamp stampOf(Path jar) throws IOException {
        BasicFileAttributes a = Files.readAttributes(jar, BasicFileAttributes.class);
        return new Stamp(jar.getFileName().toString(), a.size(), a.lastModifiedTime());
    }

    private static boolean isJar(Path p) {
        return p.getFileName().toString().endsWith(".jar") && Files.isRegularFile(p);
    }

    private static List<Path> sortedEntries(Path dir) {
        List<Path> entries = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            stream.forEach(entries::add);
        } catch (NoSuchFileException gone) {
            return List.of();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
        }
        entries.sort(null);
        return entries;
    }
}
