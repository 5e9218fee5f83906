package org.astroport.constellation.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which route files are in force: the jar's, the operator's copies (new and old names), extras. */
class OperatorRoutesTest {

    @Test
    void theBuiltInRoutesUntilCopiedThenTheCopies(@TempDir Path operator) throws Exception {
        assertEquals(List.of("classpath:routes/discovery.camel.yaml", "classpath:routes/ingest.camel.yaml", "classpath:routes/live-sync.camel.yaml",
                "classpath:routes/sink.camel.yaml", "classpath:routes/backfill.camel.yaml"), OperatorRoutes.locations(operator));

        List<Path> written = OperatorRoutes.export(operator);

        Path routes = OperatorRoutes.routesDirectory(operator);
        assertEquals(OperatorRoutes.BUILT_IN.stream().map(routes::resolve).toList(), written);
        assertEquals(written.stream().map(p -> "file:" + p).toList(), OperatorRoutes.locations(operator));
        try (var files = Files.list(routes)) {
            assertEquals(5, files.count(), "no partial file left behind");
        }
        assertEquals(List.of(), OperatorRoutes.export(operator), "a second export writes nothing");
    }

    @Test
    void aCopyUnderItsOldNameStillStandsForItsBuiltInFile(@TempDir Path operator) throws Exception {
        Path oldCopy = routeFile(operator, "ingest.yaml");
        Path extra = routeFile(operator, "my-route.yaml");

        List<Path> written = OperatorRoutes.export(operator);

        assertEquals(4, written.size(), "ingest is not copied again: " + written);
        List<String> locations = OperatorRoutes.locations(operator);
        assertTrue(locations.contains("file:" + oldCopy), locations.toString());
        assertEquals(1, locations.stream().filter(l -> l.contains("ingest")).count(), locations.toString());
        assertTrue(locations.contains("file:" + extra), locations.toString());
        assertEquals(List.of(), OperatorRoutes.ignoredCopies(operator));
    }

    @Test
    void withBothNamesTheCamelYamlCopyIsUsed(@TempDir Path operator) throws Exception {
        Path oldCopy = routeFile(operator, "sink.yaml");
        Path newCopy = routeFile(operator, "sink.camel.yaml");

        List<String> locations = OperatorRoutes.locations(operator);

        assertTrue(locations.contains("file:" + newCopy), locations.toString());
        assertTrue(locations.stream().noneMatch(l -> l.equals("file:" + oldCopy)), "the old copy is neither the sink file nor an extra: " + locations);
        assertEquals(List.of(oldCopy), OperatorRoutes.ignoredCopies(operator));
    }

    private static Path routeFile(Path operator, String name) throws Exception {
        Path routes = Files.createDirectories(OperatorRoutes.routesDirectory(operator));
        return Files.writeString(routes.resolve(name), "# " + name + "\n");
    }
}
