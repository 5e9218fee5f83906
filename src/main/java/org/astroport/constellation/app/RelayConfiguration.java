package org.astroport.constellation.app;

import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.Configuration;
import org.apache.camel.PropertyInject;
import org.astroport.constellation.discovery.AuthorRegistry;
import org.astroport.constellation.nostr.SyncedKinds;
import org.astroport.constellation.relay.RelayTransport;
import org.astroport.constellation.relay.SubscriptionPlanner;
import org.astroport.constellation.sync.LiveSubscriptions;

/** Our side of the WebSocket: the shared transport, and what we ask relays for, in REQs of what shape. */
@Configuration
public class RelayConfiguration implements CamelConfiguration {

    /** One Vert.x for every connection (peers, the relay sink, the backfill): the nostr-relay component autowires it, and starts and stops it. */
    @BindToRegistry(lazy = true)
    public RelayTransport relayTransport() {
        return new RelayTransport(2);
    }

    /** REQ shape: strfry refuses frames over 131,072 bytes, more than 200 filters, more than 20 subscriptions. */
    @BindToRegistry(lazy = true)
    public SubscriptionPlanner subscriptionPlanner(@PropertyInject("constellation.req.max-frame-bytes") int maxFrameBytes,
                                                   @PropertyInject("constellation.req.max-filters") int maxFilters,
                                                   @PropertyInject("constellation.req.max-subscriptions") int maxSubscriptions,
                                                   @PropertyInject("constellation.req.authors-per-filter") int authorsPerFilter) {
        return new SubscriptionPlanner(new SubscriptionPlanner.Limits(maxFrameBytes, maxFilters, maxSubscriptions, authorsPerFilter));
    }

    /** What every peer route subscribes to: the synced kinds, from the monitored authors. */
    @BindToRegistry(lazy = true)
    public LiveSubscriptions liveSubscriptions(SyncedKinds kinds, AuthorRegistry authors) {
        return new LiveSubscriptions(kinds, authors);
    }

}
