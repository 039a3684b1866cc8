package io.openmeet.litebridge.media;

import java.util.List;

/**
 * The media side of one Colibri2 conference: its endpoints' transports and the forwarding between
 * them.
 */
public interface MediaConference {

  /** Creates an endpoint's ICE agent (harvesting now) so its local transport can be described. */
  EndpointTransport createEndpoint(String endpointId);

  /** The bridge's own sources for this conference (`jvb-a0`, `jvb-v0`): the feedback SSRCs. */
  List<MediaSourceDesc> feedbackSources();

  /** Closes every endpoint transport of the conference. */
  void close();

  /** Events the media plane reports to the Colibri2/bridge-channel layer. */
  interface Listener {
    /** The dominant speaker changed (from the audio-level header extension). */
    void dominantSpeakerChanged(String endpointId, List<String> previousSpeakers);

    /** ICE failed or the DTLS handshake failed for good: the endpoint should expire. */
    default void transportFailed(String endpointId, String reason) {}
  }
}
