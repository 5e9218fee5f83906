package org.astroport.constellation.ingest;

/** Whose events matter: the author registry as the pipeline sees it (blacklist already applied). */
@FunctionalInterface
public interface AuthorSet {

    boolean isMonitored(String pubkeyHex);

    AuthorSet ANYONE = pubkey -> true;
}
