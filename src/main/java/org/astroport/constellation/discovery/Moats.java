package org.astroport.constellation.discovery;

import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.OptionalLong;

/** Astroport's MOATS timestamps: {@code YYYYMMDDhhmmss} in UTC followed by fraction digits. */
public final class Moats {

    private Moats() {
    }

    /** Epoch seconds, or empty when the text is not a MOATS timestamp. */
    public static OptionalLong toEpochSeconds(String moats) {
        if (moats == null) {
            return OptionalLong.empty();
        }
        String s = moats.trim();
        if (s.length() < 14 || s.length() > 24 || !s.chars().allMatch(Character::isDigit)) {
            return OptionalLong.empty();
        }
        try {
            LocalDateTime t = LocalDateTime.of(
                    Integer.parseInt(s.substring(0, 4)), Integer.parseInt(s.substring(4, 6)), Integer.parseInt(s.substring(6, 8)),
                    Integer.parseInt(s.substring(8, 10)), Integer.parseInt(s.substring(10, 12)), Integer.parseInt(s.substring(12, 14)));
            return OptionalLong.of(t.toEpochSecond(ZoneOffset.UTC));
        } catch (java.time.DateTimeException e) {
            return OptionalLong.empty();
        }
    }
}
