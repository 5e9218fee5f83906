package org.astroport.constellation.ops;

/** The backfill, over JMX. */
public interface BackfillMXBean {

    boolean isRunning();

    /** When the daily run fires next (cron constellation.backfill.cron). */
    String getNextRun();

    String getLastRun();

    /** The last run's SYNC_* lines. */
    String[] getLastSummary();

    /** Starts a backfill over constellation.backfill.days in the background; says why not when one runs. */
    String trigger();
}
