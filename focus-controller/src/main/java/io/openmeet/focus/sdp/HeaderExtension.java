package io.openmeet.focus.sdp;

import java.util.Objects;

/** An RTP header extension ({@code a=extmap}). */
public record HeaderExtension(int id, String uri) {

  public static final String AUDIO_LEVEL = "urn:ietf:params:rtp-hdrext:ssrc-audio-level";
  public static final String MID = "urn:ietf:params:rtp-hdrext:sdes:mid";
  public static final String TRANSPORT_CC =
      "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01";
  public static final String ABS_SEND_TIME =
      "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time";
  public static final String AV1_DEPENDENCY_DESCRIPTOR =
      "https://aomediacodec.github.io/av1-rtp-spec/#dependency-descriptor-rtp-header-extension";

  public HeaderExtension {
    Objects.requireNonNull(uri, "uri");
  }
}
