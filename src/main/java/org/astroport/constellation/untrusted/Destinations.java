package org.astroport.constellation.untrusted;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

/**
 * Where a peer's relay URL may make us connect. A descriptor is written by another station, so its
 * host could point us at this machine or the LAN (a local API, the router): loopback, private,
 * link-local, unspecified and the other non-public ranges are refused unless the operator allows
 * them. Names are resolved, with a timeout, and refused when any of their addresses is, so a name
 * cannot carry a private address past the check.
 * <p>
 * Numeric hosts must be spelled the canonical way: {@code 127.1}, {@code 0x7f.1}, {@code 0177.0.0.1}
 * or {@code 2130706433} are 127.0.0.1 to glibc's resolver and something else, or nothing, to other
 * parsers (Java reads 0177 as 177), so a check and a connection could disagree on what they mean.
 */
public final class Destinations {

    public enum Outcome {
        ALLOWED,
        /** a non-public address, or an ambiguous numeric spelling */
        REFUSED,
        /** the name did not resolve (in time): try again later */
        UNRESOLVED
    }

    /** The answer for one host; {@code addresses} are what it resolved to (empty when nothing was looked up). */
    public record Verdict(Outcome outcome, String detail, List<InetAddress> addresses) {
        public boolean allowed() {
            return outcome == Outcome.ALLOWED;
        }
    }

    /** Name resolution; the system resolver by default, a fixed table in tests. */
    @FunctionalInterface
    public interface Resolver {
        InetAddress[] resolve(String name) throws UnknownHostException;
    }

