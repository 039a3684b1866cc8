package io.openmeet.focus.sdp;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An RTP payload type as offered to browsers and announced to the bridge.
 *
 * @param channels 1 for video and mono audio; written only when above 1
 * @param parameters fmtp parameters in their written order
 */
public record PayloadType(
    int id,
    String name,
    int clockRate,
    int channels,
    Map<String, String> parameters,
    List<RtcpFeedback> feedback) {

  public PayloadType {
    Objects.requireNonNull(name, "name");
    parameters = Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
    feedback = List.copyOf(feedback);
  }

  /** The value of {@code a=rtpmap}. */
  public String rtpmap() {
    return id + " " + name + "/" + clockRate + (channels > 1 ? "/" + channels : "");
  }

  /** The value of {@code a=fmtp} (without the id), empty when there are no parameters. */
  public String fmtp() {
    StringBuilder b = new StringBuilder();
    parameters.forEach(
        (k, v) -> {
          if (b.length() > 0) {
            b.append(';');
          }
          b.append(k.isEmpty() ? v : k + "=" + v);
        });
    return b.toString();
  }

  /** An RTCP feedback mechanism ({@code a=rtcp-fb}); subtype null when absent. */
  public record RtcpFeedback(String type, String subtype) {
    public RtcpFeedback {
      Objects.requireNonNull(type, "type");
    }

    /** The feedback as written after the payload id. */
    public String render() {
      return subtype == null ? type : type + " " + subtype;
    }
  }
}
