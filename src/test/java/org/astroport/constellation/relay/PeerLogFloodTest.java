package org.astroport.constellation.relay;

import static org.astroport.constellation.testsupport.RunningApp.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.RollingFileAppender;
import org.astroport.constellation.testrelay.TestRelay;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * What a peer says reaches the log as the daemon writes it (log4j2.properties, the real file): one
 * line per event whatever the text holds, clipped, and only a few lines a minute however much it sends.
 */
class PeerLogFloodTest {

    /** A line a peer would like to see in our log; each test adds its own marker (the file outlives test runs). */
    static final String FORGED = "2026-01-01 00:00:00.000 ERROR [main] Forged - ";

    /** The daemon's log file, as the configured appender writes it. */
    static Path logFile() {
        RollingFileAppender sync = LoggerContext.getContext(false).getConfiguration().getAppender("sync");
        return Path.of(sync.getFileName());
    }

    static List<String> linesWith(Path log, String marker) throws IOException {
        return Files.readAllLines(log, StandardCharsets.UTF_8).stream().filter(l -> l.contains(marker)).toList();
    }

    @Test
    void lineBreaksInAMessageOrAnExceptionCannotStartALine() throws Exception {
        String marker = UUID.randomUUID().toString();
        String forged = FORGED + marker;
        org.slf4j.Logger log = LoggerFactory.getLogger(PeerSession.class);
        log.warn("{}: NOTICE {}", marker, "hello\r\n" + forged + " owned\n" + forged + " again");
        log.error(marker + " with an exception", new IllegalStateException("boom\n" + FORGED + "via an exception " + marker));
        Path file = logFile();
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        assertFalse(lines.stream().anyMatch(l -> l.startsWith(forged) || l.startsWith(FORGED + "via an exception " + marker)), "a forged line in " + file);
        List<String> notice = linesWith(file, marker + ": NOTICE");
        assertEquals(1, notice.size(), notice.toString());
        assertTrue(notice.get(0).contains("hello\\r\\n" + forged + " owned\\n" + forged + " again"), notice.get(0));
        List<String> withException = linesWith(file, marker + " with an exception");
        assertEquals(1, withException.size(), "the stack trace on the message's line, escaped: " + withException);
        assertTrue(withException.get(0).contains("IllegalStateException: boom\\n" + FORGED + "via an exception " + marker + "\\n\tat "), withException.get(0));
        assertEquals(1, lines.stream().filter(l -> l.contains("via an exception " + marker)).count(), "the stack trace is written once");
    }

    @Test
    void aFloodOfHugeNoticesAndClosedLeavesAFewShortLines() throws Exception {
        String peer = "flooder-" + UUID.randomUUID().toString().substring(0, 8);
        try (TestRelay relay = new TestRelay().recordFrames(false).start();
             DefaultCamelContext camel = new DefaultCamelContext()) {
            camel.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("nostr-relay:" + peer + "?url=" + relay.url()).to("log:" + peer + "?level=OFF");
                }
            });
            camel.start();
            await("connected", 5000, () -> relay.liveConnections() == 1);
            Path file = logFile();
            long sizeBefore = Files.size(file);
            // 200 NOTICEs of 512 KiB (100 MiB of text), each with a forged line in it, and 200 CLOSED of 64 KiB
            String forged = FORGED + peer;
            String body = ("\n" + forged + " owned ").repeat(1 + (512 * 1024) / (forged.length() + 8));
            String notice = "[\"NOTICE\"," + com.fasterxml.jackson.databind.json.JsonMapper.builder().build().writeValueAsString(body) + "]";
            String closed = "[\"CLOSED\",\"cs\"," + com.fasterxml.jackson.databind.json.JsonMapper.builder().build()
                    .writeValueAsString("error: " + body.substring(0, 64 * 1024)) + "]";
            for (int i = 0; i < 200; i++) {
                relay.sendRaw(notice);
                relay.sendRaw(closed);
            }
            NostrRelayConsumer consumer = (NostrRelayConsumer) camel.getRoute(camel.getRoutes().get(0).getId()).getConsumer();
            await("every NOTICE received", 60_000, () -> consumer.session().notices() == 200 && consumer.session().closedSubscriptions() == 200);
            long grew = Files.size(file) - sizeBefore;
            List<String> lines = linesWith(file, peer + ": ");
            long notices = lines.stream().filter(l -> l.contains(peer + ": NOTICE")).count();
            long closedLines = lines.stream().filter(l -> l.contains(peer + ": closed subscription")).count();
            assertEquals(10, notices, "NOTICE lines let through in a minute");
            assertEquals(10, closedLines, "CLOSED lines let through in a minute");
            assertTrue(lines.stream().allMatch(l -> l.length() < 600), "each clipped: " + lines.stream().mapToInt(String::length).max());
            assertTrue(grew < 100_000, "100 MiB of NOTICEs wrote " + grew + " bytes of log");
            assertFalse(Files.readAllLines(file, StandardCharsets.UTF_8).stream().anyMatch(l -> l.startsWith(forged)));
            assertTrue(consumer.session().lastNotice().length() < 300, "JMX keeps it clipped too");
        }
    }
}
