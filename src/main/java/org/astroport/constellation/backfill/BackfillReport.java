package org.astroport.constellation.backfill;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** What a backfill run did, in the station script's summary lines. */
public record BackfillReport(long startedAtEpoch, Long since, int peersTotal, int peersOk, Map<String, String> deadPeers,
                             KindGroups kinds, long received, int profilesFound, int profilesMissing, boolean profilesChecked,
                             long durationMillis, String refusal, List<String> transferLines) {

    public boolean refused() {
        return refusal != null;
    }

    /** 0 when at least one peer succeeded or there was nothing to do. */
    public int exitStatus() {
        if (refused()) {
            return 3;
        }
        return peersTotal == 0 || peersOk > 0 ? 0 : 1;
    }

    public List<String> summaryLines() {
        List<String> out = new ArrayList<>();
        if (refused()) {
            out.add("SYNC_REFUSED: " + refusal);
            return out;
        }
        out.add(kinds.syncStatsLine());
        out.add("SYNC_PEERS: success=" + peersOk + " total=" + peersTotal);
        deadPeers.forEach((peer, why) -> out.add("SYNC_DEAD: " + peer + " (" + why + ")"));
        out.add(profilesChecked ? "SYNC_PROFILES: found=" + profilesFound + " missing=" + profilesMissing : "SYNC_PROFILES: skipped");
        out.addAll(transferLines);
        out.add("SYNC_DURATION: seconds=" + String.format(java.util.Locale.ROOT, "%.1f", durationMillis / 1000.0) + " received=" + received);
        return out;
    }
}
