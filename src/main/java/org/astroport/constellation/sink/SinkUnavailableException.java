package org.astroport.constellation.sink;

/** The sink cannot take events right now; the caller spools them. */
public class SinkUnavailableException extends Exception {

    public SinkUnavailableException(String message) {
        super(message);
    }

    public SinkUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
