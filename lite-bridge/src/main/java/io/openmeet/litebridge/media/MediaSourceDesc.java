package io.openmeet.litebridge.media;

import java.util.List;

/**
 * One Colibri2 `media-source`: a named audio or video source with its SSRCs and groups (FID, SIM).
 *
 * @param type audio or video
 * @param name the source name, e.g. `79f0273e-v0`
 */
public record MediaSourceDesc(String type, String name, List<Long> ssrcs, List<SsrcGroup> groups) {
  public MediaSourceDesc {
    ssrcs = List.copyOf(ssrcs);
    groups = List.copyOf(groups);
  }

  /** An SSRC group such as `FID` (primary, rtx) or `SIM` (layers). */
  public record SsrcGroup(String semantics, List<Long> ssrcs) {
    public SsrcGroup {
      ssrcs = List.copyOf(ssrcs);
    }
  }
}
