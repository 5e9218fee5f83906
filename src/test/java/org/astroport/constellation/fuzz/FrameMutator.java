package org.astroport.constellation.fuzz;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.astroport.constellation.testsupport.Fixtures;

/** Mutated relay frames from the fixtures: real frames with bytes flipped, cut, repeated, or hostile text spliced in. */
public final class FrameMutator {

    private static final String[] SPLICES = {"\"", "\\", "]", "[", "{", "}", ",", ":", "\u0000", "\n", "\r\n", "\u007f", "\ud83c", "\ud83c\udf4e",
            "null", "true", "1e309", "-0", "99999999999999999999", "\"EVENT\"", "\"EOSE\"", "\"CLOSED\"", "\"NOTICE\"", "\"AUTH\"", "\"OK\"",
            "\"cs-0\"", "\"\\u0000\"", "[[[[[[[[[[[[[[[[", "}}}}}}}}"};

    private final Random random;
    private final List<String> corpus = new ArrayList<>();

    /** @param subscription the subscription id the EVENT frames name (the daemon's own, so events reach the pipeline) */
    public FrameMutator(long seed, String subscription) {
        this.random = new Random(seed);
        for (String line : Fixtures.lines(Fixtures.events("relay-messages.ndjson"))) {
            corpus.add(line.replace("\"sub1\"", "\"" + subscription + "\""));
        }
        for (String line : Fixtures.validLines()) {
            corpus.add("[\"EVENT\",\"" + subscription + "\"," + line + "]");
        }
    }

    public String next() {
        String f = corpus.get(random.nextInt(corpus.size()));
        int mutations = random.nextInt(4); // 0: the frame as it is
        for (int i = 0; i < mutations && !f.isEmpty(); i++) {
            int at = random.nextInt(f.length());
            switch (random.nextInt(6)) {
                case 0 -> f = f.substring(0, at) + (char) (f.charAt(at) ^ (1 << random.nextInt(7))) + f.substring(at + 1);
                case 1 -> f = f.substring(0, at);
                case 2 -> f = f.substring(0, at) + f.substring(Math.min(f.length(), at + 1 + random.nextInt(20)));
                case 3 -> f = f.substring(0, at) + SPLICES[random.nextInt(SPLICES.length)] + f.substring(at);
                case 4 -> f = f.substring(0, at) + f.substring(at, Math.min(f.length(), at + random.nextInt(40))) + f.substring(at);
                default -> f = f.substring(0, at) + Character.toUpperCase(f.charAt(at)) + f.substring(at + 1);
            }
        }
        return f;
    }
}
