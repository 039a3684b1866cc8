package io.openmeet.litebridge.media;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One endpoint's ICE + DTLS + SRTP transport on the bridge. The bridge is ICE-controlling; its DTLS
 * role follows the peer's `setup` attribute (peer `active` makes the bridge the DTLS server).
 */
public interface EndpointTransport {

  String endpointId();

  /** Local ICE credentials and candidates, for the Colibri2 response. */
  LocalIce localIce();

  /** The peer's ICE credentials, candidates and DTLS fingerprints; starts connectivity checks. */
  void setRemoteTransport(RemoteTransport remote);

  /**
   * Replaces the sources this endpoint sends (Colibri2 `<sources>` replaces, it does not merge).
   */
  void setSources(List<MediaSourceDesc> sources);

  /** Payload types and header extensions negotiated for this endpoint (from Colibri2 `<media>`). */
  void setMediaFormats(MediaFormats formats);

  /**
   * The video sources (Colibri2 source names) forwarded to this endpoint, each with the largest
   * picture height it may get (-1: no limit); other video, including SSRCs that no signalled source
   * names, is not. Of a simulcast source it gets the highest layer being sent that fits. The sender
   * of a source that joins the set is asked for a keyframe (of a simulcast source: of the layer
   * chosen). Until the first call every video is forwarded, unlimited (a bare media conference; the
   * bridge's conference layer sets the set as soon as it creates the endpoint).
   */
  void setForwardedVideo(Map<String, Integer> maxHeights);

  /** {@link #setForwardedVideo} with no height limit for any of the sources. */
  default void setForwardedVideoSources(Set<String> sourceNames) {
    Map<String, Integer> unlimited = new java.util.LinkedHashMap<>();
    sourceNames.forEach(name -> unlimited.put(name, -1));
    setForwardedVideo(unlimited);
  }

  /**
   * Colibri2 `force-mute`: while set for a media type, the bridge drops what this endpoint sends of
   * it instead of forwarding it (JVB discards it after its receive statistics and transport-cc, and
   * force-muted audio does not count for the dominant speaker). Clearing it forwards again.
   */
  void setForceMute(boolean audio, boolean video);

  TransportState state();

  /** When a packet (STUN, DTLS, RTP or RTCP) last arrived from the peer; drives idle expiry. */
  Instant lastActivity();

  /** Stops the transport and forwarding to and from this endpoint. */
  void close();
}
