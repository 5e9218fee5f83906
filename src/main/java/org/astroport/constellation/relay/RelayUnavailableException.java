package org.astroport.constellation.relay;

/** The relay is not connected right now. */
public class RelayUnavailableException extends Exception {

    public RelayUnavailableException(String message) {
        super(message);
    }
}
