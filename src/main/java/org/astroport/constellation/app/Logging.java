package org.astroport.constellation.app;

/**
 * Points log4j2's file appenders at {@code <home>/strfry} before the first logger is created.
 */
public final class Logging {

    private Logging() {
    }

    public static void init(StationHome station) {
        if (System.getProperty("constellation.log.dir") == null) {
            System.setProperty("constellation.log.dir", station.logDirectory().toString());
        }
    }

    public static void shutdown() {
        org.apache.logging.log4j.LogManager.shutdown();
    }
}
