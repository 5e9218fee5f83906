package org.astroport.constellation.backfill;

import java.util.List;

/**
 * The command line of backfill_constellation.sh, kept flag for flag so _12345.sh and operators can
 * switch without relearning.
 */
public record BackfillOptions(int days, boolean dryRun, boolean verbose, boolean noDms, boolean verifyRequested,
                              boolean noProfiles, boolean stats, boolean showHex, boolean help) {

    public static final String USAGE = """
            Usage: constellation-sync backfill [--DRYRUN] [--days N] [--verbose|-v] [--no-dms] [--verify] [--no-profiles] [--show-hex] [--stats]

            Options:
              --DRYRUN      Show what would be done without contacting any peer
              --days N      Backfill N days back (default: 1; 0 = all history)
              --verbose     Show detailed output
              --no-dms      Exclude direct messages (kind 4) from synchronization
              --verify      Accepted for compatibility: signatures are always verified
              --no-profiles Skip the full-history fetch for authors without a profile (kind 0)
              --show-hex    Display all monitored HEX pubkeys with their source
              --stats       Show database statistics and monitoring info
              --help        Show this help message
            """;

    public static BackfillOptions defaults() {
        return new BackfillOptions(1, false, false, false, false, false, false, false, false);
    }

    /** Parses the flags; throws IllegalArgumentException with the message to print on a bad flag. */
    public static BackfillOptions parse(List<String> args) {
        int days = 1;
        boolean dryRun = false, verbose = false, noDms = false, verify = false, noProfiles = false, stats = false, showHex = false, help = false;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            switch (a) {
                case "--DRYRUN", "--dry-run" -> dryRun = true;
                case "--days" -> {
                    if (i + 1 >= args.size()) {
                        throw new IllegalArgumentException("--days needs a number of days (0 = all history)");
                    }
                    days = parseDays(args.get(++i));
                }
                case "--verbose", "-v" -> verbose = true;
                case "--no-dms" -> noDms = true;
                case "--verify" -> verify = true;
                case "--no-profiles" -> noProfiles = true;
                case "--stats" -> stats = true;
                case "--show-hex" -> showHex = true;
                case "--help", "-h" -> help = true;
                default -> {
                    if (a.startsWith("--days=")) {
                        days = parseDays(a.substring(7));
                    } else {
                        throw new IllegalArgumentException("Unknown option: " + a + "\nUse --help for usage information");
                    }
                }
            }
        }
        return new BackfillOptions(days, dryRun, verbose, noDms, verify, noProfiles, stats, showHex, help);
    }

    private static int parseDays(String s) {
        try {
            int d = Integer.parseInt(s.trim());
            if (d < 0) {
                throw new NumberFormatException();
            }
            return d;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--days expects a whole number of days >= 0, got '" + s + "'");
        }
    }

    /** Start of the window in epoch seconds, or null for all history. */
    public Long since(long nowEpochSeconds) {
        return days == 0 ? null : nowEpochSeconds - days * 86_400L;
    }
}
