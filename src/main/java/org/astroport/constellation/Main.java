package org.astroport.constellation;

import org.astroport.constellation.app.CommandLine;

/**
 * Entry point. Kept free of loggers: the log directory depends on the station home, which is only
 * known once the command line and environment are read, and log4j2 reads it at first use.
 */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) throws Exception {
        int status = CommandLine.run(args);
        if (status != CommandLine.KEEP_RUNNING) {
            System.exit(status);
        }
    }
}
