package org.astroport.constellation.app;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Where the routes come from: the built-in YAML in the jar, except those the operator copied into
 * {@code <home>/constellation-sync/routes/} (edited copies win, extra files are added).
 * <p>
 * Route files are named {@code *.camel.yaml}, which Camel's tooling recognises. Copies made before
 * that are named {@code ingest.yaml} and so on: such a copy still stands for its built-in file, and
 * when both names are there the {@code .camel.yaml} one is used.
 */
public final class OperatorRoutes {

    public static final List<String> BUILT_IN = List.of("discovery.camel.yaml", "ingest.camel.yaml", "live-sync.camel.yaml", "sink.camel.yaml", "backfill.camel.yaml");

    private OperatorRoutes() {
    }

    public static Path operatorDirectory(StationHome station) {
        return station.home().resolve("constellation-sync");
    }

    public static Path routesDirectory(Path operatorDirectory) {
        return operatorDirectory.resolve("routes");
    }

    /** A value for camel.main.routes-include-pattern. */
    public static String includePattern(Path operatorDirectory) {
        return String.join(",", locations(operatorDirectory));
    }

    /** Only the named built-in routes (the operator's edited copy when there is one), extras optional. */
    public static String includePattern(Path operatorDirectory, List<String> names, boolean withExtras) {
        return String.join(",", locations(operatorDirectory, names, withExtras));
    }

    /** The route files in force now, as resource locations: read at start, and again at every reload. */
    public static List<String> locations(Path operatorDirectory) {
        return locations(operatorDirectory, BUILT_IN, true);
    }

    static List<String> locations(Path operatorDirectory, List<String> names, boolean withExtras) {
        Path dir = routesDirectory(operatorDirectory);
        List<String> locations = new ArrayList<>();
        for (String name : names) {
            Path edited = copyOf(dir, name);
            locations.add(edited != null ? "file:" + edited : "classpath:routes/" + name);
        }
        for (Path extra : withExtras ? extraFiles(dir) : List.<Path>of()) {
            locations.add("file:" + extra);
        }
        return locations;
    }

    /** Copies the built-in routes the operator does not have yet; returns the files written. */
    public static List<Path> export(Path operatorDirectory) throws IOException {
        Path dir = routesDirectory(operatorDirectory);
        Files.createDirectories(dir);
        List<Path> written = new ArrayList<>();
        for (String name : BUILT_IN) {
            if (copyOf(dir, name) != null) {
                continue;
            }
            Path target = dir.resolve(name);
            try (InputStream in = OperatorRoutes.class.getResourceAsStream("/routes/" + name)) {
                if (in == null) {
                    throw new IOException("built-in route " + name + " missing from the jar");
                }
                // a running daemon reloads the copy as soon as it appears: it must never see half a file
                Path partial = Files.createTempFile(dir, "." + name, ".partial");
                try {
                    Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
                    Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
                } finally {
                    Files.deleteIfExists(partial);
                }
            }
            written.add(target);
        }
        return written;
    }

    /** The operator's copy of a built-in route file, under its name or its name before *.camel.yaml; null if none. */
    static Path copyOf(Path routesDirectory, String builtIn) {
        for (String name : List.of(builtIn, oldName(builtIn))) {
            if (Files.isRegularFile(routesDirectory.resolve(name))) {
                return routesDirectory.resolve(name);
            }
        }
        return null;
    }

    /** Copies under the old name that a copy under the new name replaces: not loaded. */
    public static List<Path> ignoredCopies(Path operatorDirectory) {
        Path dir = routesDirectory(operatorDirectory);
        return BUILT_IN.stream().filter(name -> Files.isRegularFile(dir.resolve(name)))
                .map(name -> dir.resolve(oldName(name))).filter(Files::isRegularFile).toList();
    }

    private static String oldName(String builtIn) {
        return builtIn.replace(".camel.yaml", ".yaml");
    }

    private static List<Path> extraFiles(Path dir) {
        TreeSet<Path> extra = new TreeSet<>();
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.yaml")) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                if (BUILT_IN.stream().noneMatch(b -> b.equals(name) || oldName(b).equals(name)) && Files.isRegularFile(f)) {
                    extra.add(f);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
        return new ArrayList<>(extra);
    }
}
