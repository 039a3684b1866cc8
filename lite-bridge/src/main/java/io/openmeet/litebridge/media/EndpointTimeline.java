package io.openmeet.litebridge.media;

import java.time.LocalTime;
import org.jitsi.utils.logging2.Logger;
import org.jitsi.utils.logging2.LoggerImpl;

/**
 * One endpoint's join timeline in the log (INFO): milliseconds since the endpoint was allocated
 * plus the wall clock, so a browser trace can be lined up with it.
 */
final class EndpointTimeline {

  private static final Logger LOGGER = new LoggerImpl(EndpointConnection.class.getName());

  private final String endpointId;
  private final long createdNanos = System.nanoTime();

  EndpointTimeline(String endpointId) {
    this.endpointId = endpointId;
  }

  void log(String event) {
    if (LOGGER.isInfoEnabled()) {
      LOGGER.info(
          LocalTime.now()
              + " endpoint "
              + endpointId
              + " +"
              + (System.nanoTime() - createdNanos) / 1_000_000
              + " ms: "
              + event);
    }
  }
}
