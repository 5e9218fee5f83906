package org.astroport.constellation.bench;

import static org.astroport.constellation.testsupport.RunningApp.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;

import org.astroport.constellation.nostr.EventSigner;
import org.astroport.constellation.testrelay.TestRelay;
import org.astroport.constellation.testsupport.AppProcess;
import org.astroport.constellation.testsupport.Fixtures;
import org.astroport.constellation.testsupport.StrfryProcess;
import org.astroport.constellation.testsupport.ZenHome;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * mvn -B -Pbench test -Dtest=LiveSyncBench : the daemon as its own process (launcher JVM settings),
 * 4 peer relays on loopback, a local relay as the sink (relay mode; it skips signature checks so the
 * measurement is ours, not the test relay's).
 */
@Tag("bench")
class LiveSyncBench {

    /** The launcher's default JAVA_OPTS, read from bin/constellation-sync; -Dbench.jvm="..." replaces them for an experiment. */
    static final List<String> JVM = System.getProperty("bench.jvm") != null ? List.of(System.getProperty("bench.jvm").trim().split("\\s+"))
            : AppProcess.launcherJvmOptions();

    static final String[] AUTHORS = {"member-1", "member-2", "member-3", "member-4"};

    static Path station(Path tmp, List<TestRelay> peers) throws Exception {
        Path home = ZenHome.withPeers(tmp, peers.get(0).url(), peers.get(1).url());
        String template = Files.readString(home.resolve("tmp/swarm/" + ZenHome.PEER_A + "/12345.json"));
        for (int i = 2; i < peers.size(); i++) {
            String id = "12D3KooWBenchPeer" + "abcdefghijkmnopqrstuvwxyzABCDEFGHJK".substring(0, 35 - String.valueOf(i).length()) + i;
            Path dir = Files.createDirectories(home.resolve("tmp/swarm/" + id));
            Files.writeString(dir.resolve("12345.json"), template.replace(ZenHome.PEER_A, id)
                    .replace("astroport.example-a.test", "bench-peer-" + i + ".test"));
            ZenHome.setPeerRelay(home, id, peers.get(i).url());
        }
        return home;
    }

    /** The daemon's settings for the import sink into this local strfry. */
    static Map<String, String> importInto(StrfryProcess local, Map<String, String> settings) {
        settings.put("constellation.sink.mode", "import");
        settings.put("constellation.strfry.bin", local.bin());
        settings.put("constellation.strfry.config", local.config().toString());
        return settings;
    }

    static Map<String, String> settings(Path tmp, TestRelay local) {
        Map<String, String> m = new HashMap<>();
        m.put("constellation.reference-time", String.valueOf(Fixtures.REFERENCE_TIME));
        m.put("constellation.node-id", Fixtures.LOCAL_NODE_ID);
        m.put("constellation.ipfs.bin", tmp.resolve("no-ipfs").toString());
        m.put("constellation.sink.mode", "relay");
        m.put("constellation.local-relay-url", local.url());
        m.put("constellation.spool.dir", tmp.resolve("spool").toString());
        m.put("constellation.live.initial-lookback-seconds", "7200");
        m.put("constellation.live.max-events-per-second", "20000");
        m.put("camel.management.enabled", "false");
        // the test relays listen on 127.0.0.x, which peers' descriptors may not name by default
        m.put("constellation.peers.allow-private", "true");
        // -Dbench.settings=key=value,key=value: an experiment with the daemon's settings
        for (String kv : System.getProperty("bench.settings", "").split(",")) {
            if (kv.contains("=")) {
                m.put(kv.substring(0, kv.indexOf('=')).trim(), kv.substring(kv.indexOf('=') + 1).trim());
            }
        }
        return m;
    }

    static List<String> sign(int n, long base, String tag) {
        return IntStream.range(0, n).parallel().mapToObj(i -> EventSigner.sign(Fixtures.secretOf(AUTHORS[i % 4]), base + (i % 3000), 1, List.of(List.of("t", "bench")),
                tag + " event " + i + " with some ordinary note text to look like a real post")).map(e -> e.toJson()).toList();
    }

    @Test
    void burstThenSteadyRate(@TempDir Path tmp) throws Exception {
        List<String> burst = sign(100_000, Fixtures.REFERENCE_TIME - 3000, "burst");
        List<String> warm = sign(100_000, Fixtures.REFERENCE_TIME - 3000, "warm");
        List<String> steady = sign(10_000, Fixtures.REFERENCE_TIME - 3000, "steady");
        Map<String, Long> published = new ConcurrentHashMap<>();
        Map<String, Long> arrived = new ConcurrentHashMap<>();
        List<TestRelay> peers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            peers.add(new TestRelay().host("127.0.0." + (2 + i)).recordFrames(false).start());
        }
        try (TestRelay local = new TestRelay().verifyEvents(false).recordFrames(false).onClientEvent(arrived::putIfAbsent).start()) {
            Path home = station(tmp, peers);
            List<String> jvm = new ArrayList<>(JVM);
            String jfr = System.getProperty("bench.jfr");
            if (jfr != null) {
                jvm.add("-XX:StartFlightRecording=filename=" + jfr + ",settings=profile");
            }
            try (AppProcess app = AppProcess.start(tmp, jvm, settings(tmp, local), "--home", home.toString(), "run")) {
                await("4 peers subscribed", 60_000, () -> peers.stream().allMatch(p -> !p.reqs().isEmpty()));
                // the first burst meets a cold JVM (the JIT compiles while it runs); the second is what a running daemon does
                burst(app, peers, local, burst, "cold", 100_000);
                burst(app, peers, local, warm, "warm", 200_000);
                // steady 1,000 events/s for 10 s, spread over the 4 peers
                arrived.clear();
                long start = System.nanoTime();
                long cpu1 = app.cpuMillis();
                Map<String, Long> threads1 = app.threadCpuMillis();
                int steadyLog0 = app.output().length();
                long publishLate = 0;
                long steadyReqs0 = peers.stream().mapToLong(p -> p.reqs().size()).sum();
                for (int i = 0; i < steady.size(); i++) {
                    long due = start + i * 1_000_000L;
                    while (System.nanoTime() < due) {
                        Thread.onSpinWait();
                    }
                    String id = steady.get(i).substring(7, 71);
                    long now = System.nanoTime();
                    published.put(id, now);
                    publishLate = Math.max(publishLate, now - due);
                    peers.get(i % 4).publish(steady.get(i));
                }
                await("10,000 steady events at the sink", 60_000, () -> published.keySet().stream().allMatch(arrived::containsKey));
                double steadySecs = (System.nanoTime() - start) / 1e9;
                long steadyCpu = app.cpuMillis() - cpu1;
                // latency over time (by publish order) and the REQs the peers answered meanwhile: a queue, or a catch-up?
                List<Double> bySecond = new ArrayList<>();
                for (int sec = 0; sec < 10; sec++) {
                    double[] l = steady.subList(sec * 1000, sec * 1000 + 1000).stream().map(e -> e.substring(7, 71))
                            .mapToDouble(id -> (arrived.get(id) - published.get(id)) / 1e6).sorted().toArray();
                    bySecond.add(Math.round(l[500] * 10) / 10.0);
                }
                // a gap close of the warm burst still running (its listing pages through the local relay the relay sink writes to)
                String before = app.output().substring(0, steadyLog0);
                long stillOpen = before.lines().filter(l -> l.contains("to catch up before the live window; reconciling")).count()
                        - before.lines().filter(l -> l.matches(".*: gap .* closed$") || l.contains("could not reconcile the gap")).count();
                System.out.println("BENCH steady: p50 latency per second of publishing (ms): " + bySecond + "; REQs the peers answered in this phase: "
                        + (peers.stream().mapToLong(p -> p.reqs().size()).sum() - steadyReqs0) + "; the publisher ran at most " + publishLate / 1_000_000
                        + " ms late; gap closes of the warm burst still running when it began: " + stillOpen);
                double[] lat = published.entrySet().stream().mapToDouble(e -> (arrived.get(e.getKey()) - e.getValue()) / 1e6).sorted().toArray();
                System.out.printf("BENCH steady 1,000 events/s: latency peer-accepts -> sink-receives p50 %.1f ms, p99 %.1f ms, max %.1f ms; daemon CPU %.0f %% of one core%n",
                        lat[lat.length / 2], lat[(int) (lat.length * 0.99)], lat[lat.length - 1], 100.0 * steadyCpu / 1000.0 / steadySecs);
                System.out.println("BENCH steady: busiest daemon threads: " + AppProcess.topThreads(threads1, app.threadCpuMillis(), 8)
                        + "; gap closes in this phase: " + app.output().substring(steadyLog0).lines().filter(l -> l.contains("event(s) lacked by reconciliation")).count());
                System.out.printf("BENCH daemon peak RSS %d MB (JVM %s)%n", app.peakRssKb() / 1024, String.join(" ", JVM));
                // -Dbench.keep-logs=DIR: the daemon's output, kept
                if (System.getProperty("bench.keep-logs") != null) {
                    Files.copy(app.log, Path.of(System.getProperty("bench.keep-logs"), "live-sync-daemon.log"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } finally {
            for (TestRelay p : peers) {
                p.close();
            }
        }
    }

    private static void burst(AppProcess app, List<TestRelay> peers, TestRelay local, List<String> events, String label, int sinkTotal) throws Exception {
        long t0 = System.nanoTime();
        long cpu0 = app.cpuMillis();
        long ours0 = ProcessHandle.current().info().totalCpuDuration().map(java.time.Duration::toMillis).orElse(0L);
        long sent0 = peers.stream().mapToLong(TestRelay::eventsSent).sum();
        Map<String, Long> threads0 = app.threadCpuMillis();
        int log0 = app.output().length();
        long reqs0 = peers.stream().mapToLong(p -> p.reqs().size()).sum();
        List<Thread> pushers = new ArrayList<>();
        for (int p = 0; p < 4; p++) {
            final int peer = p;
            Thread t = new Thread(() -> {
                for (int i = peer; i < events.size(); i += 4) {
                    peers.get(peer).publish(events.get(i));
                }
            });
            pushers.add(t);
            t.start();
        }
        for (Thread t : pushers) {
            t.join();
        }
        await(events.size() + " events at the sink", 600_000, () -> local.clientEventCount() >= sinkTotal);
        double secs = (System.nanoTime() - t0) / 1e9;
        long cpu = app.cpuMillis() - cpu0;
        long ours = ProcessHandle.current().info().totalCpuDuration().map(java.time.Duration::toMillis).orElse(0L) - ours0;
        System.out.printf("BENCH %s burst: %,d events from 4 peers in %.1f s = %.0f events/s end to end; daemon CPU %.1f s = %.0f us/event (%.0f %% of 2 cores); load generator + relays CPU %.1f s%n",
                label, events.size(), secs, events.size() / secs, cpu / 1000.0, cpu * 1000.0 / events.size(), 100.0 * cpu / 1000.0 / secs / 2, ours / 1000.0);
        System.out.println("BENCH " + label + " burst: busiest daemon threads: " + AppProcess.topThreads(threads0, app.threadCpuMillis(), 8));
        // the gap closes of the burst (after drain closes): how many, and how many events each found lacking
        java.util.regex.Matcher gaps = java.util.regex.Pattern.compile("gap of \\S+: (\\d+) event\\(s\\) lacked").matcher(app.output().substring(log0));
        List<String> lacked = new ArrayList<>();
        while (gaps.find()) {
            lacked.add(gaps.group(1));
        }
        System.out.println("BENCH " + label + " burst: " + lacked.size() + " gap close(s), events lacked in each: " + lacked);
        // more frames than events: what the daemon asked for again (catch-ups after a drain close), each a duplicate here
        System.out.printf("BENCH %s burst: the peers sent %,d EVENT frames for %,d events, in answer to %d REQs%n", label,
                peers.stream().mapToLong(TestRelay::eventsSent).sum() - sent0, events.size(), peers.stream().mapToLong(p -> p.reqs().size()).sum() - reqs0);
    }

    /**
     * The same two bursts into a real strfry through the default sink (strfry import): what a station
     * gets end to end when strfry shares the 2 cores. Needs STRFRY_BIN.
     */
    @Test
    @org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable(named = StrfryProcess.ENV, matches = ".+")
    void burstIntoRealStrfry(@TempDir Path tmp) throws Exception {
        List<String> burst = sign(100_000, Fixtures.REFERENCE_TIME - 3000, "burst");
        List<String> warm = sign(100_000, Fixtures.REFERENCE_TIME - 3000, "warm");
        List<TestRelay> peers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            peers.add(new TestRelay().host("127.0.0." + (2 + i)).recordFrames(false).start());
        }
        try (TestRelay unused = new TestRelay().start()) {
            StrfryProcess local = StrfryProcess.create(tmp.resolve("local"));
            Map<String, String> settings = importInto(local, settings(tmp, unused));
            try (AppProcess app = AppProcess.start(tmp, JVM, settings, "--home", station(tmp, peers).toString(), "run")) {
                await("4 peers subscribed", 60_000, () -> peers.stream().allMatch(p -> !p.reqs().isEmpty()));
                for (String[] round : new String[][] {{"cold", "100000"}, {"warm", "200000"}}) {
                    List<String> events = round[0].equals("cold") ? burst : warm;
                    long target = Long.parseLong(round[1]);
                    long t0 = System.nanoTime();
                    long cpu0 = app.cpuMillis();
                    long child0 = childrenCpuMillis(app);
                    for (int i = 0; i < events.size(); i++) {
                        peers.get(i % 4).publish(events.get(i));
                    }
                    // every count is a strfry process scanning the database: poll once a second, not
                    // in a tight loop, or the counting takes the CPU the sync needs (±1 s on the result)
                    long deadline = System.nanoTime() + 600_000_000_000L;
                    while (local.count() < target) {
                        if (System.nanoTime() > deadline) {
                            throw new AssertionError("strfry holds " + local.count() + " of " + target + " after 10 minutes");
                        }
                        Thread.sleep(1000);
                    }
                    double secs = (System.nanoTime() - t0) / 1e9;
                    long cpu = app.cpuMillis() - cpu0;
                    long child = childrenCpuMillis(app) - child0;
                    System.out.printf("BENCH %s burst into a real strfry (import sink): %,d events in %.1f s = %.0f events/s end to end; daemon CPU %.0f us/event"
                            + " (its strfry import child: %.0f us/event more)%n", round[0], events.size(), secs, events.size() / secs, cpu * 1000.0 / events.size(),
                            child * 1000.0 / events.size());
                }
                System.out.printf("BENCH daemon peak RSS %d MB with the import sink%n", app.peakRssKb() / 1024);
            }
        } finally {
            for (TestRelay p : peers) {
                p.close();
            }
        }
    }

    /**
     * Latency a local client sees through the default sink (strfry import): a subscriber of the local
     * strfry relay, events published by 4 peers at 200 and at 1,000 events/s, p50/p99 from a peer
     * accepting an event to the subscriber receiving it. Needs STRFRY_BIN.
     */
    @Test
    @org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable(named = StrfryProcess.ENV, matches = ".+")
    void latencyIntoRealStrfry(@TempDir Path tmp) throws Exception {
        List<String> warmUp = sign(5_000, Fixtures.REFERENCE_TIME - 3000, "latency warm-up");
        List<String> at200 = sign(2_000, Fixtures.REFERENCE_TIME - 3000, "latency 200/s");
        List<String> at1000 = sign(10_000, Fixtures.REFERENCE_TIME - 3000, "latency 1000/s");
        List<TestRelay> peers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            peers.add(new TestRelay().host("127.0.0." + (2 + i)).recordFrames(false).start());
        }
        Map<String, Long> arrived = new ConcurrentHashMap<>();
        try (TestRelay unused = new TestRelay().start();
             StrfryProcess local = StrfryProcess.create(tmp.resolve("local")).startRelay();
             LocalSubscriber sub = LocalSubscriber.open(local.url(), arrived)) {
            Map<String, String> settings = importInto(local, settings(tmp, unused));
            try (AppProcess app = AppProcess.start(tmp, JVM, settings, "--home", station(tmp, peers).toString(), "run")) {
                await("4 peers subscribed", 60_000, () -> peers.stream().allMatch(p -> !p.reqs().isEmpty()));
                steady(peers, warmUp, 2_000, arrived); // the JIT's first pass, not measured
                for (Object[] run : new Object[][] {{at200, 200}, {at1000, 1_000}}) {
                    @SuppressWarnings("unchecked")
                    List<String> events = (List<String>) run[0];
                    int rate = (Integer) run[1];
                    double[] lat = steady(peers, events, rate, arrived);
                    System.out.printf("BENCH latency into a real strfry (import sink), %,d events/s: peer accepts -> local strfry subscriber receives"
                            + " p50 %.1f ms, p99 %.1f ms, max %.1f ms%n", rate, lat[lat.length / 2], lat[(int) (lat.length * 0.99)], lat[lat.length - 1]);
                }
            }
        } finally {
            for (TestRelay p : peers) {
                p.close();
            }
        }
    }

    /** CPU ms of the daemon's live children (its strfry import), counted as SideBySideBench counts the mirror's. */
    private static long childrenCpuMillis(AppProcess app) {
        return SideBySideBench.cpuMillis(app.pid(), true) - SideBySideBench.cpuMillis(app.pid(), false);
    }

    /** Publishes events spread over the peers at a fixed rate, waits for all at the subscriber; latencies in ms, sorted. */
    private static double[] steady(List<TestRelay> peers, List<String> events, int perSecond, Map<String, Long> arrived) throws Exception {
        Map<String, Long> published = new ConcurrentHashMap<>();
        long start = System.nanoTime();
        long interval = 1_000_000_000L / perSecond;
        for (int i = 0; i < events.size(); i++) {
            long due = start + i * interval;
            long wait;
            while ((wait = due - System.nanoTime()) > 0) {
                if (wait > 2_000_000) {
                    Thread.sleep(1);
                } else {
                    Thread.onSpinWait();
                }
            }
            published.put(events.get(i).substring(7, 71), System.nanoTime());
            peers.get(i % peers.size()).publish(events.get(i));
        }
        await(events.size() + " events at the local strfry's subscriber", 120_000, () -> published.keySet().stream().allMatch(arrived::containsKey));
        return published.entrySet().stream().mapToDouble(e -> (arrived.get(e.getKey()) - e.getValue()) / 1e6).sorted().toArray();
    }

    /** A client of the local strfry relay subscribed to every new event (REQ {"limit":0}); records when each id arrives. */
    static final class LocalSubscriber implements java.net.http.WebSocket.Listener, AutoCloseable {
        private final Map<String, Long> arrived;
        private final StringBuilder partial = new StringBuilder();
        private java.net.http.WebSocket ws;

        private LocalSubscriber(Map<String, Long> arrived) {
            this.arrived = arrived;
        }

        static LocalSubscriber open(String url, Map<String, Long> arrived) throws Exception {
            LocalSubscriber l = new LocalSubscriber(arrived);
            l.ws = java.net.http.HttpClient.newHttpClient().newWebSocketBuilder().buildAsync(java.net.URI.create(url), l).get(10, java.util.concurrent.TimeUnit.SECONDS);
            l.ws.sendText("[\"REQ\",\"bench\",{\"limit\":0}]", true).get(10, java.util.concurrent.TimeUnit.SECONDS);
            return l;
        }

        @Override
        public java.util.concurrent.CompletionStage<?> onText(java.net.http.WebSocket webSocket, CharSequence data, boolean last) {
            long now = System.nanoTime();
            partial.append(data);
            if (last) {
                String frame = partial.toString();
                partial.setLength(0);
                int at = frame.indexOf("\"id\":\"");
                if (frame.startsWith("[\"EVENT\"") && at > 0) {
                    arrived.putIfAbsent(frame.substring(at + 6, at + 70), now);
                }
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public void close() {
            ws.abort();
        }
    }

    @Test
    void idleDaemonWithTwentyPeers(@TempDir Path tmp) throws Exception {
        List<TestRelay> peers = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            peers.add(new TestRelay().host("127.0.0." + (10 + i)).start());
        }
        try (TestRelay local = new TestRelay().start()) {
            Path home = station(tmp, peers);
            try (AppProcess app = AppProcess.start(tmp, JVM, settings(tmp, local), "--home", home.toString(), "run")) {
                await("20 peers subscribed", 60_000, () -> peers.stream().allMatch(p -> !p.reqs().isEmpty()));
                Thread.sleep(20_000);
                System.out.printf("BENCH idle daemon, 20 connected peers, after 20 s: RSS %d MB, peak %d MB, CPU %.1f s since start%n",
                        app.rssKb() / 1024, app.peakRssKb() / 1024, app.cpuMillis() / 1000.0);
                // what a station pays all day for nothing to do: timers, pollers, the sink's batch interval
                long cpu0 = app.cpuMillis();
                Map<String, Long> threads0 = app.threadCpuMillis();
                int seconds = Integer.getInteger("bench.idle-seconds", 60);
                Thread.sleep(seconds * 1000L);
                long idleCpu = app.cpuMillis() - cpu0;
                if (!app.isAlive()) {
                    throw new AssertionError("the daemon ended while idle: " + app.output());
                }
                System.out.printf("BENCH idle daemon, 20 connected peers, over the next %d s: CPU %d ms = %.2f %% of one core; busiest threads: %s%n",
                        seconds, idleCpu, 100.0 * idleCpu / (seconds * 1000.0), AppProcess.topThreads(threads0, app.threadCpuMillis(), 8));
            }
        } finally {
            for (TestRelay p : peers) {
                p.close();
            }
        }
    }
}