    private static final Pattern CANONICAL_IPV4 = Pattern.compile("^(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}$");
    // WHATWG URL: a host whose last label is a number (decimal, or 0x hex) is an IPv4 address in some spelling
    private static final Pattern NUMERIC_LABEL = Pattern.compile("^(0[xX][0-9a-fA-F]*|[0-9]+)$");
    // getaddrinfo cannot be interrupted: at most 4 lookups at once and no queue, so while a resolver that
    // does not answer holds them, further names fail at once (and are tried again later) instead of
    // each costing the whole timeout
    private static final ThreadPoolExecutor LOOKUPS = new ThreadPoolExecutor(0, 4, 30, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
        Thread t = new Thread(r, "peer-dns");
        t.setDaemon(true);
        return t;
    });

    private final boolean allowPrivate;
    private final Duration timeout;
    private final Resolver resolver;

    private Destinations(boolean allowPrivate, Duration timeout, Resolver resolver) {
        this.allowPrivate = allowPrivate;
        this.timeout = timeout;
        this.resolver = resolver;
    }

    /** Public addresses only, names resolved by the system resolver within the timeout. */
    public static Destinations publicOnly(Duration timeout) {
        return new Destinations(false, timeout, InetAddress::getAllByName);
    }

    public static Destinations publicOnly(Duration timeout, Resolver resolver) {
        return new Destinations(false, timeout, resolver);
    }

    /** Anything goes and nothing is looked up (constellation.peers.allow-private=true, our own tunnels). */
    public static Destinations anyAddress() {
        return new Destinations(true, Duration.ZERO, InetAddress::getAllByName);
    }

    public boolean allowsPrivate() {
        return allowPrivate;
    }

    /** The host of a URL (IPv6 literals with or without brackets). Blocks up to the timeout for a name. */
    public Verdict check(String host) {
        if (allowPrivate) {
            return new Verdict(Outcome.ALLOWED, "", List.of());
        }
        if (host == null || host.isBlank()) {
            return new Verdict(Outcome.REFUSED, "no host", List.of());
        }
        String h = host.strip().toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        if (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1); // "localhost." is localhost
        }
        InetAddress[] addresses;
        String shown = PeerText.clip(h);
        if (h.indexOf(':') >= 0) {
            try {
                // brackets make Java parse an IPv6 literal and never ask DNS
                addresses = new InetAddress[] {InetAddress.getByName("[" + h + "]")};
            } catch (UnknownHostException e) {
                return new Verdict(Outcome.REFUSED, "'" + shown + "' is not an IPv6 address", List.of());
            }
        } else if (CANONICAL_IPV4.matcher(h).matches()) {
            addresses = new InetAddress[] {ipv4(h)};
        } else if (isAmbiguousNumeric(h)) {
            return new Verdict(Outcome.REFUSED, "'" + shown + "' is a non-canonical spelling of an IPv4 address", List.of());
        } else {
            try {
                addresses = resolve(h);
            } catch (UnknownHostException e) {
                return new Verdict(Outcome.UNRESOLVED, "'" + shown + "' does not resolve", List.of());
            } catch (TimeoutException e) {
                return new Verdict(Outcome.UNRESOLVED, "'" + shown + "' did not resolve within " + timeout.toMillis() + " ms"
                        + ("lookups busy".equals(e.getMessage()) ? " (earlier lookups still waiting for the resolver)" : ""), List.of());
            }
            if (addresses.length == 0) {
                return new Verdict(Outcome.UNRESOLVED, "'" + shown + "' has no address", List.of());
            }
        }
        for (InetAddress a : addresses) {
            String kind = nonPublicKind(a);
            if (kind != null) {
                String what = a.getHostAddress().equals(h) ? "'" + shown + "' is" : "'" + shown + "' resolves to " + a.getHostAddress() + ",";
                return new Verdict(Outcome.REFUSED, what + " a " + kind + " address", List.of(addresses));
            }
        }
        return new Verdict(Outcome.ALLOWED, "", List.of(addresses));
    }

    /** A host (no brackets) that some parser reads as an IPv4 number but that is not a canonical dotted quad. */
    public static boolean isAmbiguousNumeric(String host) {
        String h = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
        String last = h.substring(h.lastIndexOf('.') + 1);
        return NUMERIC_LABEL.matcher(last).matches() && !CANONICAL_IPV4.matcher(h).matches();
    }

    /** Why this address is not a public one (loopback, private, ...), or null when it is public. */
    public static String nonPublicKind(InetAddress a) {
        if (a.isAnyLocalAddress()) {
            return "unspecified";
        }
        if (a.isLoopbackAddress()) {
            return "loopback";
        }
        if (a.isLinkLocalAddress()) {
            return "link-local";
        }
        if (a.isSiteLocalAddress()) {
            return "private";
        }
        if (a.isMulticastAddress()) {
            return "multicast";
        }
        byte[] b = a.getAddress();
        if (a instanceof Inet4Address) {
            int b0 = b[0] & 0xff;
            int b1 = b[1] & 0xff;
            if (b0 == 0) {
                return "unspecified"; // 0.0.0.0/8, "this network": Linux connects 0.x to the local host
            }
            if (b0 == 100 && (b1 & 0xc0) == 64) {
                return "shared (carrier-grade NAT)";
            }
            if (b0 == 192 && b1 == 0 && b[2] == 0) {
                return "reserved";
            }
            if (b0 == 198 && (b1 & 0xfe) == 18) {
                return "reserved (benchmarking)";
            }
            if (b0 >= 240) {
                return "reserved";
            }
            return null;
        }
        if (a instanceof Inet6Address) {
            if ((b[0] & 0xfe) == 0xfc) {
                return "private (unique local)";
            }
            // IPv4 carried in IPv6: mapped (::ffff:0:0/96), compatible (::/96), NAT64 (64:ff9b::/96), 6to4 (2002::/16)
            boolean zeros80 = allZero(b, 0, 10);
            if (zeros80 && (((b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff) || (b[10] == 0 && b[11] == 0))) {
                return embeddedKind(b, 12);
            }
            if (b[0] == 0 && (b[1] & 0xff) == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b && allZero(b, 4, 12)) {
                return embeddedKind(b, 12);
            }
            if ((b[0] & 0xff) == 0x20 && b[1] == 0x02) {
                return embeddedKind(b, 2);
            }
        }
        return null;
    }

    private static String embeddedKind(byte[] b, int offset) {
        try {
            String kind = nonPublicKind(InetAddress.getByAddress(Arrays.copyOfRange(b, offset, offset + 4)));
            return kind == null ? null : kind + " (IPv4 in IPv6)";
        } catch (UnknownHostException e) {
            return "invalid";
        }
    }

    private static boolean allZero(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }

    private static InetAddress ipv4(String dotted) {
        String[] parts = dotted.split("\\.");
        byte[] b = new byte[4];
        for (int i = 0; i < 4; i++) {
            b[i] = (byte) Integer.parseInt(parts[i]);
        }
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // four bytes are always an address
        }
    }

    private InetAddress[] resolve(String name) throws UnknownHostException, TimeoutException {
        Future<InetAddress[]> f;
        try {
            f = LOOKUPS.submit(() -> resolver.resolve(name));
        } catch (RejectedExecutionException e) {
            throw new TimeoutException("lookups busy");
        }
        try {
            return f.get(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownHostException u) {
                throw u;
            }
            throw new UnknownHostException(String.valueOf(e.getCause()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            f.cancel(true);
            throw new TimeoutException("interrupted");
        } catch (TimeoutException e) {
            f.cancel(true);
            throw e;
        }
    }
}
