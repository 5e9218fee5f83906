package org.astroport.constellation.ops;

import java.time.Instant;
import java.util.Date;

import org.astroport.constellation.backfill.BackfillReport;
import org.astroport.constellation.backfill.BackfillRunner;
import org.quartz.CronExpression;

public class BackfillView implements BackfillMXBean {

    private final BackfillRunner runner;
    private final String cron;

    public BackfillView(BackfillRunner runner, String cron) {
        this.runner = runner;
        this.cron = cron;
    }

    @Override
    public boolean isRunning() {
        return runner.isRunning();
    }

    @Override
    public String getNextRun() {
        try {
            Date next = new CronExpression(cron).getNextValidTimeAfter(new Date());
            return next == null ? "never" : next.toInstant() + " (" + cron + ")";
        } catch (Exception e) {
            return "invalid cron '" + cron + "': " + e.getMessage();
        }
    }

    @Override
    public String getLastRun() {
        BackfillReport r = runner.lastReport();
        return r == null ? "none since start" : Instant.ofEpochSecond(r.startedAtEpoch()) + " in " + r.durationMillis() + " ms";
    }

    @Override
    public String[] getLastSummary() {
        BackfillReport r = runner.lastReport();
        return r == null ? new String[0] : r.summaryLines().toArray(String[]::new);
    }

    @Override
    public String trigger() {
        if (runner.isRunning()) {
            return "refused: a backfill is already running";
        }
        Thread t = new Thread(runner::runScheduled, "backfill-jmx");
        t.setDaemon(true);
        t.start();
        return "started";
    }
}
