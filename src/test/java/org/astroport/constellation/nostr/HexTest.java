package org.astroport.constellation.nostr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.junit.jupiter.api.Test;

/** The fast checks say what the plain ones say: every char, every position. */
class HexTest {

    @Test
    void theBufferCheckAgreesWithTheStringCheckOnEveryChar() {
        String valid = "0123456789abcdef".repeat(4);
        for (int c = 0; c <= Character.MAX_VALUE; c++) {
            for (int at : new int[] {0, 31, 63}) {
                char[] chars = valid.toCharArray();
                chars[at] = (char) c;
                // the buffer holds the value between other text, as a parser's buffer does
                char[] buffer = ("\"x\":\"" + new String(chars) + "\"}").toCharArray();
                boolean expected = Hex.isLowerHex(new String(chars), 64);
                assertEquals(expected, Hex.isLowerHex(buffer, 5, 64), "char " + c + " at " + at);
            }
        }
        assertTrue(Hex.isLowerHex(("zz" + valid + "ZZ").toCharArray(), 2, 64), "only the given range is looked at");
    }

    /** decode copies the chars as Latin-1 bytes first: a char past U+00FF whose low byte is a digit (U+0130) is still no digit. */
    @Test
    void decodeTakesTheAsciiHexDigitsOfEitherCaseAndNoOtherChar() {
        String lower = "0123456789abcdef";
        String upper = "0123456789ABCDEF";
        for (int c = 0; c <= Character.MAX_VALUE; c++) {
            int value = Math.max(lower.indexOf(c), upper.indexOf(c));
            for (String hex : new String[] {"f" + (char) c, (char) c + "f"}) {
                if (value >= 0) {
                    byte[] b = Hex.decode("00" + hex);
                    assertEquals(2, b.length);
                    assertEquals(hex.charAt(0) == 'f' ? 0xf0 | value : value << 4 | 0xf, b[1] & 0xff, "char " + c);
                } else {
                    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Hex.decode("00" + hex), "char " + c);
                    assertEquals("not a hex digit at " + (hex.charAt(0) == 'f' ? 3 : 2), e.getMessage());
                }
            }
        }
        assertEquals("odd number of hex digits: 3", assertThrows(IllegalArgumentException.class, () -> Hex.decode("abc")).getMessage());
        assertEquals(0, Hex.decode("").length);
    }

    @Test
    void spellsIsEncodeThenEquals() {
        Random random = new Random(3);
        for (int i = 0; i < 200; i++) {
            byte[] bytes = new byte[32];
            random.nextBytes(bytes);
            String hex = Hex.encode(bytes);
            assertTrue(Hex.spells(hex, bytes));
            for (int at = 0; at < 64; at++) {
                char[] other = hex.toCharArray();
                other[at] = other[at] == 'f' ? '0' : (char) (other[at] == '9' ? 'a' : other[at] + 1);
                assertFalse(Hex.spells(new String(other), bytes), "differs at " + at);
            }
            assertFalse(Hex.spells(hex.toUpperCase(), bytes), "ids are lowercase");
            assertFalse(Hex.spells(hex.substring(2), bytes));
        }
    }
}
