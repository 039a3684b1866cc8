package io.openmeet.litebridge.media;

import java.util.List;
import java.util.Map;

/**
 * Payload types and RTP header extensions an endpoint negotiated, from Colibri2 `<media>`.
 *
 * @param rtxPayloadTypes RTX payload type → the payload type it repairs (`apt`)
 * @param headerExtensions extension id → URI
 */
public record MediaFormats(
    List<PayloadType> payloadTypes,
    Map<Integer, Integer> rtxPayloadTypes,
    Map<Integer, String> headerExtensions) {
  public MediaFormats {
    payloadTypes = List.copyOf(payloadTypes);
    rtxPayloadTypes = Map.copyOf(rtxPayloadTypes);
    headerExtensions = Map.copyOf(headerExtensions);
  }

  /** One payload type: `mediaType` audio or video, `name` e.g. opus, VP8, rtx. */
  public record PayloadType(String mediaType, int id, String name, int clockRate, int channels) {}
}
