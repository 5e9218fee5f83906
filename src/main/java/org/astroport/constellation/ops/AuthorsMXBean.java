package org.astroport.constellation.ops;

import java.util.Map;

/** The author registry over JMX. */
public interface AuthorsMXBean {

    int getMonitoredCount();

    /** Distinct valid keys per kind of source, before the blacklist. */
    Map<String, Integer> getCountBySource();

    int getBlacklistSize();

    /** Invalid lines skipped, per file. */
    Map<String, Integer> getInvalidLinesByFile();

    long getVersion();

    /** Every monitored key with its sources. */
    String[] getAuthors();
}
