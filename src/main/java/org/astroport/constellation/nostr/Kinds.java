package org.astroport.constellation.nostr;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;

/** The constellation's kind list, in one place. */
public final class Kinds {

    /** What stations sync today (backfill_constellation.sh and the router config); kind 4 is direct messages. */
    public static final List<Integer> DEFAULT = List.of(0, 1, 3, 4, 5, 6, 7, 8, 21, 22, 40, 41, 42, 44, 1063, 1111, 1222,
            1244, 1506, 1984, 1985, 1986, 9735, 10000, 10001, 22242, 30001, 30005, 30008, 30009, 30023, 30024, 30078,
            30303, 30312, 30313, 30315, 30500, 30501, 30502, 30503, 30504, 30505, 30506, 30508, 30800, 30850, 30851,
            30904, 31900, 31901, 31902, 31910, 31922, 31923, 31924, 31925);

    public static final int DIRECT_MESSAGE = 4;
    public static final int DELETION = 5;
    public static final int PROFILE = 0;

    private Kinds() {
    }

    public static boolean isEphemeral(int kind) {
        return kind >= 20000 && kind < 30000;
    }

    public static List<Integer> withoutDms(Collection<Integer> kinds) {
        List<Integer> out = new ArrayList<>(kinds);
        out.removeIf(k -> k == DIRECT_MESSAGE);
        return out;
    }

    /** Stored kinds only: what a backfill asks for. */
    public static List<Integer> withoutEphemeral(Collection<Integer> kinds) {
        List<Integer> out = new ArrayList<>(kinds);
        out.removeIf(Kinds::isEphemeral);
        return out;
    }

    /** The kinds to sync: the configured list (blank: {@link #DEFAULT}), without kind 4 when DMs are left out. */
    public static List<Integer> selected(String configured, boolean noDms) {
        List<Integer> kinds = configured == null || configured.isBlank() ? DEFAULT : parse(configured);
        return noDms ? withoutDms(kinds) : kinds;
    }

    /** "0, 1,3" → sorted distinct list; throws IllegalArgumentException naming the bad entry. */
    public static List<Integer> parse(String list) {
        TreeSet<Integer> out = new TreeSet<>();
        for (String part : list.split("[,\\s]+")) {
            if (part.isBlank()) {
                continue;
            }
            int k;
            try {
                k = Integer.parseInt(part.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("kind list: '" + part + "' is not a number");
            }
            if (k < 0 || k > 65535) {
                throw new IllegalArgumentException("kind list: " + k + " is outside 0..65535");
            }
            out.add(k);
        }
        return List.copyOf(out);
    }
}
