package io.openmeet.focus.bridge;

import io.openmeet.presence.bridge.BridgeSnapshot;

/** What the registry reports; called on XMPP or health-check threads, must not block. */
public interface BridgeListener {

  /** A bridge appeared or its stats or health changed. */
  default void bridgeUpdated(BridgeSnapshot bridge) {}

  /** A bridge left the brewery: its conferences must move. */
  default void bridgeRemoved(String bridgeId) {}

  /**
   * A bridge failed its health checks or a Colibri2 request: it stays known but gets no new
   * conferences, and the conferences on it must move.
   */
  default void bridgeUnhealthy(String bridgeId) {}
}
