package io.openmeet.litebridge.media;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What one endpoint negotiated (payload types, RTX, header extensions), pre-digested for the packet
 * path.
 */
record NegotiatedFormats(
    Map<Integer, String> mediaTypeByPayloadType,
    Map<Integer, Integer> rtxByApt,
    int audioLevelExtensionId,
    int transportCcExtensionId,
    HeaderExtensions extensions,
    Set<Integer> vp8PayloadTypes,
    Set<Integer> rtxPayloadTypes,
    Map<Integer, Integer> clockRateByPayloadType) {

  static final String AUDIO_LEVEL_URI = "urn:ietf:params:rtp-hdrext:ssrc-audio-level";

  static final NegotiatedFormats NONE =
      new NegotiatedFormats(
          Map.of(), Map.of(), -1, -1, HeaderExtensions.NONE, Set.of(), Set.of(), Map.of());

  static NegotiatedFormats of(MediaFormats formats) {
    Map<Integer, String> types = new HashMap<>();
    Set<Integer> vp8 = new HashSet<>();
    Map<Integer, Integer> clockRates = new HashMap<>();
    for (MediaFormats.PayloadType pt : formats.payloadTypes()) {
      types.put(pt.id(), pt.mediaType() == null ? "" : pt.mediaType().toLowerCase(Locale.ROOT));
      if (pt.clockRate() > 0) {
        clockRates.put(pt.id(), pt.clockRate());
      }
      if ("vp8".equalsIgnoreCase(pt.name())) {
        vp8.add(pt.id());
      }
    }
    Map<Integer, Integer> rtxByApt = new HashMap<>();
    formats.rtxPayloadTypes().forEach((rtx, apt) -> rtxByApt.put(apt, rtx));
    int audioLevel = -1;
    for (Map.Entry<Integer, String> ext : formats.headerExtensions().entrySet()) {
      if (AUDIO_LEVEL_URI.equals(ext.getValue())) {
        audioLevel = ext.getKey();
      }
    }
    HeaderExtensions extensions = new HeaderExtensions(formats.headerExtensions());
    return new NegotiatedFormats(
        Map.copyOf(types),
        Map.copyOf(rtxByApt),
        audioLevel,
        extensions.idOf(HeaderExtensions.TRANSPORT_CC),
        extensions,
        Set.copyOf(vp8),
        Set.copyOf(formats.rtxPayloadTypes().keySet()),
        Map.copyOf(clockRates));
  }
}
