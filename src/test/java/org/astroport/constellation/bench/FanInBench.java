package org.astroport.constellation.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.astroport.constellation.testrelay.TestRelay;
import org.astroport.constellation.testsupport.AppProcess;
import org.astroport.constellation.testsupport.Fixtures;
import org.astroport.constellation.testsupport.StrfryProcess;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many peers carrying the same events (needs STRFRY_BIN):
 * {@code STRFRY_BIN=... mvn -B -Pbench test -Dtest=FanInBench [-Dbench.peers=2,10,50] [-Dbench.events=10000] [-Dbench.daemon-jvm=...]}.
 * N peer relays on loopback (test relays, the same for both tools) each get the same events while the tool
 * is subscribed to all of them; the tool writes into a local strfry (strfry router with N urls, our daemon
 * with its default import sink). Reported per N: time until the local strfry holds them all, the tool's
 * CPU and peak RSS, and our daemon's RSS when idle with N peers connected.
 */
@Tag("bench")
@EnabledIfEnvironmentVariable(named = StrfryProcess.ENV, matches = ".+")
class FanInBench {

    static final int EVENTS = Integer.getInteger("bench.events", 10_000);
    /** -Dbench.daemon-jvm="...": JVM options added to the launcher's for the daemon (an experiment). */
    static final List<String> DAEMON_JVM = System.getProperty("bench.daemon-jvm", "").isBlank() ? List.of()
            : List.of(System.getProperty("bench.daemon-jvm").trim().split("\\s+"));

    @Test
    void sameEventsFromManyPeers(@TempDir Path tmp) throws Exception {
        AppProcess.preparePackaged();
        List<String> events = LiveSyncBench.sign(EVENTS, Fixtures.REFERENCE_TIME - 3000, "fan-in");
        List<String> rows = new ArrayList<>();
        for (String n : System.getProperty("bench.peers", "2,10,50").split(",")) {
            int peers = Integer.parseInt(n.trim());
            String router = run(tmp.resolve("router-" + peers), peers, events, true);
            String ours = run(tmp.resolve("daemon-" + peers), peers, events, false);
            rows.add(String.format("BENCH fan-in %d peers x %,d events: strfry router %s | constellation-sync %s", peers, events.size(), router, ours));
            System.out.println(rows.get(rows.size() - 1));
        }
        rows.forEach(System.out::println);
    }

    private String run(Path dir, int n, List<String> events, boolean router) throws Exception {
        Files.createDirectories(dir);
        List<TestRelay> peers = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                peers.add(new TestRelay().host("127.0.0." + (2 + i)).recordFrames(false).start());
            }
            try (StrfryProcess local = StrfryProcess.create(dir.resolve("local"))) {
                local.startRelay();
                long pid;
                AutoCloseable stop;
                String idle = "";
                if (router) {
                    Process p = SideBySideBench.router(dir, peers.stream().map(TestRelay::url).toList(), local);
                    pid = p.pid();
                    stop = p::destroy;
                    org.astroport.constellation.testsupport.RunningApp.await("router subscribed to " + n + " peers", 60_000,
                            () -> peers.stream().allMatch(r -> !r.reqs().isEmpty()));
                } else {
                    Map<String, String> settings = LiveSyncBench.importInto(local, LiveSyncBench.settings(dir, peers.get(0)));
                    AppProcess app = AppProcess.startPackaged(dir, DAEMON_JVM, settings, "--home", LiveSyncBench.station(dir, peers).toString(), "run");
                    pid = app.pid();
                    stop = app;
                    org.astroport.constellation.testsupport.RunningApp.await("daemon subscribed to " + n + " peers", 120_000,
                            () -> peers.stream().allMatch(r -> !r.reqs().isEmpty()));
                    Thread.sleep(3000);
                    idle = String.format(", idle RSS %d MB", app.rssKb() / 1024);
                }
                try (AutoCloseable tool = stop; RelayCount counter = RelayCount.open(local.url())) {
                    Thread.sleep(1000);
                    long cpu0 = cpuMillis(pid);
                    long t0 = System.nanoTime();
                    List<Thread> pushers = new ArrayList<>();
                    for (TestRelay peer : peers) {
                        Thread t = new Thread(() -> events.forEach(peer::publish));
                        pushers.add(t);
                        t.start();
                    }
                    for (Thread t : pushers) {
                        t.join();
                    }
                    long held = SideBySideBench.awaitCount(counter, events.size());
                    double secs = (System.nanoTime() - t0) / 1e9;
                    long cpu = cpuMillis(pid) - cpu0;
                    return String.format("%.1f s, CPU %.1f s, peak RSS %d MB%s%s", secs, cpu / 1000.0, SideBySideBench.peakRssMb(pid), idle,
                            held < events.size() ? String.format(" (stalled at %,d)", held) : "");
                }
            }
        } finally {
            peers.forEach(TestRelay::close);
        }
    }

    static long cpuMillis(long pid) {
        try {
            String[] f = Files.readString(Path.of("/proc", String.valueOf(pid), "stat")).split(" ");
            return (Long.parseLong(f[13]) + Long.parseLong(f[14])) * 10;
        } catch (Exception e) {
            return -1;
        }
    }
}
