package io.openmeet.focus.bridge;

import org.jitsi.xmpp.extensions.colibri.ColibriStatsExtension;

/**
 * The stats jicofo reads from a bridge's brewery presence; absent values take jicofo's defaults
 * (stress 0, healthy true, flags false). A malformed stress counts as fully loaded, so a bridge
 * that reports nonsense gets no new conferences; a missing or malformed participant count is -1.
 */
record BridgeStats(
    double stress,
    String region,
    String relayId,
    String version,
    boolean healthy,
    boolean drain,
    boolean gracefulShutdown,
    boolean shuttingDown,
    int participants) {

  static BridgeStats from(ColibriStatsExtension stats) {
    return new BridgeStats(
        stress(stats.getValueAsString("stress_level")),
        stats.getValueAsString(ColibriStatsExtension.REGION),
        stats.getValueAsString(ColibriStatsExtension.RELAY_ID),
        stats.getValueAsString(ColibriStatsExtension.VERSION),
        flag(stats.getValueAsString("healthy"), true),
        flag(stats.getValueAsString(ColibriStatsExtension.DRAIN), false),
        flag(stats.getValueAsString("graceful_shutdown"), false),
        flag(stats.getValueAsString("shutting_down"), false),
        count(stats.getValueAsString("participants")));
  }

  private static int count(String value) {
    if (value == null) {
      return -1;
    }
    try {
      return Math.max(-1, Integer.parseInt(value.trim()));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static double stress(String value) {
    if (value == null || value.isBlank()) {
      return 0;
    }
    try {
      double v = Double.parseDouble(value.trim());
      return Double.isFinite(v) && v >= 0 ? v : Double.MAX_VALUE;
    } catch (NumberFormatException e) {
      return Double.MAX_VALUE;
    }
  }

  private static boolean flag(String value, boolean absent) {
    return value == null ? absent : Boolean.parseBoolean(value.trim());
  }
}
