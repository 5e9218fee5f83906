package org.astroport.constellation.testsupport;

import org.astroport.constellation.sink.EventSink;

/** A sink for tests: only its write differs; it stores what it takes (no ephemeral events) and says what it is. */
public abstract class NamedSink implements EventSink {

    private final String name;

    protected NamedSink(String name) {
        this.name = name;
    }

    @Override
    public boolean forwardsEphemeral() {
        return false;
    }

    @Override
    public String describe() {
        return name;
    }
}
