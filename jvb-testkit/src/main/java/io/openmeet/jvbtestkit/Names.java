package io.openmeet.jvbtestkit;

import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/** Random names, so that runs on one shared Prosody never meet. */
final class Names {
  private Names() {}

  /** Eight random hex digits. */
  static String randomHex() {
    byte[] b = new byte[4];
    ThreadLocalRandom.current().nextBytes(b);
    return HexFormat.of().formatHex(b);
  }
}
