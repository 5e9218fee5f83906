package org.astroport.constellation.backfill;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntPredicate;

/** The per-kind counters of the station script's SYNC_STATS line, in its order and with its names. */
public final class KindGroups {

    private static final Map<String, IntPredicate> GROUPS = new LinkedHashMap<>();

    static {
        GROUPS.put("dms", k -> k == 4);
        GROUPS.put("public", k -> k != 4);
        GROUPS.put("deletions", k -> k == 5);
        GROUPS.put("videos", k -> k == 21 || k == 22);
        GROUPS.put("files", k -> k == 1063);
        GROUPS.put("comments", k -> k == 1111);
        GROUPS.put("voice", k -> k == 1222 || k == 1244);
        GROUPS.put("tags", k -> k == 1985);
        GROUPS.put("tmdb", k -> k == 1986 || k == 30001);
        GROUPS.put("channels", k -> k == 40 || k == 41 || k == 42 || k == 44);
        GROUPS.put("status", k -> k == 30315);
        GROUPS.put("did", k -> k == 30800);
        GROUPS.put("ore_spaces", k -> k == 30312);
        GROUPS.put("ore_meetings", k -> k == 30313);
        GROUPS.put("oracle", k -> k >= 30500 && k <= 30503);
        GROUPS.put("economic_health", k -> k == 30850 || k == 30851);
        GROUPS.put("workflows", k -> k >= 31900 && k <= 31902);
        GROUPS.put("n2_memory", k -> k == 31910);
        GROUPS.put("nip52_calendar", k -> k >= 31922 && k <= 31925);
        GROUPS.put("profiles", k -> k == 0);
        GROUPS.put("text", k -> k == 1);
        GROUPS.put("contacts", k -> k == 3);
        GROUPS.put("reposts", k -> k == 6);
        GROUPS.put("reactions", k -> k == 7);
        GROUPS.put("blog", k -> k == 30023);
        GROUPS.put("drafts", k -> k == 30024);
        GROUPS.put("badge_awards", k -> k == 8);
        GROUPS.put("profile_badges", k -> k == 30008);
        GROUPS.put("badge_definitions", k -> k == 30009);
        GROUPS.put("love_ledger", k -> k == 30305);
        GROUPS.put("wotx2_objects", k -> k == 30505 || k == 1505);
        GROUPS.put("wotx2_justice", k -> k == 30506 || k == 1506);
        GROUPS.put("vibration_matches", k -> k == 30508);
        GROUPS.put("friction_reports", k -> k == 1984);
        GROUPS.put("zaps", k -> k == 9735);
        GROUPS.put("crowdfunding", k -> k == 30904);
    }

    private final AtomicLong total = new AtomicLong();
    private final Map<String, AtomicLong> counts = new LinkedHashMap<>();

    public KindGroups() {
        GROUPS.keySet().forEach(g -> counts.put(g, new AtomicLong()));
    }

    public void count(int kind) {
        total.incrementAndGet();
        GROUPS.forEach((g, p) -> {
            if (p.test(kind)) {
                counts.get(g).incrementAndGet();
            }
        });
    }

    public long total() {
        return total.get();
    }

    public long get(String group) {
        return counts.get(group).get();
    }

    /** {@code SYNC_STATS: events=… dms=… public=… deletions=… …} */
    public String syncStatsLine() {
        StringBuilder sb = new StringBuilder("SYNC_STATS: events=").append(total.get());
        counts.forEach((g, n) -> sb.append(' ').append(g).append('=').append(n.get()));
        return sb.toString();
    }
}
