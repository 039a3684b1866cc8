package io.openmeet.focus.sdp;

import io.openmeet.focus.sdp.PayloadType.RtcpFeedback;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The codecs and header extensions the focus offers; the same list goes to the bridge in Colibri2
 * {@code <media>} so both sides agree on payload type numbers.
 */
public record CodecSettings(
    List<PayloadType> audio,
    List<PayloadType> video,
    List<HeaderExtension> audioExtensions,
    List<HeaderExtension> videoExtensions) {

  public CodecSettings {
    audio = List.copyOf(audio);
    video = List.copyOf(video);
    audioExtensions = List.copyOf(audioExtensions);
    videoExtensions = List.copyOf(videoExtensions);
  }

  /**
   * Jicofo's defaults for what we support: opus 111; VP8 100 with RTX 96; optionally H264 107 with
   * RTX 99; audio-level 1, mid 10, transport-cc 5 for audio; mid 10, abs-send-time 3, transport-cc
   * 5, AV1 dependency descriptor 11 for video.
   */
  public static CodecSettings defaults(boolean withH264) {
    Map<String, String> opusParams = new LinkedHashMap<>();
    opusParams.put("minptime", "10");
    opusParams.put("useinbandfec", "1");
    PayloadType opus =
        new PayloadType(
            111, "opus", 48000, 2, opusParams, List.of(new RtcpFeedback("transport-cc", null)));
    List<RtcpFeedback> videoFb =
        List.of(
            new RtcpFeedback("ccm", "fir"),
            new RtcpFeedback("nack", null),
            new RtcpFeedback("nack", "pli"),
            new RtcpFeedback("goog-remb", null),
            new RtcpFeedback("transport-cc", null));
    List<PayloadType> video = new ArrayList<>();
    video.add(new PayloadType(100, "VP8", 90000, 1, Map.of(), videoFb));
    video.add(new PayloadType(96, "rtx", 90000, 1, Map.of("apt", "100"), List.of()));
    if (withH264) {
      Map<String, String> h264 = new LinkedHashMap<>();
      h264.put("level-asymmetry-allowed", "1");
      h264.put("packetization-mode", "1");
      h264.put("profile-level-id", "42e01f");
      video.add(new PayloadType(107, "H264", 90000, 1, h264, videoFb));
      video.add(new PayloadType(99, "rtx", 90000, 1, Map.of("apt", "107"), List.of()));
    }
    return new CodecSettings(
        List.of(opus),
        video,
        List.of(
            new HeaderExtension(1, HeaderExtension.AUDIO_LEVEL),
            new HeaderExtension(10, HeaderExtension.MID),
            new HeaderExtension(5, HeaderExtension.TRANSPORT_CC)),
        List.of(
            new HeaderExtension(10, HeaderExtension.MID),
            new HeaderExtension(3, HeaderExtension.ABS_SEND_TIME),
            new HeaderExtension(5, HeaderExtension.TRANSPORT_CC),
            new HeaderExtension(11, HeaderExtension.AV1_DEPENDENCY_DESCRIPTOR)));
  }

  /**
   * These settings with a start-bitrate hint for browsers on every video codec but RTX ({@code
   * x-google-start-bitrate}, kbit/s; Chromium's own start is 300): for offers only, never for the
   * bridge. 0 or less leaves the settings as they are.
   */
  public CodecSettings withVideoStartBitrate(int kbps) {
    if (kbps <= 0) {
      return this;
    }
    List<PayloadType> hinted = new ArrayList<>();
    for (PayloadType pt : video) {
      if (pt.name().equalsIgnoreCase("rtx")) {
        hinted.add(pt);
        continue;
      }
      Map<String, String> params = new LinkedHashMap<>(pt.parameters());
      params.put(START_BITRATE, Integer.toString(kbps));
      hinted.add(
          new PayloadType(
              pt.id(), pt.name(), pt.clockRate(), pt.channels(), params, pt.feedback()));
    }
    return new CodecSettings(audio, hinted, audioExtensions, videoExtensions);
  }

  /** Chromium's fmtp parameter for the bitrate its bandwidth estimate starts from, in kbit/s. */
  public static final String START_BITRATE = "x-google-start-bitrate";

  /** The payload types for one kind. */
  public List<PayloadType> payloadTypes(MediaKind kind) {
    return kind == MediaKind.AUDIO ? audio : video;
  }

  /** The header extensions for one kind. */
  public List<HeaderExtension> extensions(MediaKind kind) {
    return kind == MediaKind.AUDIO ? audioExtensions : videoExtensions;
  }
}
