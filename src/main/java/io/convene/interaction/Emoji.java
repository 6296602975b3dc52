package io.convene.interaction;

import java.nio.charset.StandardCharsets;

/**
 * Whether a reaction is exactly one emoji: one pictograph (or a keycap, or a flag of two regional
 * indicators), optionally with a variation selector, a skin tone, tags, or more pictographs joined by
 * zero-width joiners (one family, one profession), at most {@link #MAX_BYTES} bytes of UTF-8.
 */
final class Emoji {
  static final int MAX_BYTES = 16;
  private static final int ZWJ = 0x200D;
  private static final int VS16 = 0xFE0F;
  private static final int KEYCAP = 0x20E3;

  private Emoji() {}

  static boolean isSingle(String s) {
    if (s == null || s.isEmpty() || s.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
      return false;
    }
    int[] cps = s.codePoints().toArray();
    int i = 0;
    if (isKeycapBase(cps[0])) {
      // 1️⃣: digit, # or *, an optional VS16, then the combining keycap
      int j = 1;
      if (j < cps.length && cps[j] == VS16) {
        j++;
      }
      return j == cps.length - 1 && cps[j] == KEYCAP;
    }
    if (isRegionalIndicator(cps[0])) {
      return cps.length == 2 && isRegionalIndicator(cps[1]);
    }
    while (true) {
      if (i >= cps.length || !isPictograph(cps[i])) {
        return false;
      }
      i++;
      while (i < cps.length && isModifier(cps[i])) {
        i++;
      }
      if (i == cps.length) {
        return true;
      }
      if (cps[i] != ZWJ) {
        return false;
      }
      i++;
    }
  }

  private static boolean isKeycapBase(int cp) {
    return (cp >= '0' && cp <= '9') || cp == '#' || cp == '*';
  }

  private static boolean isRegionalIndicator(int cp) {
    return cp >= 0x1F1E6 && cp <= 0x1F1FF;
  }

  private static boolean isModifier(int cp) {
    return cp == VS16 || (cp >= 0x1F3FB && cp <= 0x1F3FF) || (cp >= 0xE0020 && cp <= 0xE007F);
  }

  private static boolean isPictograph(int cp) {
    return (cp >= 0x1F000 && cp <= 0x1FAFF && !isRegionalIndicator(cp) && !(cp >= 0x1F3FB && cp <= 0x1F3FF))
        || (cp >= 0x2600 && cp <= 0x27BF)
        || (cp >= 0x2300 && cp <= 0x23FF)
        || (cp >= 0x2B00 && cp <= 0x2BFF)
        || cp == 0x00A9 || cp == 0x00AE || cp == 0x203C || cp == 0x2049 || cp == 0x2122 || cp == 0x2139
        || (cp >= 0x2194 && cp <= 0x21AA) || cp == 0x24C2 || (cp >= 0x25AA && cp <= 0x25FE)
        || cp == 0x2934 || cp == 0x2935 || cp == 0x3030 || cp == 0x303D || cp == 0x3297 || cp == 0x3299;
  }
}
