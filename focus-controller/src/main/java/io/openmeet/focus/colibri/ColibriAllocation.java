package io.openmeet.focus.colibri;

import io.openmeet.focus.sdp.MediaSource;
import io.openmeet.focus.sdp.TransportDescription;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a bridge allocated for one endpoint: everything the SDP offer needs.
 *
 * @param bridgeId the bridge's brewery nickname
 * @param transport the bridge's ICE credentials, candidates and DTLS fingerprint (setup actpass)
 * @param feedbackSources the bridge's own sources in the conference ({@code jvb-a0}, {@code
 *     jvb-v0})
 * @param webSocketUrl the bridge-channel (colibri-ws) URL for the endpoint, when offered
 */
public record ColibriAllocation(
    String bridgeId,
    TransportDescription transport,
    List<MediaSource> feedbackSources,
    Optional<String> webSocketUrl) {

  public ColibriAllocation {
    Objects.requireNonNull(bridgeId, "bridgeId");
    Objects.requireNonNull(transport, "transport");
    feedbackSources = List.copyOf(feedbackSources);
    Objects.requireNonNull(webSocketUrl, "webSocketUrl");
  }
}
