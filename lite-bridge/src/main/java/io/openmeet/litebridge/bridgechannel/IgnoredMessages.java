package io.openmeet.litebridge.bridgechannel;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Logs an ignored bridge-channel message once per kind (at INFO), later ones of the same kind only
 * at FINE, so a client that keeps sending something odd cannot flood the log.
 */
final class IgnoredMessages {

  private static final Logger LOG = Logger.getLogger(ColibriWebSocketService.class.getName());

  /** Kinds beyond this many are all logged at FINE (a client inventing new kinds endlessly). */
  private static final int MAX_KINDS = 256;

  private final Set<String> logged = ConcurrentHashMap.newKeySet();

  /**
   * @param kind what is wrong, without per-message details (e.g. the unknown colibriClass)
   * @param detail the details of this occurrence
   * @return whether this occurrence was logged at INFO
   */
  boolean ignored(String kind, String detail) {
    boolean first = logged.size() < MAX_KINDS && logged.add(kind);
    LOG.log(
        first ? Level.INFO : Level.FINE,
        "ignoring bridge-channel message (" + kind + "): " + detail);
    return first;
  }
}
